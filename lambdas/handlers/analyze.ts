// Analyze: the stored graph snapshot through the pure engine into a Finding, kept in the store
// by key; the key facts travel on. A graph without the alarmed service gives a NO_DATA finding.

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { SnapshotStore } from '../adapters/ports.ts';
import { analyze, ENGINE_VERSION } from '../core/analyze.ts';
import type { AnalysisConfig } from '../core/config.ts';
import { GraphInputError, UnknownServiceError } from '../core/errors.ts';
import { type AnalysisEvidence, DEFAULT_EVIDENCE_CONFIG } from '../core/evidence/blend.ts';
import { parseLookupEvents } from '../core/evidence/change-events.ts';
import { EvidenceInputError, isObj } from '../core/evidence/fields.ts';
import { readTraceDocuments } from '../core/evidence/trace-detail.ts';
import { parseTraceSummaries } from '../core/evidence/trace-summaries.ts';
import type { Finding, GraphSnapshot, Trigger } from '../core/model.ts';
import { parseSnapshot } from '../core/parse.ts';
import { hasService } from '../core/service-lookup.ts';
import { coldStart, inLambda } from './cold-start.ts';
import {
  type Analyzed,
  type Enriched,
  EnrichedSchema,
  findingKeyFor,
  type WatchedService,
} from './contracts.ts';
import { parseInput } from './errors.ts';
import { notInGraphFinding } from './not-in-graph.ts';
import { instrumented, logger, metrics } from './observability.ts';

export interface AnalyzeDeps {
  readonly snapshotStore: SnapshotStore;
  readonly watched: readonly WatchedService[];
  /** Told when the stored evidence cannot be read and the analysis goes on with the graph alone. */
  readonly onEvidenceUnreadable?: (error: unknown) => void;
}

export async function analyzeIncident(input: unknown, deps: AnalyzeDeps): Promise<Analyzed> {
  const enriched = parseInput(EnrichedSchema, input, 'Analyze input');
  const text = await deps.snapshotStore.get(enriched.snapshotKey);
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new GraphInputError(enriched.snapshotKey, 'the stored snapshot is not valid JSON');
  }
  const evidence =
    enriched.evidenceKey === undefined ? undefined : await readEvidence(enriched.evidenceKey, deps);
  const finding = findingFor(parseSnapshot(json), enriched, deps.watched, evidence);
  const findingKey = findingKeyFor(enriched.analysisId);
  await deps.snapshotStore.put(findingKey, JSON.stringify(finding));
  return {
    analysisId: finding.analysisId,
    service: enriched.service,
    findingKey,
    status: finding.status,
    rootCause: finding.rootCauses[0]?.service ?? null,
    ...(enriched.alarm !== undefined ? { alarm: enriched.alarm } : {}),
  };
}

/**
 * The engine scoped to the alarmed service. When the graph does not contain that service (X-Ray
 * saw no trace of it in the window, or knows it by another name) nothing is analyzed: the finding
 * is NO_DATA and says so (not-in-graph.ts). A whole-graph finding would show whoever may read this
 * service's findings every service and root cause of the account.
 */
export function findingFor(
  snapshot: GraphSnapshot,
  req: Enriched,
  watched: readonly WatchedService[],
  evidence?: AnalysisEvidence,
): Finding {
  const trigger = toTrigger(req.trigger);
  const refused = () =>
    notInGraphFinding(snapshot, req.service, {
      analysisId: req.analysisId,
      trigger,
      engineVersion: ENGINE_VERSION,
    });
  if (!hasService(snapshot.incident, req.service)) return refused();
  try {
    return analyze(snapshot, {
      analysisId: req.analysisId,
      trigger,
      config: thresholdsOf(watched.find((w) => w.name === req.service)),
      metrics: req.metrics,
      ...(evidence ? { evidence } : {}),
      service: req.service,
    });
  } catch (err) {
    if (err instanceof UnknownServiceError) return refused();
    throw err;
  }
}

/**
 * CollectEvidence's document (see collect-evidence.ts) as the engine's evidence. Evidence only adds
 * to the graph: a document that cannot be read is reported and the graph is analyzed alone.
 */
export async function readEvidence(key: string, deps: AnalyzeDeps): Promise<AnalysisEvidence | undefined> {
  try {
    const doc: unknown = JSON.parse(await deps.snapshotStore.get(key));
    if (!isObj(doc)) throw new EvidenceInputError(key, 'the stored evidence is not an object');
    if (doc.exemplarTraces !== undefined) readTraceDocuments(doc.exemplarTraces);
    return {
      ...(doc.traces !== undefined ? { traces: parseTraceSummaries(doc.traces) } : {}),
      ...(doc.changes !== undefined ? { changes: parseLookupEvents(doc.changes) } : {}),
      ...(doc.exemplarTraces !== undefined ? { exemplarTraces: doc.exemplarTraces } : {}),
      ...(isObj(doc.serviceMapping)
        ? { serviceMapping: doc.serviceMapping as Record<string, readonly string[]> }
        : {}),
      ...(typeof doc.region === 'string' ? { region: doc.region } : {}),
      ...changeWindowOf(doc.changeLookbackMinutes),
    };
  } catch (err) {
    if (!(err instanceof EvidenceInputError || err instanceof SyntaxError)) throw err;
    deps.onEvidenceUnreadable?.(err);
    return undefined;
  }
}

/** The changes count over the lookback they were read with (cdk.json `changeLookbackMinutes`). */
function changeWindowOf(minutes: unknown): Pick<AnalysisEvidence, 'config'> {
  if (typeof minutes !== 'number' || !Number.isFinite(minutes) || minutes <= 0) return {};
  return {
    config: {
      changeLookbackMinutes: minutes,
      changeFullMinutes: Math.min(DEFAULT_EVIDENCE_CONFIG.changeFullMinutes, minutes),
    },
  };
}

function toTrigger(t: Enriched['trigger']): Trigger {
  return {
    source: t.source,
    ...(t.service !== undefined ? { service: t.service } : {}),
    ...(t.alarmName !== undefined ? { alarmName: t.alarmName } : {}),
  };
}

/** The watched service's own thresholds override the engine's defaults. */
function thresholdsOf(w: WatchedService | undefined): Partial<AnalysisConfig> {
  return {
    ...(w?.faultRate !== undefined ? { faultRate: w.faultRate } : {}),
    ...(w?.p99Seconds !== undefined ? { p99Seconds: w.p99Seconds } : {}),
  };
}

const STATUS_METRIC = {
  COMPLETED: 'FindingCompleted',
  NO_DATA: 'FindingNoData',
  FAILED: 'FindingFailed',
} as const;

// The composition root (wiring/analyze.ts) is loaded on first use: importing this module for its logic
// loads no AWS client.
const dependencies = coldStart(async () => (await import('./wiring/analyze.ts')).analyzeDeps());
// Inside Lambda, build during init: a missing variable fails the cold start naming it.
if (inLambda()) await dependencies();

export const handler = instrumented<unknown, Analyzed>().handler(async (event) => {
  const analyzed = await analyzeIncident(event, await dependencies());
  logger.info('analysis done', {
    analysisId: analyzed.analysisId,
    status: analyzed.status,
    rootCause: analyzed.rootCause,
  });
  metrics.addMetric(STATUS_METRIC[analyzed.status], MetricUnit.Count, 1);
  return analyzed;
});
