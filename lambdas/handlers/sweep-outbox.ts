// SweepOutbox, on a schedule: sends the incident messages no live sender is working on — decided
// but never claimed, or claimed by a sender that died (Lambda crash or timeout) longer than the
// lease ago — so a root-cause page does not wait for the incident's next change. Each incident is
// flushed as Notify flushes it; one that fails does not stop the others, and the run then fails so
// that its errors alarm fires.

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { sweepableIncidents } from '../core/incidents/lifecycle.ts';
import { CLAIM_LEASE_MS } from '../core/incidents/model.ts';
import { coldStart, inLambda } from './cold-start.ts';
import { type FlushDeps, flushIncident } from './incidents.ts';
import { instrumented, logger, metrics } from './observability.ts';

export interface Swept {
  /** The incidents that had a message to send when the sweep read them. */
  readonly incidents: number;
  /** The notification ids this sweep sent. */
  readonly sent: readonly string[];
  /** Incidents whose flush failed (e.g. the finding of their message not stored yet), and why. */
  readonly failed: readonly { readonly incidentId: string; readonly error: string }[];
}

/** Who a sweep claims messages as: one claimant per invocation (Lambda's retries of it keep the id). */
export function sweeperClaimant(requestId: string): string {
  return `sweeper:${requestId}`;
}

/** Not every incident could be flushed: the invocation counts as an error, the next sweep retries. */
export class SweepFailedError extends Error {
  override readonly name = 'SweepFailedError';
}

/**
 * Flushes every open incident holding a message that is unclaimed or whose claim ran out, oldest
 * message first, as `claimant`. Claims keep two senders off one message: a sender within its lease
 * is left alone, and a sweep overlapping another (or Notify) never sends a message twice.
 */
export async function sweepOutbox(claimant: string, deps: FlushDeps): Promise<Swept> {
  const lease = deps.leaseMs ?? CLAIM_LEASE_MS;
  // A change that changes nothing: one consistent read of the open incidents, no write.
  const due = await deps.incidents.mutate((doc) => ({
    doc,
    result: sweepableIncidents(doc, deps.now(), lease),
    touched: [],
  }));
  const sent: string[] = [];
  const failed: { incidentId: string; error: string }[] = [];
  for (const { incidentId } of due) {
    try {
      sent.push(...(await flushIncident(incidentId, claimant, { ...deps, leaseMs: lease })));
    } catch (err) {
      failed.push({ incidentId, error: err instanceof Error ? `${err.name}: ${err.message}` : String(err) });
    }
  }
  return { incidents: due.length, sent, failed };
}

// The composition root (wiring/sweep-outbox.ts) is loaded on first use: importing this module for its
// logic loads no AWS client.
const dependencies = coldStart(async () => (await import('./wiring/sweep-outbox.ts')).sweepOutboxDeps());
// Inside Lambda, build during init: a missing variable fails the cold start naming it.
if (inLambda()) await dependencies();

// The scheduled event carries nothing the sweep needs. The request id names the claimant: Lambda's
// retries of an asynchronous invocation keep it, so a retry goes on with the messages it claimed.
export const handler = instrumented<unknown, Swept>().handler(async (_event, context) => {
  const swept = await sweepOutbox(sweeperClaimant(context.awsRequestId), await dependencies());
  for (const f of swept.failed) logger.error('incident outbox not flushed; the next sweep tries again', f);
  metrics.addMetric('SweptNotificationsSent', MetricUnit.Count, swept.sent.length);
  metrics.addMetric('SweepIncidentsFailed', MetricUnit.Count, swept.failed.length);
  logger.info(swept.incidents === 0 ? 'no message waiting' : 'outbox swept', {
    incidents: swept.incidents,
    sentCount: swept.sent.length,
    sent: swept.sent,
    failedCount: swept.failed.length,
  });
  if (swept.failed.length > 0) {
    throw new SweepFailedError(
      `${swept.failed.length} of ${swept.incidents} incident outboxes not flushed: ${swept.failed.map((f) => f.incidentId).join(', ')}`,
    );
  }
  return swept;
});
