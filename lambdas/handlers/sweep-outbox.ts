// SweepOutbox, on a schedule: the outboxes nobody is working on. It sends the incident messages no
// live sender holds — decided but never claimed, or claimed by a sender that died (Lambda crash or
// timeout) longer than the lease ago — and the messages of findings no alarm started (API analyses)
// whose Notify never marked them sent; and it closes incidents idle past `incidentMaxIdleHours`,
// keeping any message they still have to send. It reads the work from the table's sparse `sweep`
// index, so a run costs what there is to do. One item that fails does not stop the others; the run
// then fails so that its errors alarm fires, and the next run tries again.

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { OutboxSweepList } from '../adapters/outbox-sweep-list.ts';
import type { FindingLookup, FindingsOutbox } from '../adapters/ports.ts';
import { CLAIM_LEASE_MS } from '../core/incidents/model.ts';
import { coldStart, inLambda } from './cold-start.ts';
import { reportPathFor } from './contracts.ts';
import { expireIfIdle, type FlushDeps, flushIncident } from './incidents.ts';
import { instrumented, logger, metrics } from './observability.ts';

export interface SweepDeps extends FlushDeps {
  /** What there is to sweep (the `sweep` index). */
  readonly work: OutboxSweepList;
  /** The outbox flag of findings no alarm started. */
  readonly findings: FindingLookup & FindingsOutbox;
  /** Most incidents, and most findings, one run visits (the rest wait for the next run). @default 1000 */
  readonly maxItems?: number;
}

export interface Swept {
  /** The incidents that had a message to send when the sweep read them. */
  readonly incidents: number;
  /** The notification ids this sweep sent. */
  readonly sent: readonly string[];
  /** Findings no alarm started whose message this sweep sent (their analysis ids). */
  readonly findingsSent: readonly string[];
  /** Incidents this sweep closed as EXPIRED (idle past `incidentMaxIdleHours`). */
  readonly expired: readonly string[];
  /** Incidents or findings the sweep could not finish (e.g. the finding of a message not stored yet), and why. */
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

const describe = (err: unknown) => (err instanceof Error ? `${err.name}: ${err.message}` : String(err));

/**
 * Flushes every incident whose oldest unsent message is unclaimed or whose claim ran out, oldest
 * message first, as `claimant`; then closes the incidents idle past the limit; then sends the
 * findings no alarm started that are still unsent a lease after they were stored. Claims keep two
 * senders off one message: a sender within its lease is left alone, and a sweep overlapping another
 * (or Notify) never sends an incident message twice.
 */
export async function sweepOutbox(claimant: string, deps: SweepDeps): Promise<Swept> {
  const lease = deps.leaseMs ?? CLAIM_LEASE_MS;
  const max = deps.maxItems ?? 1000;
  const now = deps.now().getTime();
  const rows = await deps.work.incidents(max);
  const due = rows
    .filter(
      (r) =>
        r.pendingAt !== undefined &&
        (r.pendingClaimedAt === undefined || Date.parse(r.pendingClaimedAt) + lease <= now),
    )
    .sort(
      (a, b) =>
        (a.pendingAt ?? '').localeCompare(b.pendingAt ?? '') || a.incidentId.localeCompare(b.incidentId),
    );
  const sent: string[] = [];
  const failed: { incidentId: string; error: string }[] = [];
  for (const { incidentId } of due) {
    try {
      // A sweep waits for no live sender: the next sweep comes back to what one still holds.
      // A pager still down fails this incident's flush, so the run fails and its errors alarm fires.
      const flush = {
        ...deps,
        leaseMs: lease,
        waitForEarlierMs: deps.waitForEarlierMs ?? 0,
        onPagerDown: 'throw' as const,
      };
      sent.push(...(await flushIncident(incidentId, claimant, flush)));
    } catch (err) {
      failed.push({ incidentId, error: describe(err) });
    }
  }
  const idleBefore = now - deps.config.maxIdleHours * 3_600_000;
  const expired: string[] = [];
  for (const r of rows) {
    if (r.status !== 'OPEN' || Date.parse(r.lastActivityAt) >= idleBefore) continue;
    try {
      const closed = await expireIfIdle(r.incidentId, deps);
      if (closed !== undefined) expired.push(closed.incidentId);
    } catch (err) {
      failed.push({ incidentId: r.incidentId, error: describe(err) });
    }
  }
  // A finding's own Notify gets a lease's time to send it before the sweep does.
  const findingsSent: string[] = [];
  for (const { analysisId } of await deps.work.unsentFindings(new Date(now - lease).toISOString(), max)) {
    try {
      if (await deps.findings.isNotified(analysisId)) continue;
      const finding = await deps.findings.get(analysisId);
      if (finding === undefined) continue;
      const { messageId } = await deps.notifier.publish(finding, reportPathFor(analysisId));
      await deps.findings.markNotified(analysisId, messageId);
      findingsSent.push(analysisId);
    } catch (err) {
      failed.push({ incidentId: `analysis ${analysisId}`, error: describe(err) });
    }
  }
  return { incidents: due.length, sent, findingsSent, expired, failed };
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
  metrics.addMetric(
    'SweptNotificationsSent',
    MetricUnit.Count,
    swept.sent.length + swept.findingsSent.length,
  );
  metrics.addMetric('SweptIncidentsExpired', MetricUnit.Count, swept.expired.length);
  metrics.addMetric('SweepIncidentsFailed', MetricUnit.Count, swept.failed.length);
  logger.info(swept.incidents === 0 ? 'no message waiting' : 'outbox swept', {
    incidents: swept.incidents,
    sentCount: swept.sent.length,
    sent: swept.sent,
    findingsSent: swept.findingsSent,
    expired: swept.expired,
    failedCount: swept.failed.length,
  });
  if (swept.failed.length > 0) {
    throw new SweepFailedError(
      `${swept.failed.length} outboxes not swept: ${swept.failed.map((f) => f.incidentId).join(', ')}`,
    );
  }
  return swept;
});
