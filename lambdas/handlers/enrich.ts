// Enrich: the average CPU of each watched service that names a CPU metric, over the incident
// window. One number per service, so the payload stays small however many services there are.

import type { MetricQuery, MetricsSource } from '../adapters/ports.ts';
import { coldStart, inLambda } from './cold-start.ts';
import { CollectedSchema, type Enriched, type WatchedService } from './contracts.ts';
import { parseInput } from './errors.ts';
import { instrumented, logger } from './observability.ts';

export interface EnrichDeps {
  readonly metricsSource: MetricsSource;
  readonly watched: readonly WatchedService[];
  /** Told when CloudWatch failed and the analysis goes on without metrics. */
  readonly onMetricsUnavailable?: (error: unknown) => void;
}

/** Errors Step Functions retries (its Retry lists them); everything else is not worth failing for. */
const RETRIED = new Set(['ThrottlingException', 'ThrottledException', 'TooManyRequestsException']);

/** One-minute averages: the finest standard resolution, so short windows still get datapoints. */
const PERIOD_SECONDS = 60;

export async function enrich(input: unknown, deps: EnrichDeps): Promise<Enriched> {
  const collected = parseInput(CollectedSchema, input, 'Enrich input');
  const withCpu = deps.watched.filter((w) => w.cpuMetric !== undefined);
  if (withCpu.length === 0) return { ...collected, metrics: {} };

  const queries: MetricQuery[] = withCpu.map((w, i) => {
    const cpu = w.cpuMetric as NonNullable<WatchedService['cpuMetric']>;
    return {
      id: `cpu${i}`,
      namespace: cpu.namespace,
      metricName: cpu.metricName,
      dimensions: cpu.dimensions,
      stat: 'Average',
      periodSeconds: PERIOD_SECONDS,
    };
  });
  let results: Awaited<ReturnType<MetricsSource['getMetrics']>>;
  try {
    results = await deps.metricsSource.getMetrics(queries, {
      start: new Date(collected.window.start),
      end: new Date(collected.window.end),
    });
  } catch (err) {
    // Metrics only add to the graph: a denied or broken metric must not cost the whole analysis.
    if (RETRIED.has((err as { name?: string }).name ?? '')) throw err;
    deps.onMetricsUnavailable?.(err);
    return { ...collected, metrics: {} };
  }
  const byId = new Map(results.map((r) => [r.id, r.values]));
  const out: Enriched['metrics'] = {};
  withCpu.forEach((w, i) => {
    const values = (byId.get(`cpu${i}`) ?? []).filter(Number.isFinite);
    // Equal-length periods: the mean of the per-minute averages is the window's average.
    out[w.name] =
      values.length > 0 ? { cpuPercent: round2(values.reduce((a, b) => a + b, 0) / values.length) } : {};
  });
  return { ...collected, metrics: out };
}

const round2 = (x: number): number => Math.round(x * 100) / 100;

// The composition root (wiring/enrich.ts) is loaded on first use: importing this module for its logic
// loads no AWS client.
const dependencies = coldStart(async () => (await import('./wiring/enrich.ts')).enrichDeps());
// Inside Lambda, build during init: a missing variable fails the cold start naming it.
if (inLambda()) await dependencies();

export const handler = instrumented<unknown, Enriched>().handler(async (event) => {
  const enriched = await enrich(event, await dependencies());
  logger.info('metrics read', {
    analysisId: enriched.analysisId,
    services: Object.keys(enriched.metrics).length,
  });
  return enriched;
});
