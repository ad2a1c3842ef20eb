// The EventBridge rule that turns an alarm state change into a workflow execution: to ALARM starts
// an analysis, back to OK may resolve its incident. For the analyzer's own alarms and for existing
// alarms named in the configuration.

import { Aws, Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';

export interface AlarmTriggerProps {
  readonly stateMachine: sfn.IStateMachine;
  /** Exact alarm names (the analyzer's own and configured ones). */
  readonly alarmNames: readonly string[];
  /** Alarm name prefixes from the configuration. */
  readonly alarmNamePrefixes: readonly string[];
}

export class AlarmTrigger extends Construct {
  public readonly rule: events.Rule;
  /** Events EventBridge could not deliver after its retries land here. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The role EventBridge starts executions with: this account's rules only. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: AlarmTriggerProps) {
    super(scope, id);
    if (props.alarmNames.length === 0 && props.alarmNamePrefixes.length === 0) {
      throw new Error(
        'AlarmTrigger: give at least one alarm name or prefix, or no alarm could start an analysis',
      );
    }
    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetters', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    // The target's default role trusts EventBridge with no condition; this one only for rules in
    // this account. (The rule's own ARN would make the role and the rule depend on each other, and
    // its generated name is truncated for long stack names, so no narrower pattern holds.)
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com', {
        conditions: {
          StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID },
          ArnLike: {
            'aws:SourceArn': `arn:${Aws.PARTITION}:events:${Aws.REGION}:${Aws.ACCOUNT_ID}:rule/*`,
          },
        },
      }),
      description: 'cascade-analyzer: EventBridge starts the workflow on alarms',
    });
    this.rule = new events.Rule(this, 'Rule', {
      description: 'cascade-analyzer: analyse when a watched alarm goes to ALARM, resolve when back to OK',
      eventPattern: alarmEventPattern(props.alarmNames, props.alarmNamePrefixes),
      targets: [
        new targets.SfnStateMachine(props.stateMachine, {
          deadLetterQueue: this.deadLetterQueue,
          role: this.role,
          retryAttempts: 8,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });
  }
}

/** "CloudWatch Alarm State Change" to ALARM or OK for the given names and prefixes. */
export function alarmEventPattern(
  names: readonly string[],
  prefixes: readonly string[],
): events.EventPattern {
  return {
    source: ['aws.cloudwatch'],
    detailType: ['CloudWatch Alarm State Change'],
    detail: {
      state: { value: ['ALARM', 'OK'] },
      alarmName: [...[...names].sort(), ...[...prefixes].sort().map((p) => ({ prefix: p }))],
    },
  };
}
