// The Standard state machine of DESIGN.md: Prepare → CollectGraph → CollectEvidence → Enrich →
// Analyze → Store → Notify. Every step retries AWS throttling and Lambda service errors with
// exponential backoff and full jitter; any failure is caught and recorded as a FAILED finding,
// stored and notified, before the execution fails — nothing is silently lost. CollectEvidence
// (X-Ray traces, CloudTrail changes) only adds to the graph: its failure is caught and the
// analysis goes on with the graph alone.

import { Duration } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import * as tasks from 'aws-cdk-lib/aws-stepfunctions-tasks';
import { Construct } from 'constructs';
import type { AnalyzerFunction } from './analyzer-function.ts';

export interface WorkflowSteps {
  readonly prepare: AnalyzerFunction;
  readonly collectGraph: AnalyzerFunction;
  readonly collectEvidence: AnalyzerFunction;
  readonly enrich: AnalyzerFunction;
  readonly analyze: AnalyzerFunction;
  readonly store: AnalyzerFunction;
  readonly notify: AnalyzerFunction;
  readonly recordFailure: AnalyzerFunction;
}

export interface WorkflowProps {
  readonly steps: WorkflowSteps;
  /** @default Duration.minutes(15) */
  readonly timeout?: Duration;
}

/** Errors worth another try: Lambda's own transient failures and throttling anywhere. */
export const TRANSIENT_ERRORS = [
  'Lambda.ServiceException',
  'Lambda.AWSLambdaException',
  'Lambda.SdkClientException',
  'Lambda.TooManyRequestsException',
  'ThrottledException',
  'ThrottlingException',
  'TooManyRequestsException',
  'ProvisionedThroughputExceededException',
] as const;

/** The state names, in order: the local runtime and the tests refer to them. */
export const STEP_NAMES = [
  'Prepare',
  'CollectGraph',
  'CollectEvidence',
  'Enrich',
  'Analyze',
  'Store',
  'Notify',
] as const;

/** Steps whose failure does not fail the analysis: their Catch goes on to the next step. */
export const OPTIONAL_STEPS: readonly (typeof STEP_NAMES)[number][] = ['CollectEvidence'];

export class Workflow extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    const { steps } = props;
    const step = (name: string, fn: AnalyzerFunction, timeout: Duration, payload?: sfn.TaskInput) =>
      new tasks.LambdaInvoke(this, name, {
        lambdaFunction: fn.function,
        ...(payload ? { payload } : {}),
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        taskTimeout: sfn.Timeout.duration(timeout),
      }).addRetry({
        errors: [...TRANSIENT_ERRORS],
        interval: Duration.seconds(2),
        maxAttempts: 5,
        backoffRate: 2,
        maxDelay: Duration.seconds(60),
        jitterStrategy: sfn.JitterType.FULL,
      });

    const recordFailure = step(
      'RecordFailure',
      steps.recordFailure,
      Duration.minutes(1),
      sfn.TaskInput.fromObject({ 'input.$': '$', 'error.$': '$.error' }),
    ).next(
      new sfn.Fail(this, 'Failed', {
        error: 'AnalysisFailed',
        cause: 'a step failed; a FAILED finding was recorded',
      }),
    );
    const [prepareName, collectName, evidenceName, enrichName, analyzeName, storeName, notifyName] =
      STEP_NAMES;
    const chain = [
      step(prepareName, steps.prepare, Duration.seconds(30)),
      step(collectName, steps.collectGraph, Duration.minutes(5)),
      step(evidenceName, steps.collectEvidence, Duration.minutes(1)),
      step(enrichName, steps.enrich, Duration.minutes(2)),
      step(analyzeName, steps.analyze, Duration.minutes(5)),
      step(storeName, steps.store, Duration.minutes(1)),
      step(notifyName, steps.notify, Duration.minutes(1)),
    ];
    chain.forEach((task, i) => {
      const next = chain[i + 1];
      if (OPTIONAL_STEPS.includes(task.id as (typeof STEP_NAMES)[number]) && next) {
        // The next step gets this step's input, the error kept aside for the execution history.
        task.addCatch(next, { errors: ['States.ALL'], resultPath: '$.evidenceError' });
        return;
      }
      // The failure handler gets the step's input and the error, whatever went wrong.
      task.addCatch(recordFailure, { errors: ['States.ALL'], resultPath: '$.error' });
    });
    let definition = sfn.Chain.start(chain[0] as tasks.LambdaInvoke);
    for (const task of chain.slice(1)) definition = definition.next(task);
    definition = definition.next(new sfn.Succeed(this, 'Done'));

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: props.timeout ?? Duration.minutes(15),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      comment: 'cascade-analyzer: alarm → X-Ray graph → finding → DynamoDB + SNS',
    });
  }
}
