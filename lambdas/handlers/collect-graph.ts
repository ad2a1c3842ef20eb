// CollectGraph: the X-Ray service graph of the incident window and of the baseline window, stored
// as one snapshot by key — graphs of any size travel between states as a few bytes. When a service
// was in an outage in the baseline window (a flapping alarm, an earlier incident not over), the
// same hours a day earlier are read too and kept instead if they heal it (core/baseline-choice.ts);
// the snapshot then says so in `baselineNote`, which the finding carries.

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { GraphSource, ServiceGraphDocument, SnapshotWriter, TimeRange } from '../adapters/ports.ts';
import { EARLIER_BASELINE_HOURS, healedBy, servicesInOutage, windowCounts } from '../core/baseline-choice.ts';
import { coldStart, inLambda } from './cold-start.ts';
import {
  type AnalysisRequest,
  AnalysisRequestSchema,
  type Collected,
  snapshotKeyFor,
  type Window,
} from './contracts.ts';
import { parseInput } from './errors.ts';
import { instrumented, logger, metrics } from './observability.ts';

export interface CollectGraphDeps {
  readonly graphSource: GraphSource;
  readonly snapshotStore: SnapshotWriter;
}

export async function collectGraph(input: unknown, deps: CollectGraphDeps): Promise<Collected> {
  const request = parseInput(AnalysisRequestSchema, input, 'CollectGraph input');
  const [incident, first] = await Promise.all([
    deps.graphSource.getServiceGraph(rangeOf(request.window), request.groupName),
    deps.graphSource.getServiceGraph(rangeOf(request.baseline), request.groupName),
  ]);
  const { baseline, baselineNote } = await chooseBaseline(request, first, deps);
  const snapshotKey = snapshotKeyFor(request.analysisId);
  await deps.snapshotStore.put(
    snapshotKey,
    JSON.stringify({ incident, baseline, ...(baselineNote ? { baselineNote } : {}) }),
  );
  return { ...request, snapshotKey, serviceCount: incident.Services.length };
}

const HOUR_MS = 3_600_000;

/**
 * The baseline window's graph, or the same hours a day earlier when that heals an outage the
 * baseline window caught. A day-earlier read that fails leaves the baseline as it was, with a
 * warning; anything malformed in either is left for the analysis to name.
 */
async function chooseBaseline(
  request: AnalysisRequest,
  first: ServiceGraphDocument,
  deps: CollectGraphDeps,
): Promise<{ baseline: ServiceGraphDocument; baselineNote?: string }> {
  const keep = { baseline: first };
  const counts = windowCounts(first);
  if (servicesInOutage(counts).size === 0) return keep;
  const shift = EARLIER_BASELINE_HOURS * HOUR_MS;
  const range = {
    start: new Date(Date.parse(request.baseline.start) - shift),
    end: new Date(Date.parse(request.baseline.end) - shift),
  };
  let earlier: ServiceGraphDocument;
  let healed: string[];
  try {
    earlier = await deps.graphSource.getServiceGraph(range, request.groupName);
    healed = healedBy(counts, windowCounts(earlier));
  } catch (error) {
    logger.warn('the baseline caught an outage and the same hours a day earlier could not be read', {
      analysisId: request.analysisId,
      error,
    });
    return keep;
  }
  if (healed.length === 0) return keep;
  metrics.addMetric('BaselineMovedBack', MetricUnit.Count, 1);
  const who =
    healed.length === 1 ? healed[0] : `${healed.length} services (${healed.slice(0, 3).join(', ')})`;
  const span = `${range.start.toISOString().slice(0, 16).replace('T', ' ')} to ${range.end.toISOString().slice(11, 16)} UTC`;
  return {
    baseline: earlier,
    baselineNote: `The baseline is the same hours a day earlier (${span}): in the window right before the incident, ${who} failed at least half of ${healed.length === 1 ? 'its' : 'their'} requests — an outage, not ${healed.length === 1 ? 'its' : 'their'} normal.`,
  };
}

function rangeOf(w: Window): TimeRange {
  return { start: new Date(w.start), end: new Date(w.end) };
}

// The composition root (wiring/collect-graph.ts) is loaded on first use: importing this module for its logic
// loads no AWS client.
const dependencies = coldStart(async () => (await import('./wiring/collect-graph.ts')).collectGraphDeps());
// Inside Lambda, build during init: a missing variable fails the cold start naming it.
if (inLambda()) await dependencies();

export const handler = instrumented<unknown, Collected>().handler(async (event) => {
  const collected = await collectGraph(event, await dependencies());
  logger.info('graph collected', {
    analysisId: collected.analysisId,
    serviceCount: collected.serviceCount,
  });
  metrics.addMetric('GraphServices', MetricUnit.Count, collected.serviceCount);
  return collected;
});
