// The Standard state machine (docs/architecture.md): an alarm going to ALARM (or an API request) runs
// Prepare → CollectGraph → CollectEvidence → Enrich → Analyze → Store → Correlate → Notify; an
// alarm back to OK runs ResolveAlarm → NotifyResolution. Every step retries AWS throttling, Lambda
// service errors and incident write conflicts with exponential backoff and full jitter; any failure
// of an analysis is caught and recorded as a FAILED finding on its incident, stored and notified,
// before the execution fails — nothing is silently lost. CollectEvidence (X-Ray traces, CloudTrail
// changes) only adds to the graph: its failure is caught and the analysis goes on with the graph
// alone. The execution timeout covers every task's timeout and retries, so that a slow run is
// never cut short before its Catch could run.

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
  readonly correlate: AnalyzerFunction;
  readonly resolveAlarm: AnalyzerFunction;
}

export interface WorkflowProps {
  readonly steps: WorkflowSteps;
  /** @default the sum of every task's timeout and retries on the longest path (`executionTimeout`) */
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
  'IncidentsConflictError',
] as const;

/** The state names, in order: the local runtime and the tests refer to them. */
export const STEP_NAMES = [
  'Prepare',
  'CollectGraph',
  'CollectEvidence',
  'Enrich',
  'Analyze',
  'Store',
  'Correlate',
  'Notify',
] as const;

/** Steps whose failure does not fail the analysis: their Catch goes on to the next step. */
export const OPTIONAL_STEPS: readonly (typeof STEP_NAMES)[number][] = ['CollectEvidence'];
/** The states an alarm back to OK runs. */
export const RESOLVE_STEP_NAMES = ['ResolveAlarm', 'NotifyResolution'] as const;

/** The retry policy of every task. */
export const TASK_RETRY = {
  intervalSeconds: 2,
  maxAttempts: 5,
  backoffRate: 2,
  maxDelaySeconds: 60,
} as const;
/**
 * The steps that only record and send (idempotent: conditional writes, a claimed outbox) also retry
 * any other error a few times, so that a short SNS or DynamoDB outage does not end in the Catch.
 */
export const SEND_RETRY = {
  intervalSeconds: 2,
  maxAttempts: 3,
  backoffRate: 2,
  maxDelaySeconds: 30,
} as const;
export const SENDING_STEPS: ReadonlySet<string> = new Set([
  'Correlate',
  'Notify',
  'ResolveAlarm',
  'NotifyResolution',
  'RecordFailure',
]);

/** Task timeouts in seconds, by state. */
export const TASK_TIMEOUTS: Readonly<Record<string, number>> = {
  Prepare: 30,
  CollectGraph: 300,
  CollectEvidence: 60,
  Enrich: 120,
  Analyze: 300,
  Store: 60,
  Correlate: 60,
  Notify: 60,
  ResolveAlarm: 60,
  NotifyResolution: 60,
  RecordFailure: 60,
};

/**
 * The longest an execution can take: every task on the analysis path and RecordFailure, each
 * timing out on its first try and every retry, with the longest waits between them.
 */
export function executionTimeoutSeconds(): number {
  const waits = (r: typeof TASK_RETRY | typeof SEND_RETRY) => {
    let total = 0;
    for (let i = 0; i < r.maxAttempts; i++)
      total += Math.min(r.maxDelaySeconds, r.intervalSeconds * r.backoffRate ** i);
    return total;
  };
  const worst = (name: string) => {
    const policies = SENDING_STEPS.has(name) ? [TASK_RETRY, SEND_RETRY] : [TASK_RETRY];
    const attempts = 1 + policies.reduce((n, p) => n + p.maxAttempts, 0);
    return (TASK_TIMEOUTS[name] ?? 0) * attempts + policies.reduce((n, p) => n + waits(p), 0);
  };
  return [...STEP_NAMES, 'RecordFailure'].reduce((sum, name) => sum + worst(name), 0);
}

export class Workflow extends Construct {
  public readonly stateMachine: sfn.StateMachine;
  public readonly logGroup: logs.LogGroup;

  constructor(scope: Construct, id: string, props: WorkflowProps) {
    super(scope, id);
    const { steps } = props;
    const step = (name: string, fn: AnalyzerFunction, payload?: sfn.TaskInput) => {
      const task = new tasks.LambdaInvoke(this, name, {
        lambdaFunction: fn.function,
        ...(payload ? { payload } : {}),
        payloadResponseOnly: true,
        retryOnServiceExceptions: false,
        taskTimeout: sfn.Timeout.duration(Duration.seconds(TASK_TIMEOUTS[name] ?? 60)),
      }).addRetry({
        errors: [...TRANSIENT_ERRORS],
        interval: Duration.seconds(TASK_RETRY.intervalSeconds),
        maxAttempts: TASK_RETRY.maxAttempts,
        backoffRate: TASK_RETRY.backoffRate,
        maxDelay: Duration.seconds(TASK_RETRY.maxDelaySeconds),
        jitterStrategy: sfn.JitterType.FULL,
      });
      if (SENDING_STEPS.has(name)) {
        task.addRetry({
          errors: ['States.ALL'],
          interval: Duration.seconds(SEND_RETRY.intervalSeconds),
          maxAttempts: SEND_RETRY.maxAttempts,
          backoffRate: SEND_RETRY.backoffRate,
          maxDelay: Duration.seconds(SEND_RETRY.maxDelaySeconds),
          jitterStrategy: sfn.JitterType.FULL,
        });
      }
      return task;
    };

    const recordFailure = step(
      'RecordFailure',
      steps.recordFailure,
      sfn.TaskInput.fromObject({ 'input.$': '$', 'error.$': '$.error', 'executionId.$': '$$.Execution.Id' }),
    ).next(
      new sfn.Fail(this, 'Failed', {
        error: 'AnalysisFailed',
        cause: 'a step failed; a FAILED finding was recorded',
      }),
    );
    const fnOf: Record<(typeof STEP_NAMES)[number], AnalyzerFunction> = {
      Prepare: steps.prepare,
      CollectGraph: steps.collectGraph,
      CollectEvidence: steps.collectEvidence,
      Enrich: steps.enrich,
      Analyze: steps.analyze,
      Store: steps.store,
      Correlate: steps.correlate,
      Notify: steps.notify,
    };
    const chain = STEP_NAMES.map((name) => step(name, fnOf[name]));
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
    let analysis = sfn.Chain.start(chain[0] as tasks.LambdaInvoke);
    for (const task of chain.slice(1)) analysis = analysis.next(task);
    analysis = analysis.next(new sfn.Succeed(this, 'Done'));

    // An alarm back to OK: no analysis, no finding; a failure fails the execution (and its alarm).
    const [resolveName, notifyResolutionName] = RESOLVE_STEP_NAMES;
    const resolutionFailed = new sfn.Fail(this, 'ResolutionFailed', {
      error: 'ResolutionFailed',
      cause: 'recording an alarm back to OK failed; the executions-failed alarm tells',
    });
    const resolve = step(resolveName, steps.resolveAlarm);
    const notifyResolution = step(notifyResolutionName, steps.notify);
    for (const task of [resolve, notifyResolution])
      task.addCatch(resolutionFailed, { errors: ['States.ALL'] });
    const resolution = sfn.Chain.start(resolve)
      .next(notifyResolution)
      .next(new sfn.Succeed(this, 'Resolved'));

    const definition = new sfn.Choice(this, 'Route')
      .when(
        sfn.Condition.and(
          sfn.Condition.isPresent('$.detail.state.value'),
          sfn.Condition.stringEquals('$.detail.state.value', 'OK'),
        ),
        resolution,
      )
      .otherwise(analysis);

    this.logGroup = new logs.LogGroup(this, 'Logs', { retention: logs.RetentionDays.ONE_MONTH });
    this.stateMachine = new sfn.StateMachine(this, 'StateMachine', {
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: sfn.DefinitionBody.fromChainable(definition),
      timeout: props.timeout ?? Duration.seconds(executionTimeoutSeconds()),
      tracingEnabled: true,
      logs: { destination: this.logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      comment: 'cascade-analyzer: alarm → X-Ray graph → finding → incident → DynamoDB + SNS; OK → resolution',
    });
  }
}
