// ExecutionWatch: Step Functions tells EventBridge when an execution ends FAILED, TIMED_OUT or
// ABORTED. A timed-out or aborted execution runs no Catch, and a RecordFailure that itself failed
// leaves nothing: this records what the Catch would have — a FAILED finding, on its incident, and
// the message — unless the execution already did (every write is conditional, the outbox claimed).

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { coldStart, inLambda } from './cold-start.ts';
import { parseInput } from './errors.ts';
import { instrumented, logger, metrics } from './observability.ts';
import { type RecordedFailure, type RecordFailureDeps, recordFailure } from './record-failure.ts';
import * as z from './zod.ts';

export const EXECUTION_DETAIL_TYPE = 'Step Functions Execution Status Change';
export const WATCHED_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'] as const;

export const ExecutionStatusEventSchema = z.object({
  source: z.literal('aws.states', { error: 'must be "aws.states"' }),
  'detail-type': z.literal(EXECUTION_DETAIL_TYPE, { error: `must be "${EXECUTION_DETAIL_TYPE}"` }),
  detail: z.object({
    executionArn: z.string().check(z.minLength(1)),
    status: z.enum(WATCHED_STATUSES),
    /** The execution's input as JSON text (EventBridge leaves it out above 256 KB). */
    input: z.optional(z.nullable(z.string())),
    error: z.optional(z.nullable(z.string())),
    cause: z.optional(z.nullable(z.string())),
  }),
});

/** The error a FAILED finding names for each way an execution can end without its Catch. */
const ERROR_OF: Readonly<Record<(typeof WATCHED_STATUSES)[number], string>> = {
  FAILED: 'ExecutionFailed',
  TIMED_OUT: 'ExecutionTimedOut',
  ABORTED: 'ExecutionAborted',
};

export type Watched = RecordedFailure | { readonly skipped: string };

export async function watchExecution(input: unknown, deps: RecordFailureDeps): Promise<Watched> {
  const event = parseInput(ExecutionStatusEventSchema, input, 'execution status event');
  const { detail } = event;
  let original: unknown = null;
  try {
    original = detail.input ? JSON.parse(detail.input) : null;
  } catch {
    original = detail.input;
  }
  // An alarm back to OK failed: no analysis to record (the executions-failed alarm tells).
  const state = (original as { detail?: { state?: { value?: unknown } } } | null)?.detail?.state?.value;
  if (state === 'OK') return { skipped: 'an alarm back to OK; no analysis to record' };
  return recordFailure(
    {
      input: original,
      error: {
        // The execution's own error (e.g. a step's) when it FAILED, else how it ended.
        Error: (detail.status === 'FAILED' ? detail.error : undefined) ?? ERROR_OF[detail.status],
        Cause: detail.cause ?? '',
      },
      executionId: detail.executionArn,
    },
    deps,
  );
}

// The composition root (wiring/execution-watch.ts) is loaded on first use: importing this module for its logic
// loads no AWS client.
const dependencies = coldStart(async () =>
  (await import('./wiring/execution-watch.ts')).executionWatchDeps(),
);
// Inside Lambda, build during init: a missing variable fails the cold start naming it.
if (inLambda()) await dependencies();

export const handler = instrumented<unknown, Watched>().handler(async (event) => {
  const watched = await watchExecution(event, await dependencies());
  logger.warn('execution ended without success; recorded', { ...watched, event });
  if ('stored' in watched && watched.stored !== 'exists') {
    metrics.addMetric('ExecutionFailureRecorded', MetricUnit.Count, 1);
  }
  return watched;
});
