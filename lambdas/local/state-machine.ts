// Runs the synthesized state machine with aws-local-stepfunctions: every Task state is overridden
// to call a function in this process, which behaves like the Lambda behind it (errors reach Retry
// and Catch with Lambda's error name and JSON cause). Step Functions' 256 KB payload limit is
// enforced on task results and measured on every state's input and output.

import {
  ExecutionAbortedError,
  ExecutionTimeoutError,
  type RunOptions,
  StateMachine,
  type StateMachineDefinition,
} from 'aws-local-stepfunctions';
import type { ContextOverrides, SynthesizedApp } from './app-model.ts';
import { installPolyfills } from './polyfills.ts';
import { COMPILED, cacheApp, readCachedApp } from './synth-cache.ts';

type LocalHandlers = NonNullable<NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']>;
/** aws-local-stepfunctions' JSON value type (not exported by name). */
type JsonValue = Awaited<ReturnType<LocalHandlers[string]>>;

/** Step Functions' limit on an execution's input and on what passes between states. */
export const MAX_PAYLOAD_BYTES = 256 * 1024;

/**
 * The module that synthesizes the stack; loaded at run time so its CDK types stay out of this build.
 * It sits next to this module: synth-app.ts in the sources, synth-app.mjs in the compiled CLI.
 */
const SYNTH_MODULE = new URL(
  import.meta.url.endsWith('.ts') ? './synth-app.ts' : './synth-app.mjs',
  import.meta.url,
).href;
const synthesized = new Map<string, Promise<SynthesizedApp>>();
/** Apps read back from the synth cache: their definition passed validation when first run. */
const VALIDATED = new WeakSet<SynthesizedApp>();

/** Synthesizes the stack once per distinct context in this process. */
export function loadSynthesizedApp(overrides: ContextOverrides = {}): Promise<SynthesizedApp> {
  const key = JSON.stringify(overrides);
  let app = synthesized.get(key);
  if (app === undefined) {
    app = (async () => {
      const cached = COMPILED ? await readCachedApp(overrides) : undefined;
      if (cached !== undefined) {
        VALIDATED.add(cached);
        return cached;
      }
      const mod = (await import(SYNTH_MODULE)) as {
        synthesizeApp: (o: ContextOverrides) => SynthesizedApp;
      };
      const fresh = mod.synthesizeApp(overrides);
      if (COMPILED) await cacheApp(overrides, fresh).catch(() => undefined);
      return fresh;
    })();
    synthesized.set(key, app);
    app.catch(() => synthesized.delete(key));
  }
  return app;
}

export type TaskFunction = (input: unknown) => Promise<unknown>;

/** What the local run tells a listener, as it happens. */
export type ExecutionEvent =
  | {
      readonly type: 'state-entered';
      readonly state: string;
      /** The state's Type: Task, Succeed, Fail… */
      readonly kind: string;
      readonly at: number;
      readonly inputBytes: number;
    }
  | {
      readonly type: 'state-succeeded';
      readonly state: string;
      readonly kind: string;
      readonly at: number;
      readonly ms: number;
      readonly output: unknown;
      readonly outputBytes: number;
    }
  | {
      readonly type: 'state-failed';
      readonly state: string;
      readonly kind: string;
      readonly at: number;
      readonly ms: number;
      readonly error: string;
      readonly cause: string;
    }
  | { readonly type: 'state-retried'; readonly state: string; readonly at: number; readonly attempt: number }
  | { readonly type: 'state-caught'; readonly state: string; readonly at: number; readonly error: string };

export type ExecutionListener = (event: ExecutionEvent) => void;

export interface StateRun {
  readonly state: string;
  readonly type: string;
  readonly startedAt: number;
  readonly ms: number;
  /**
   * `succeeded`; `caught`: it failed and its Catch moved on; `failed`: it failed for good (a Fail
   * state, or an error nothing caught). A failed attempt that was retried is not listed.
   */
  readonly outcome: 'succeeded' | 'caught' | 'failed';
  readonly inputBytes: number;
  readonly outputBytes: number;
  readonly error?: string;
}

export interface ExecutionReport {
  readonly name: string;
  readonly executionArn: string;
  readonly status: 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'ABORTED';
  readonly input: unknown;
  readonly output?: unknown;
  readonly error?: { readonly Error: string; readonly Cause: string };
  readonly startedAt: number;
  readonly ms: number;
  /** Every state entered, in order, with its payload sizes. */
  readonly states: readonly StateRun[];
  /** The largest payload of the run (execution input, a state's input or output) and where. */
  readonly largestPayload: { readonly bytes: number; readonly where: string };
}

/** Step Functions' own error when a payload is over the limit: Catch `States.ALL` does not take it. */
export class DataLimitExceededError extends Error {
  override readonly name = 'States.DataLimitExceeded';
  readonly isCatchable = false;
  readonly isRetryable = false;
}

/** A Task's failure as Lambda reports it: the error's name, and a JSON cause with message and trace. */
export class TaskFailedError extends Error {
  constructor(err: unknown) {
    const e = err instanceof Error ? err : new Error(String(err));
    const errorType = e.name || 'Error';
    super(
      JSON.stringify({
        errorType,
        errorMessage: e.message,
        trace: (e.stack ?? '').split('\n').slice(0, 10),
      }),
    );
    this.name = errorType;
  }
}

export interface LocalStateMachineOptions {
  /** The function standing in for each Task state, by state name; every Task state needs one. */
  readonly tasks: Readonly<Record<string, TaskFunction>>;
  /** Milliseconds before each retry instead of the definition's backoff (tests). */
  readonly retryDelayMs?: number;
}

export class LocalStateMachine {
  readonly name: string;
  readonly arn: string;
  private readonly machine: StateMachine;
  private readonly taskNames: readonly string[];

  constructor(
    readonly app: SynthesizedApp,
    private readonly options: LocalStateMachineOptions,
  ) {
    installPolyfills();
    const definition = app.definition as unknown as StateMachineDefinition;
    this.taskNames = Object.entries(definition.States)
      .filter(([, s]) => s.Type === 'Task')
      .map(([name]) => name);
    const missing = this.taskNames.filter((n) => options.tasks[n] === undefined);
    if (missing.length > 0) throw new Error(`no local function for Task state(s) ${missing.join(', ')}`);
    // Validates the definition as Step Functions would (ASL schema, paths, ARNs), unless this very
    // definition passed already (a cached synthesis): compiling the schema costs about 0.4 s.
    this.machine = new StateMachine(definition, { validationOptions: { noValidate: VALIDATED.has(app) } });
    this.name = app.stateMachineLogicalId;
    this.arn = `arn:aws:states:${app.region}:${app.account}:stateMachine:${this.name}`;
  }

  /** One execution; resolves when it ends, whatever the outcome (it never rejects for a failed run). */
  async run(input: unknown, name: string, listener?: ExecutionListener): Promise<ExecutionReport> {
    const executionArn = `arn:aws:states:${this.app.region}:${this.app.account}:execution:${this.name}:${name}`;
    const startedAt = Date.now();
    const inputBytes = bytesOf(input);
    if (inputBytes > MAX_PAYLOAD_BYTES) {
      // StartExecution refuses such input; no execution exists.
      throw new DataLimitExceededError(
        `execution input is ${inputBytes} bytes; the limit is ${MAX_PAYLOAD_BYTES}`,
      );
    }
    const tasks: LocalHandlers = {};
    for (const state of this.taskNames) {
      const fn = this.options.tasks[state] as TaskFunction;
      tasks[state] = async (taskInput) => {
        let result: unknown;
        try {
          // Through JSON both ways, as the Lambda boundary does: nothing but JSON crosses it.
          result = await fn(JSON.parse(JSON.stringify(taskInput)));
        } catch (err) {
          throw new TaskFailedError(err);
        }
        const json = result === undefined ? 'null' : JSON.stringify(result);
        const size = Buffer.byteLength(json, 'utf8');
        if (size > MAX_PAYLOAD_BYTES) {
          throw new DataLimitExceededError(
            `the result of ${state} is ${size} bytes; Step Functions passes at most ${MAX_PAYLOAD_BYTES}`,
          );
        }
        return JSON.parse(json) as JsonValue;
      };
    }
    const runOptions: RunOptions = {
      overrides: {
        taskResourceLocalHandlers: tasks,
        ...(this.options.retryDelayMs !== undefined
          ? {
              retryIntervalOverrides: Object.fromEntries(
                this.taskNames.map((n) => [n, this.options.retryDelayMs as number]),
              ),
            }
          : {}),
      },
      context: {
        Execution: {
          Id: executionArn,
          Name: name,
          Input: input as JsonValue,
          StartTime: new Date(startedAt).toISOString(),
        },
        StateMachine: { Id: this.arn, Name: this.name },
      },
    };
    const execution = this.machine.run(input as JsonValue, runOptions);

    const states: StateRun[] = [];
    let largest = { bytes: inputBytes, where: 'execution input' };
    interface Current {
      readonly type: string;
      readonly inputBytes: number;
      startedAt: number;
      failed?: { readonly error: string; readonly at: number };
      caught?: boolean;
    }
    let current: Current | undefined;
    let failure: { Error: string; Cause: string } | undefined;
    const record = (
      name: string,
      c: Current,
      outcome: StateRun['outcome'],
      at: number,
      outputBytes: number,
    ) => {
      states.push({
        state: name,
        type: c.type,
        startedAt: c.startedAt,
        ms: at - c.startedAt,
        outcome,
        inputBytes: c.inputBytes,
        outputBytes,
        ...(c.failed !== undefined ? { error: c.failed.error } : {}),
      });
    };
    let currentName = '';
    const consume = (async () => {
      // States run one at a time within an execution: `current` is the one running.
      for await (const ev of execution.eventLogs) {
        if (ev.type === 'StateEntered') {
          const bytes = bytesOf(ev.state.input);
          if (bytes > largest.bytes) largest = { bytes, where: `${ev.state.name} input` };
          current = { type: ev.state.type, inputBytes: bytes, startedAt: ev.timestamp };
          currentName = ev.state.name;
          listener?.({
            type: 'state-entered',
            state: ev.state.name,
            kind: ev.state.type,
            at: ev.timestamp,
            inputBytes: bytes,
          });
        } else if (ev.type === 'StateFailed' && current !== undefined) {
          current.failed = { error: ev.Error, at: ev.timestamp };
          const cause = typeof ev.Cause === 'string' ? ev.Cause : JSON.stringify(ev.Cause);
          listener?.({
            type: 'state-failed',
            state: ev.state.name,
            kind: ev.state.type,
            at: ev.timestamp,
            ms: ev.timestamp - current.startedAt,
            error: ev.Error,
            cause,
          });
        } else if (ev.type === 'StateRetried' && current !== undefined) {
          // The failed attempt is over; the retry starts now.
          current = { type: current.type, inputBytes: current.inputBytes, startedAt: ev.timestamp };
          listener?.({
            type: 'state-retried',
            state: ev.state.name,
            at: ev.timestamp,
            attempt: ev.retry.attempt,
          });
        } else if (ev.type === 'StateCaught' && current !== undefined) {
          current.caught = true;
          listener?.({
            type: 'state-caught',
            state: ev.state.name,
            at: ev.timestamp,
            error: current.failed?.error ?? '',
          });
        } else if (ev.type === 'StateExited' && current !== undefined) {
          const outputBytes = bytesOf(ev.state.output);
          if (outputBytes > largest.bytes) largest = { bytes: outputBytes, where: `${ev.state.name} output` };
          if (current.caught) {
            record(ev.state.name, current, 'caught', current.failed?.at ?? ev.timestamp, outputBytes);
          } else {
            record(ev.state.name, current, 'succeeded', ev.timestamp, outputBytes);
            listener?.({
              type: 'state-succeeded',
              state: ev.state.name,
              kind: ev.state.type,
              at: ev.timestamp,
              ms: ev.timestamp - current.startedAt,
              output: ev.state.output,
              outputBytes,
            });
          }
          current = undefined;
        } else if (ev.type === 'ExecutionFailed') {
          failure = {
            Error: ev.Error,
            Cause: typeof ev.Cause === 'string' ? ev.Cause : JSON.stringify(ev.Cause ?? ''),
          };
        }
      }
      // A state that failed and was neither retried nor caught ended the execution.
      if (current?.failed !== undefined) record(currentName, current, 'failed', current.failed.at, 0);
    })();

    let status: ExecutionReport['status'] = 'SUCCEEDED';
    let output: unknown;
    try {
      output = await execution.result;
    } catch (err) {
      status =
        err instanceof ExecutionTimeoutError
          ? 'TIMED_OUT'
          : err instanceof ExecutionAbortedError
            ? 'ABORTED'
            : 'FAILED';
      failure ??= { Error: (err as Error).name, Cause: (err as Error).message };
    }
    await consume;
    return {
      name,
      executionArn,
      status,
      input,
      ...(status === 'SUCCEEDED' ? { output } : {}),
      ...(status !== 'SUCCEEDED' && failure !== undefined ? { error: failure } : {}),
      startedAt,
      ms: Date.now() - startedAt,
      states,
      largestPayload: largest,
    };
  }
}

/** UTF-8 bytes of a payload's JSON, as Step Functions counts them. */
export function bytesOf(value: unknown): number {
  return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value) ?? '', 'utf8');
}
