// Store: the finding into DynamoDB, once per analysisId. A second delivery of the same alarm finds
// it already there ('exists') and is a success, not an error, and the S3 copy is rewritten to the
// stored finding. A result supersedes a FAILED finding ('superseded').
//
// Why no Powertools idempotency here (or in any step): the analysisId is derived from the alarm's
// ARN and the time it went to ALARM, so a duplicate event yields the same id, and the conditional
// put below is the one place that decides which delivery wins. Messages are decided once, in the
// incident's outbox (Correlate), and sent once per decision. The other steps only read, or
// overwrite their own keys (snapshots/<id>, findings/<id>), so repeating them is harmless. An
// idempotency table would add a second store, a write and a lock per invocation, and still could
// not dedupe two executions as well as this put does (docs/decisions/0001).

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { FeedbackWriter } from '../adapters/feedback-store.ts';
import { findingTime } from '../adapters/findings-table-schema.ts';
import type { PastFindingsLookup } from '../adapters/past-findings.ts';
import type { FindingLookup, FindingsWriter, SnapshotStore } from '../adapters/ports.ts';
import type { Finding } from '../core/model.ts';
import { DEFAULT_SEEN_BEFORE_DAYS, pickSeenBefore } from '../core/seen-before.ts';
import { coldStart, inLambda } from './cold-start.ts';
import { AnalyzedSchema, type Stored } from './contracts.ts';
import { parseInput } from './errors.ts';
import { loadFinding } from './finding-io.ts';
import { instrumented, logger, metrics } from './observability.ts';

export interface StoreDeps {
  /** Reads Analyze's finding; rewrites it when the table keeps an earlier one. */
  readonly snapshotStore: SnapshotStore;
  readonly repository: FindingsWriter & FindingLookup;
  /**
   * Issue 21: past findings this one may look like ("seen before", within `seenBeforeDays`), and the
   * verdict record opened for a finding that names a root cause. Without them, neither happens.
   */
  readonly history?: {
    readonly past: PastFindingsLookup;
    readonly feedback: Pick<FeedbackWriter, 'open'>;
    /** @default DEFAULT_SEEN_BEFORE_DAYS */
    readonly seenBeforeDays?: number;
    /** @default () => new Date() */
    readonly now?: () => Date;
  };
}

export async function storeFinding(input: unknown, deps: StoreDeps): Promise<Stored> {
  const analyzed = parseInput(AnalyzedSchema, input, 'Store input');
  const analyzedFinding = await loadFinding(deps.snapshotStore, analyzed.findingKey, analyzed.analysisId);
  const finding = await withSeenBefore(analyzedFinding, deps);
  if (finding !== analyzedFinding) {
    // Notify reads the finding from S3: it says "seen before" there too.
    await deps.snapshotStore.put(analyzed.findingKey, JSON.stringify(finding));
  }
  const stored = await deps.repository.put(finding);
  await deps.history?.feedback.open(finding);
  if (stored === 'exists') {
    // This run's result lost to the one stored before: the S3 copy shows what the table holds.
    const kept = await deps.repository.get(analyzed.analysisId);
    if (kept !== undefined) {
      await deps.snapshotStore.put(analyzed.findingKey, JSON.stringify(kept));
      return { ...analyzed, status: kept.status, rootCause: kept.rootCauses[0]?.service ?? null, stored };
    }
  }
  return { ...analyzed, stored };
}

/**
 * The finding with the past incident it looks like, when there is one (issue 21). Verdicts and past
 * incidents never change the ranking: only this note is added beside it.
 */
async function withSeenBefore(finding: Finding, deps: StoreDeps): Promise<Finding> {
  const h = deps.history;
  const top = finding.rootCauses[0];
  if (h === undefined || top === undefined || finding.status !== 'COMPLETED' || finding.seenBefore) {
    return finding;
  }
  const now = (h.now ?? (() => new Date()))();
  const at = findingTime(finding, now);
  const days = h.seenBeforeDays ?? DEFAULT_SEEN_BEFORE_DAYS;
  const service = finding.trigger.service ?? top.service;
  const past = await h.past.find({
    rootCause: top.service,
    service,
    from: new Date(Date.parse(at) - days * 86_400_000).toISOString(),
    to: at,
  });
  const seen = pickSeenBefore(
    {
      analysisId: finding.analysisId,
      at,
      service,
      rootCause: top.service,
      cascade: finding.services.filter((s) => s.role !== 'healthy').map((s) => s.service),
    },
    past,
  );
  return seen === undefined ? finding : { ...finding, seenBefore: seen };
}

// The composition root (wiring/store.ts) is loaded on first use: importing this module for its logic
// loads no AWS client.
const dependencies = coldStart(async () => (await import('./wiring/store.ts')).storeDeps());
// Inside Lambda, build during init: a missing variable fails the cold start naming it.
if (inLambda()) await dependencies();

export const handler = instrumented<unknown, Stored>().handler(async (event) => {
  const stored = await storeFinding(event, await dependencies());
  logger.info('finding stored', { analysisId: stored.analysisId, stored: stored.stored });
  metrics.addMetric(stored.stored === 'exists' ? 'DuplicateAnalysis' : 'FindingCreated', MetricUnit.Count, 1);
  return stored;
});
