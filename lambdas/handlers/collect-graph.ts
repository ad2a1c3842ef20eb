// CollectGraph: the X-Ray service graph of the incident window and of the baseline window, stored
// as one snapshot by key — graphs of any size travel between states as a few bytes.

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { GraphSource, SnapshotWriter, TimeRange } from '../adapters/ports.ts';
import { coldStart, inLambda } from './cold-start.ts';
import { AnalysisRequestSchema, type Collected, snapshotKeyFor, type Window } from './contracts.ts';
import { parseInput } from './errors.ts';
import { instrumented, logger, metrics } from './observability.ts';

export interface CollectGraphDeps {
  readonly graphSource: GraphSource;
  readonly snapshotStore: SnapshotWriter;
}

export async function collectGraph(input: unknown, deps: CollectGraphDeps): Promise<Collected> {
  const request = parseInput(AnalysisRequestSchema, input, 'CollectGraph input');
  const [incident, baseline] = await Promise.all([
    deps.graphSource.getServiceGraph(rangeOf(request.window), request.groupName),
    deps.graphSource.getServiceGraph(rangeOf(request.baseline), request.groupName),
  ]);
  const snapshotKey = snapshotKeyFor(request.analysisId);
  await deps.snapshotStore.put(snapshotKey, JSON.stringify({ incident, baseline }));
  return { ...request, snapshotKey, serviceCount: incident.Services.length };
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
