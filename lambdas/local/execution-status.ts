// What EventBridge hands ExecutionWatch when an execution ends without success, and its delivery:
// retried a few times as Lambda's asynchronous invocation is, then dropped (the DLQ). Shared by the
// in-process pipeline and the bundled run.

import { EXECUTION_DETAIL_TYPE } from '../handlers/execution-watch.ts';
import type { ExecutionReport } from './state-machine.ts';

/** The "Step Functions Execution Status Change" event of a finished execution. */
export function executionStatusEvent(report: ExecutionReport): Record<string, unknown> {
  return {
    source: 'aws.states',
    'detail-type': EXECUTION_DETAIL_TYPE,
    detail: {
      executionArn: report.executionArn,
      status: report.status,
      input: JSON.stringify(report.input),
      error: report.error?.Error ?? null,
      cause: report.error?.Cause ?? null,
    },
  };
}

/** Delivers `report`'s event to `fn`, three attempts, then gives up quietly (the DLQ's part). */
export async function deliverExecutionStatus(
  report: ExecutionReport,
  fn: (event: unknown) => Promise<unknown>,
): Promise<void> {
  const event = executionStatusEvent(report);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      await fn(event);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 20));
    }
  }
}
