// The SNS topic findings are published to: encrypted, SSL only, e-mail subscriptions from config.
// Or an existing topic of the team's, which the analyzer publishes to instead of a new one.

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
  /** An existing topic to publish to instead of a new one. @default a new encrypted topic */
  readonly topic?: sns.ITopic;
  /**
   * The KMS key `topic` is encrypted with, when it is a customer managed key: the publishers get
   * `kms:GenerateDataKey` and `kms:Decrypt` on it. @default `topic.masterKey`, or none
   */
  readonly topicKey?: kms.IKey;
}

export class Notifications extends Construct {
  public readonly topic: sns.ITopic;
  /** The key publishers need, if any: the new topic's own, or the existing topic's customer managed key. */
  public readonly key: kms.IKey | undefined;
  /** Whether the topic was made here (its policy lets this account's alarms publish) or given. */
  public readonly ownTopic: boolean;
  /**
   * Messages SNS could not deliver to an e-mail subscriber after its retries. Made with a new
   * topic, and with an existing one when e-mail addresses are subscribed to it.
   */
  public readonly deadLetterQueue: sqs.Queue | undefined;

  constructor(scope: Construct, id: string, props: NotificationsProps = {}) {
    super(scope, id);
    const emails = props.emails ?? [];
    if (props.topic) {
      this.topic = props.topic;
      this.key = props.topicKey ?? props.topic.masterKey;
      this.ownTopic = false;
      this.deadLetterQueue = emails.length > 0 ? this.subscribe(emails) : undefined;
      return;
    }
    if (props.topicKey) {
      throw new Error(`Notifications ${id}: topicKey is the key of an existing topic; give the topic too`);
    }
    this.ownTopic = true;
    const key = new kms.Key(this, 'Key', {
      description: 'cascade-analyzer findings topic',
      enableKeyRotation: true,
    });
    this.key = key;
    const topic = new sns.Topic(this, 'Topic', {
      displayName: 'cascade-analyzer findings',
      masterKey: key,
      enforceSSL: true,
    });
    this.topic = topic;
    // CloudWatch alarms of this account publish to the topic (the analyzer's own alarms do): SNS
    // needs the service to use the key, and the topic's policy to let it publish. Without both, the
    // alarms that watch the analyzer would fire into silence.
    const fromOwnAlarms = {
      StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
      ArnLike: { 'aws:SourceArn': `arn:${Aws.PARTITION}:cloudwatch:${Aws.REGION}:${Aws.ACCOUNT_ID}:alarm:*` },
    };
    const cloudwatch = new iam.ServicePrincipal('cloudwatch.amazonaws.com');
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [cloudwatch],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: fromOwnAlarms,
      }),
    );
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [cloudwatch],
        actions: ['sns:Publish'],
        resources: [topic.topicArn],
        conditions: fromOwnAlarms,
      }),
    );
    this.deadLetterQueue = this.subscribe(emails);
  }

  private subscribe(emails: readonly string[]): sqs.Queue {
    const deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    for (const email of emails) {
      this.topic.addSubscription(new subscriptions.EmailSubscription(email, { deadLetterQueue }));
    }
    return deadLetterQueue;
  }
}
