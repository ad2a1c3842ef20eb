// The EventBridge rule that turns an alarm state change into a workflow execution: to ALARM starts
// an analysis, back to OK may resolve its incident. For the analyzer's own alarms and for existing
// alarms named in the configuration.

import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
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
    this.rule = new events.Rule(this, 'Rule', {
      description: 'cascade-analyzer: analyse when a watched alarm goes to ALARM, resolve when back to OK',
      eventPattern: alarmEventPattern(props.alarmNames, props.alarmNamePrefixes),
      targets: [
        new targets.SfnStateMachine(props.stateMachine, {
          deadLetterQueue: this.deadLetterQueue,
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
