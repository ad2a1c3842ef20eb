// The EventBridge rule on the workflow's own executions: one that ends FAILED, TIMED_OUT or ABORTED
// goes to the ExecutionWatch function, which records a FAILED finding and its message when the
// execution could not (a timeout or abort runs no Catch). Undeliverable events land in a DLQ.

import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { AnalyzerFunction } from './analyzer-function.ts';

export interface ExecutionWatchProps {
  readonly stateMachine: sfn.IStateMachine;
  /** The function that records the failure (handler `execution-watch`). */
  readonly handler: AnalyzerFunction;
  /** Where events EventBridge could not deliver go. */
  readonly deadLetterQueue: sqs.IQueue;
}

export class ExecutionWatch extends Construct {
  public readonly rule: events.Rule;

  constructor(scope: Construct, id: string, props: ExecutionWatchProps) {
    super(scope, id);
    this.rule = new events.Rule(this, 'Rule', {
      description: 'cascade-analyzer: record executions that end FAILED, TIMED_OUT or ABORTED',
      eventPattern: executionStatusPattern(props.stateMachine.stateMachineArn),
      targets: [
        new targets.LambdaFunction(props.handler.function, {
          deadLetterQueue: props.deadLetterQueue,
          retryAttempts: 8,
          maxEventAge: Duration.hours(2),
        }),
      ],
    });
  }
}

/** "Step Functions Execution Status Change" to FAILED, TIMED_OUT or ABORTED of one state machine. */
export function executionStatusPattern(stateMachineArn: string): events.EventPattern {
  return {
    source: ['aws.states'],
    detailType: ['Step Functions Execution Status Change'],
    detail: { status: ['FAILED', 'TIMED_OUT', 'ABORTED'], stateMachineArn: [stateMachineArn] },
  };
}
