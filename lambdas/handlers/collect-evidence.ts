// CollectEvidence: what X-Ray's traces and CloudTrail say besides the graph — the alarmed
// service's faulty and slow trace summaries (one exemplar in full) and the changes to running
// services from the hour before the window — stored as one document by key for Analyze. Evidence
// only adds to the graph: a source that fails is logged and left out, never fatal.

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ChangeSource, SnapshotWriter, TraceSource } from '../adapters/ports.ts';
import { DEFAULT_CONFIG } from '../core/config.ts';
import { parseTraceSummaries, voteByService } from '../core/evidence/trace-summaries.ts';
import { coldStart, inLambda } from './cold-start.ts';
import { type Collected, CollectedSchema, evidenceKeyFor } from './contracts.ts';
import type { EvidenceSettings } from './env.ts';
import { parseInput } from './errors.ts';
import { instrumented, metrics } from './observability.ts';

export interface CollectEvidenceDeps extends EvidenceSettings {
  readonly traceSource: TraceSource;
  readonly changeSource: ChangeSource;
  readonly snapshotStore: SnapshotWriter;
  /** For console links to exemplar traces. */
  readonly region?: string;
  /** Told when a source failed and the analysis goes on without it. */
  readonly onUnavailable?: (source: 'traces' | 'changes' | 'exemplar', error: unknown) => void;
  /** Told what was read, for the logs. */
  readonly onCollected?: (summary: EvidenceSummary) => void;
}

export interface EvidenceSummary {
  readonly analysisId: string;
  readonly traces: number | null;
  readonly traceCalls: number;
  readonly changes: number | null;
  readonly changeCalls: number;
  readonly truncated: boolean;
}

/** The stored evidence document: what `analyze` turns into `AnalysisEvidence`. */
export interface EvidenceDocument {
  readonly traces?: unknown;
  readonly exemplarTraces?: unknown;
  readonly changes?: unknown;
  /** How far before the window's start the changes were read: older ones count for nothing. */
  readonly changeLookbackMinutes?: number;
  readonly serviceMapping: Readonly<Record<string, readonly string[]>>;
  readonly region?: string;
}

export async function collectEvidence(input: unknown, deps: CollectEvidenceDeps): Promise<Collected> {
  const request = parseInput(CollectedSchema, input, 'CollectEvidence input');
  const window = { start: new Date(request.window.start), end: new Date(request.window.end) };
  const slow = deps.watched.find((w) => w.name === request.service)?.p99Seconds ?? DEFAULT_CONFIG.p99Seconds;
  const attempt = async <T>(source: 'traces' | 'changes' | 'exemplar', read: () => Promise<T>) => {
    try {
      return await read();
    } catch (err) {
      deps.onUnavailable?.(source, err);
      return undefined;
    }
  };
  const [traces, changes] = await Promise.all([
    deps.traceEvidence
      ? attempt('traces', () =>
          deps.traceSource.getTraceSummaries({
            range: window,
            service: request.service,
            slowerThanSeconds: slow,
          }),
        )
      : undefined,
    deps.changeLookbackMinutes > 0
      ? attempt('changes', () =>
          deps.changeSource.lookupChanges({
            start: new Date(window.start.getTime() - deps.changeLookbackMinutes * 60_000),
            end: window.end,
          }),
        )
      : undefined,
  ]);
  // One exemplar in full: the first of the service X-Ray blames most.
  const top = traces ? voteByService(parseTraceSummaries(traces).summaries).services[0] : undefined;
  const exemplarId = top?.exemplars[0];
  const exemplarTraces =
    exemplarId === undefined
      ? undefined
      : await attempt('exemplar', () => deps.traceSource.getTraces([exemplarId]));
  if (traces === undefined && changes === undefined) return request;
  const doc: EvidenceDocument = {
    ...(traces ? { traces } : {}),
    ...(exemplarTraces ? { exemplarTraces } : {}),
    ...(changes ? { changes, changeLookbackMinutes: deps.changeLookbackMinutes } : {}),
    serviceMapping: deps.serviceMapping,
    ...(deps.region ? { region: deps.region } : {}),
  };
  const evidenceKey = evidenceKeyFor(request.analysisId);
  await deps.snapshotStore.put(evidenceKey, JSON.stringify(doc));
  deps.onCollected?.({
    analysisId: request.analysisId,
    traces: traces?.TraceSummaries.length ?? null,
    traceCalls: traces?.calls ?? 0,
    changes: changes?.Events.length ?? null,
    changeCalls: changes?.calls ?? 0,
    truncated: Boolean(traces?.truncated || changes?.truncated),
  });
  return { ...request, evidenceKey };
}

// The composition root (wiring/collect-evidence.ts) is loaded on first use: importing this module for its
// logic loads no AWS client.
const dependencies = coldStart(async () =>
  (await import('./wiring/collect-evidence.ts')).collectEvidenceDeps(),
);
// Inside Lambda, build during init: a missing variable fails the cold start naming it.
if (inLambda()) await dependencies();

export const handler = instrumented<unknown, Collected>().handler(async (event) => {
  const collected = await collectEvidence(event, await dependencies());
  metrics.addMetric('EvidenceStored', MetricUnit.Count, collected.evidenceKey ? 1 : 0);
  return collected;
});
