// The SNS topic findings are published to: encrypted, SSL only, e-mail subscriptions from config.

import { Aws, Duration } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface NotificationsProps {
  /** Addresses subscribed by e-mail (each must confirm the subscription). @default none */
  readonly emails?: readonly string[];
}

export class Notifications extends Construct {
  public readonly topic: sns.Topic;
  public readonly key: kms.Key;
  /** Messages SNS could not deliver to a subscriber after its retries. */
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: NotificationsProps = {}) {
    super(scope, id);
    this.key = new kms.Key(this, 'Key', {
      description: 'cascade-analyzer findings topic',
      enableKeyRotation: true,
    });
    this.topic = new sns.Topic(this, 'Topic', {
      displayName: 'cascade-analyzer findings',
      masterKey: this.key,
      enforceSSL: true,
    });
    // CloudWatch alarms of this account publish to the topic (the analyzer's own alarms do): SNS
    // needs the service to use the key, and the topic's policy to let it publish. Without both, the
    // alarms that watch the analyzer would fire into silence.
    const fromOwnAlarms = {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*` },
    };
    const cloudwatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    this.key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [cloudwatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromOwnAlarms,
      }),
    );
    this.topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [cloudwatch],
        actions: ['sns:Publish'],
        resources: [this.topic.topicArn],
        conditions: fromOwnAlarms,
      }),
    );
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    for (const email of props.emails ?? []) {
      this.topic.addSubscription(
        new subscriptions.EmailSubscription(email, { deadLetterQueue: this.deadLetterQueue }),
      );
    }
  }
}
