// A topology read from a user's exported service graph: services and calls as X-Ray saw them,
// traffic from its counts (users' requests per entry point, calls per request per edge), each
// service's own time from its latency minus the time it waited for its callees, its background
// error rates, and how much of its callees' failures it passed on. Retries and timeouts are not
// visible in a service graph: the defaults apply unless given on the command line.

import type { GraphNode, RequestStats, ServiceGraph } from '../core/model.ts';
import { parseSnapshot } from '../core/parse.ts';
import { quantile } from '../core/stats.ts';
import { SimulationInputError } from './errors.ts';
import type { CallSpec, ServiceSpec, TopologySpec } from './topology.ts';
import { CALL_DEFAULTS } from './topology.ts';

export interface GraphTopology {
  readonly spec: TopologySpec;
  /** Which window of the export the topology comes from. */
  readonly window: 'baseline' | 'incident' | 'graph';
  readonly seconds: number;
}

/** Below this many failed calls the pass-on share is not estimated from the data. */
const MIN_FAILURES_FOR_PASS_ON = 100;
/** Assumed window length when the export has no StartTime/EndTime. */
const DEFAULT_SECONDS = 3600;

/** `json` is what `aws xray get-service-graph` printed, a list of its pages, or a snapshot (the baseline is used). */
export function topologyFromGraph(json: unknown, name: string): GraphTopology {
  const snap = parseSnapshot(json);
  const graph = snap.baseline ?? snap.incident;
  const which = snap.baseline ? 'baseline' : isSnapshot(json) ? 'incident' : 'graph';
  const w = graph.window;
  const seconds = w ? Math.max(1, (Date.parse(w.end) - Date.parse(w.start)) / 1000) : DEFAULT_SECONDS;
  return {
    spec: specFrom(graph, name, seconds, passOnEvidence([snap.incident, snap.baseline])),
    window: which,
    seconds,
  };
}

/**
 * Per service key, the failed calls it saw on its synchronous edges and its own 5xx, from the window
 * with the most failed calls: an incident shows how much of its callees' failures a service passes on.
 */
function passOnEvidence(
  windows: readonly (ServiceGraph | undefined)[],
): Map<string, { faults: number; failures: number }> {
  const out = new Map<string, { faults: number; failures: number }>();
  for (const g of windows) {
    if (!g) continue;
    for (const nd of g.nodes) {
      if (nd.isClient || !nd.stats) continue;
      const failures = nd.edges
        .filter((e) => !e.async)
        .reduce((a, e) => a + (e.stats?.faults ?? 0) + (e.stats?.throttles ?? 0), 0);
      const prior = out.get(nd.key);
      if (!prior || failures > prior.failures) out.set(nd.key, { faults: nd.stats.faults, failures });
    }
  }
  return out;
}

function isSnapshot(json: unknown): boolean {
  return typeof json === 'object' && json !== null && !Array.isArray(json) && 'incident' in json;
}

function specFrom(
  graph: ServiceGraph,
  name: string,
  seconds: number,
  evidence: ReadonlyMap<string, { faults: number; failures: number }>,
): TopologySpec {
  const nodes = graph.nodes;
  const keep = nodes.map((nd) => !nd.isClient && (nd.stats?.total ?? 0) > 0);
  // Same name with several types (AWS::Lambda and AWS::Lambda::Function): label them apart.
  const nameCount = new Map<string, number>();
  nodes.forEach((nd, i) => {
    if (keep[i]) nameCount.set(nd.name, (nameCount.get(nd.name) ?? 0) + 1);
  });
  const seenKey = new Set<string>();
  nodes.forEach((nd, i) => {
    if (!keep[i]) return;
    if (seenKey.has(nd.key.split('|').slice(0, 2).join('|'))) keep[i] = false;
    seenKey.add(nd.key.split('|').slice(0, 2).join('|'));
  });
  const label = (nd: GraphNode) => ((nameCount.get(nd.name) ?? 0) > 1 ? `${nd.name} [${nd.type}]` : nd.name);

  const fromServices = new Float64Array(nodes.length);
  const fromClients = new Uint8Array(nodes.length);
  nodes.forEach((nd, i) => {
    for (const e of nd.edges) {
      if (nd.isClient) fromClients[e.to] = 1;
      else if (keep[i]) fromServices[e.to] = (fromServices[e.to] ?? 0) + (e.stats?.total ?? 0);
    }
  });

  const services: ServiceSpec[] = [];
  nodes.forEach((nd, i) => {
    if (!keep[i]) return;
    const s = nd.stats as RequestStats;
    const syncEdges = nd.edges.filter((e) => keep[e.to] && !e.async && (e.stats?.total ?? 0) > 0);
    const edgeFailures = syncEdges.reduce(
      (a, e) => a + (e.stats?.faults ?? 0) + (e.stats?.throttles ?? 0),
      0,
    );
    const seen = evidence.get(nd.key);
    const passOn =
      seen && seen.failures >= MIN_FAILURES_FOR_PASS_ON
        ? clamp(seen.faults / seen.failures, 0, 1)
        : CALL_DEFAULTS.passOn;
    const calls: CallSpec[] = [];
    for (const e of nd.edges) {
      const callee = nodes[e.to] as GraphNode;
      if (!keep[e.to]) continue;
      if (e.async) {
        const perRequest = (callee.stats?.total ?? 0) / s.total;
        if (perRequest > 0) calls.push({ to: label(callee), perRequest: round(perRequest), async: true });
        continue;
      }
      const n = e.stats?.total ?? 0;
      if (n <= 0) continue;
      calls.push({ to: label(callee), perRequest: round(n / s.total), passOn: round(passOn) });
    }
    const mean = s.totalTime / s.total;
    const waits = syncEdges.reduce((a, e) => a + (e.stats?.totalTime ?? 0), 0) / s.total;
    const own = nd.inferred ? mean : Math.max(0.1 * mean, mean - waits);
    const p50 = s.histogram.values.length > 0 ? quantile(s.histogram, 0.5) : 0;
    const p99 = s.histogram.values.length > 0 ? quantile(s.histogram, 0.99) : 0;
    const ratio = p50 > 0 && p99 > 0 ? clamp(p99 / p50, 1.5, 30) : 4;
    // Lognormal with this p99/p50 ratio and the own mean.
    const sigma = Math.log(ratio) / 2.3263478740408408;
    const median = Math.max(1e-5, own / Math.exp((sigma * sigma) / 2));
    const ownFaults = nd.inferred ? s.faults : Math.max(0, s.faults - passOn * edgeFailures);
    const users =
      fromClients[i] || nd.root || fromServices[i] === 0 ? Math.max(0, s.total - (fromServices[i] ?? 0)) : 0;
    services.push({
      name: nd.name,
      type: nd.type,
      latency: { median: round(median), p99: round(median * ratio) },
      noise: {
        faults: round(clamp(ownFaults / s.total, 0, 0.3)),
        errors: round(clamp(s.errors / s.total, 0, 0.3)),
        throttles: round(clamp(s.throttles / s.total, 0, 0.3)),
      },
      ...(users > 0 && !nd.inferred ? { entry: users / seconds } : {}),
      ...(calls.length > 0 ? { calls } : {}),
    });
  });
  if (services.length === 0)
    throw new SimulationInputError('the graph has no service with requests to simulate');
  let traffic = services.reduce((a, s) => a + (s.entry ?? 0), 0);
  if (traffic <= 0) {
    throw new SimulationInputError(
      'the graph shows no users calling any service (no client node, Root service or uncalled service with requests)',
    );
  }
  traffic = round(traffic);
  return {
    name,
    description: `the services, calls and traffic of ${name}`,
    traffic,
    services,
  };
}

const clamp = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x));
const round = (x: number) => Math.round(x * 1e6) / 1e6;
