// Synthetic service graphs for benchmarks: a layered DAG of N services with one faulty shared back
// end in the incident window whose faults propagate up to the entry points. Deterministic: the same
// (services, seed) always gives the same bytes.

import type {
  CalleeTime,
  EdgeTraffic,
  Latency,
  NodeTraffic,
  ServiceDef,
  WindowDef,
  XRayServiceGraph,
} from './graph-builder.ts';
import { buildServiceGraph, callerLatency, lognormal, mulberry32, shiftLatency } from './graph-builder.ts';

export interface SyntheticSnapshot {
  readonly incident: XRayServiceGraph;
  readonly baseline: XRayServiceGraph;
  /** Name of the faulty back end (unique in the graph). */
  readonly rootCause: string;
  /** Its X-Ray Type. */
  readonly rootCauseType: string;
}

/** Incident: 2026-11-20T03:00Z–03:15Z; baseline: the hour before. Epoch seconds. */
export const SYNTHETIC_INCIDENT_WINDOW = { start: 1795143600, end: 1795144500 } as const;
export const SYNTHETIC_BASELINE_WINDOW = { start: 1795140000, end: 1795143600 } as const;

/** Share of its callees' faults that a service passes on to its own callers. */
const PASS_ON = 0.9;
/** The root cause in the incident window. */
const ROOT_FAULT_RATE = 0.2;
const ROOT_MEDIAN_FACTOR = 2.5;
const ROOT_P99_FACTOR = 6;

type Kind = 'entry' | 'mid' | 'backend';

interface BackendType {
  readonly type: string;
  readonly prefix: string;
  readonly suffix: string;
  readonly median: number;
  readonly p99: number;
  /** Throttle (429) rate ceiling in both windows. */
  readonly throttles: number;
}

const DDB: BackendType = {
  type: 'AWS::DynamoDB::Table',
  prefix: 'ddb-table-',
  suffix: '',
  median: 0.005,
  p99: 0.025,
  throttles: 0.0005,
};
const SQS: BackendType = {
  type: 'AWS::SQS::Queue',
  prefix: 'sqs-queue-',
  suffix: '',
  median: 0.008,
  p99: 0.04,
  throttles: 0,
};
const RDS: BackendType = {
  type: 'Database::SQL',
  prefix: 'rds-db-',
  suffix: '',
  median: 0.004,
  p99: 0.06,
  throttles: 0,
};
const REMOTE: BackendType = {
  type: 'remote',
  prefix: 'api.partner-',
  suffix: '.example.com',
  median: 0.06,
  p99: 0.3,
  throttles: 0.0005,
};
/** Back-end mix: 3/7 DynamoDB tables, 1/7 SQS queues, 2/7 SQL databases, 1/7 external APIs. */
const BACKENDS: readonly BackendType[] = [DDB, DDB, DDB, SQS, RDS, RDS, REMOTE];

interface Topology {
  readonly n: number;
  readonly names: string[];
  readonly kinds: Kind[];
  readonly backend: (BackendType | undefined)[];
  /** Outgoing edges: callee index (always higher than the caller's) and calls per request. */
  readonly outTo: number[][];
  readonly outRatio: number[][];
  /** Incoming edges of each service, in caller order: caller index and slot in its `outTo`. */
  readonly inFrom: number[][];
  readonly inSlot: number[][];
  /** Entry services' request rate (req/s). */
  readonly entryRate: number[];
  /** Self latency (compute services) or full latency (back ends). */
  readonly median: number[];
  readonly p99: number[];
  /** Background 5xx / 4xx rate ceilings per service. */
  readonly faultNoise: number[];
  readonly errorNoise: number[];
  readonly rootCause: number;
}

function pad(i: number): string {
  return String(i).padStart(5, '0');
}

function buildTopology(n: number, seed: number): Topology {
  if (!Number.isSafeInteger(n) || n < 3) throw new RangeError(`services: need a whole number ≥ 3, got ${n}`);
  const rng = mulberry32(seed ^ 0x5eed_70b0);
  const entries = Math.max(1, Math.round(n * 0.05));
  const backends = Math.max(1, Math.round(n * 0.12));
  const mids = n - entries - backends;
  if (mids < 1) throw new RangeError(`services: ${n} is too few for a layered graph`);
  const layers = n < 500 ? 2 : n < 5000 ? 3 : 4;
  // Index ranges: entries, mid layers 1..L (never more layers than mid services), back ends.
  const nLayers = Math.min(layers, mids);
  const layerStart: number[] = [0, entries];
  for (let l = 1; l <= nLayers; l++) layerStart.push(entries + Math.round((mids * l) / nLayers));
  const firstBackend = entries + mids;
  const layerOf = (i: number): number => {
    let l = 0;
    while (l + 1 < layerStart.length && i >= (layerStart[l + 1] ?? n)) l++;
    return l;
  };

  const names: string[] = [];
  const kinds: Kind[] = [];
  const backend: (BackendType | undefined)[] = [];
  const median: number[] = [];
  const p99: number[] = [];
  const faultNoise: number[] = [];
  const errorNoise: number[] = [];
  const entryRate: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i < entries) {
      names.push(`entry-${pad(i)}`);
      kinds.push('entry');
      backend.push(undefined);
      entryRate.push(0.5 * Math.exp(3 * rng())); // 0.5–10 req/s
    } else if (i < firstBackend) {
      names.push(`svc-${pad(i - entries)}`);
      kinds.push('mid');
      backend.push(undefined);
    } else {
      const b = BACKENDS[Math.floor(rng() * BACKENDS.length)] ?? BACKENDS[0];
      if (!b) throw new Error('unreachable');
      names.push(`${b.prefix}${pad(i - firstBackend)}${b.suffix}`);
      kinds.push('backend');
      backend.push(b);
    }
    const b = backend[i];
    const spread = 0.7 + 0.6 * rng(); // per-service latency level
    if (b) {
      median.push(b.median * spread);
      p99.push(b.p99 * spread);
    } else {
      const m = 0.003 + 0.012 * rng(); // self time 3–15 ms
      median.push(m);
      p99.push(m * (2.5 + 2.5 * rng()));
    }
    faultNoise.push(0.001 * rng() * rng()); // own 5xx: mean 0.025 %, at most 0.1 %
    errorNoise.push(0.004 * rng()); // own 4xx: at most 0.4 %
  }

  // Edges. Back ends are picked with a heavy bias towards a few popular ones (fan-in).
  const pickBackend = (): number => firstBackend + Math.min(backends - 1, Math.floor(backends * rng() ** 3));
  const pickLayer = (l: number): number => {
    const a = layerStart[l] ?? 0;
    const b = layerStart[l + 1] ?? a;
    return a + Math.floor(rng() * (b - a));
  };
  const outTo: number[][] = Array.from({ length: n }, () => []);
  const outRatio: number[][] = Array.from({ length: n }, () => []);
  const hasCaller = new Uint8Array(n);
  const addEdge = (from: number, to: number): boolean => {
    const list = outTo[from];
    if (!list || list.includes(to) || to <= from) return false;
    list.push(to);
    const toBackend = to >= firstBackend;
    // Calls per request: ~0.55 to a back end, ~0.35 from an entry point, ~0.2 between mid-tier services.
    const ratio = toBackend ? 0.1 + 0.9 * rng() : from < entries ? 0.1 + 0.5 * rng() : 0.05 + 0.3 * rng();
    outRatio[from]?.push(Math.round(ratio * 1000) / 1000);
    hasCaller[to] = 1;
    return true;
  };
  for (let i = 0; i < firstBackend; i++) {
    const l = layerOf(i);
    const lastMid = l === nLayers;
    const degree = 2 + Math.floor(rng() * 7); // 2–8, mean 5
    const toBackendShare = l === 0 ? 0.15 : 0.4;
    for (let tries = 0; outTo[i]?.length !== degree && tries < degree * 4; tries++) {
      let to: number;
      if (lastMid || rng() < toBackendShare) to = pickBackend();
      else if (l + 2 <= nLayers && rng() < 0.2) to = pickLayer(l + 1 + Math.floor(rng() * (nLayers - l)));
      else to = pickLayer(l + 1);
      addEdge(i, to);
    }
  }
  // Every mid service and back end gets at least one caller.
  for (let i = entries; i < n; i++) {
    if (hasCaller[i]) continue;
    const l = i < firstBackend ? layerOf(i) : nLayers + 1;
    // A caller one layer up: the edge cannot exist yet and always points down.
    addEdge(pickLayer(l - 1), i);
  }

  // Root cause: a back end with at least two callers when there is one.
  const callers = new Uint32Array(n);
  for (const list of outTo) for (const to of list) callers[to] = (callers[to] ?? 0) + 1;
  const shared: number[] = [];
  for (let i = firstBackend; i < n; i++) if ((callers[i] ?? 0) >= 2) shared.push(i);
  const pool = shared.length > 0 ? shared : Array.from({ length: backends }, (_, k) => firstBackend + k);
  const rootCause = pool[Math.floor(mulberry32(seed ^ 0x0dd_ba11)() * pool.length)] ?? firstBackend;

  const inFrom: number[][] = Array.from({ length: n }, () => []);
  const inSlot: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    const list = outTo[i] ?? [];
    for (let k = 0; k < list.length; k++) {
      const to = list[k] ?? 0;
      inFrom[to]?.push(i);
      inSlot[to]?.push(k);
    }
  }
  return {
    n,
    names,
    kinds,
    backend,
    outTo,
    outRatio,
    inFrom,
    inSlot,
    entryRate,
    median,
    p99,
    faultNoise,
    errorNoise,
    rootCause,
  };
}

/**
 * Splits `total` over slots in proportion to `weights` (cumulative rounding: whole numbers that sum
 * to `total`), never giving a slot more than `cap[i]`; what does not fit goes to the first slots
 * with room. `sum` is the sum of the weights; the caps must hold `total` between them.
 */
function apportion(total: number, weights: readonly number[], cap: readonly number[], sum: number): number[] {
  const n = weights.length;
  const out = new Array<number>(n).fill(0);
  if (total === 0 || sum <= 0) return out;
  let cum = 0;
  let prev = 0;
  let over = 0;
  for (let i = 0; i < n; i++) {
    cum += weights[i] ?? 0;
    const c = Math.round((total * cum) / sum);
    let x = c - prev;
    prev = c;
    const room = cap[i] ?? 0;
    if (x > room) {
      over += x - room;
      x = room;
    }
    out[i] = x;
  }
  for (let i = 0; over > 0 && i < n; i++) {
    const room = (cap[i] ?? 0) - (out[i] ?? 0);
    if (room <= 0) continue;
    const give = Math.min(room, over);
    out[i] = (out[i] ?? 0) + give;
    over -= give;
  }
  return out;
}

function buildWindow(
  topo: Topology,
  services: readonly ServiceDef[],
  window: { readonly start: number; readonly end: number },
  incident: boolean,
  seed: number,
): XRayServiceGraph {
  const { n, outTo, outRatio, kinds, backend } = topo;
  const rng = mulberry32(seed ^ (incident ? 0x1c1d_e47 : 0xba5e_11e));
  const seconds = window.end - window.start;
  const jitter = (): number => 0.97 + 0.06 * rng(); // latency jitter ±3 %

  // Top-down: request counts (callers always have lower indices than their callees).
  const requests = new Float64Array(n);
  const calls: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    if (kinds[i] === 'entry')
      requests[i] = Math.round((topo.entryRate[i] ?? 1) * seconds * (0.98 + 0.04 * rng()));
    const r = requests[i] ?? 0;
    const list = outTo[i] ?? [];
    const ratios = outRatio[i] ?? [];
    const c = calls[i] ?? [];
    for (let k = 0; k < list.length; k++) {
      const to = list[k] ?? 0;
      const m = Math.round(r * (ratios[k] ?? 0));
      c.push(m);
      requests[to] = (requests[to] ?? 0) + m;
    }
  }
  const { inFrom, inSlot } = topo;

  // Bottom-up: each node's faults/errors/throttles and latency, then split onto its incoming edges.
  const edgeFaults: number[][] = calls.map((c) => c.map(() => 0));
  const edgeErrors: number[][] = calls.map((c) => c.map(() => 0));
  const edgeThrottles: number[][] = calls.map((c) => c.map(() => 0));
  const nodeTraffic: NodeTraffic[] = new Array(n);
  const edgeLatency: Latency[] = new Array(n);
  for (let i = n - 1; i >= 0; i--) {
    const r = requests[i] ?? 0;
    const b = backend[i];
    const isRoot = incident && i === topo.rootCause;
    let faults: number;
    let latency: Latency;
    const errors = Math.round(r * (topo.errorNoise[i] ?? 0) * (0.8 + 0.4 * rng()));
    const throttles = b ? Math.round(r * b.throttles * rng()) : 0;
    const faultNoise = (topo.faultNoise[i] ?? 0) * (0.5 + rng());
    if (b) {
      faults = Math.round(r * (isRoot ? ROOT_FAULT_RATE : faultNoise));
      const j = jitter();
      const m = (topo.median[i] ?? 0.01) * j * (isRoot ? ROOT_MEDIAN_FACTOR : 1);
      const p = (topo.p99[i] ?? 0.05) * j * (isRoot ? ROOT_P99_FACTOR : 1);
      latency = lognormal({ median: m, p99: p });
    } else {
      let healthy = 1 - faultNoise;
      const parts: CalleeTime[] = [];
      const j = jitter();
      const self = lognormal({ median: (topo.median[i] ?? 0.01) * j, p99: (topo.p99[i] ?? 0.05) * j });
      const list = outTo[i] ?? [];
      const c = calls[i] ?? [];
      const f = edgeFaults[i] ?? [];
      for (let k = 0; k < list.length; k++) {
        const m = c[k] ?? 0;
        const callee = edgeLatency[list[k] ?? 0];
        if (r > 0 && m > 0 && callee) {
          healthy *= 1 - PASS_ON * Math.min(1, (f[k] ?? 0) / r);
          parts.push({ latency: callee, callsPerRequest: m / r });
        }
      }
      faults = Math.round(r * (1 - healthy));
      latency = callerLatency(self, parts);
    }
    faults = Math.min(faults, r);
    const e = Math.min(errors, r - faults);
    const t = Math.min(throttles, r - faults - e);
    nodeTraffic[i] = { requests: r, faults, errors: e, throttles: t, latency };
    // What callers see: inferred back ends are the callers' own subsegments; services add network time.
    edgeLatency[i] = b ? latency : shiftLatency(latency, 0.0005);

    const froms = inFrom[i] ?? [];
    if (froms.length > 0) {
      const slots = inSlot[i] ?? [];
      const weights = froms.map((from, k) => calls[from]?.[slots[k] ?? 0] ?? 0);
      const sum = weights.reduce((a, w) => a + w, 0);
      const fs = apportion(faults, weights, weights, sum);
      const room1 = weights.map((w, k) => w - (fs[k] ?? 0));
      const es = apportion(e, weights, room1, sum);
      const room2 = room1.map((w, k) => w - (es[k] ?? 0));
      const ts = apportion(t, weights, room2, sum);
      froms.forEach((from, k) => {
        const slot = slots[k] ?? 0;
        const fRow = edgeFaults[from];
        const eRow = edgeErrors[from];
        const tRow = edgeThrottles[from];
        if (fRow) fRow[slot] = fs[k] ?? 0;
        if (eRow) eRow[slot] = es[k] ?? 0;
        if (tRow) tRow[slot] = ts[k] ?? 0;
      });
    }
  }

  const nodes: Record<string, NodeTraffic> = {};
  const edges: EdgeTraffic[] = [];
  for (let i = 0; i < n; i++) {
    const key = topo.names[i] ?? '';
    const traffic = nodeTraffic[i];
    if (traffic) nodes[key] = traffic;
    if (kinds[i] === 'entry' && traffic) {
      // The users calling the entry point: the client's view is the entry's own.
      edges.push({
        from: `client:${key}`,
        to: key,
        calls: traffic.requests,
        faults: traffic.faults ?? 0,
        errors: traffic.errors ?? 0,
        throttles: traffic.throttles ?? 0,
        latency: traffic.latency,
      });
    }
    const list = outTo[i] ?? [];
    for (let k = 0; k < list.length; k++) {
      const to = list[k] ?? 0;
      edges.push({
        from: key,
        to: topo.names[to] ?? '',
        calls: calls[i]?.[k] ?? 0,
        faults: edgeFaults[i]?.[k] ?? 0,
        errors: edgeErrors[i]?.[k] ?? 0,
        throttles: edgeThrottles[i]?.[k] ?? 0,
        latency: edgeLatency[to] ?? lognormal({ median: 0.01, p99: 0.05 }),
      });
    }
  }
  const def: WindowDef = { start: window.start, end: window.end, nodes, edges };
  return buildServiceGraph(services, def, { histogramBins: 'compact' });
}

function serviceDefs(topo: Topology): ServiceDef[] {
  const defs: ServiceDef[] = [];
  for (let i = 0; i < topo.n; i++) {
    const name = topo.names[i] ?? '';
    const kind = topo.kinds[i];
    if (kind === 'entry') {
      defs.push({ key: `client:${name}`, name, type: 'client' });
      defs.push({ name, type: 'AWS::ECS::Container', root: true });
    } else if (kind === 'mid') {
      defs.push({ name, type: 'AWS::ECS::Container' });
    } else {
      defs.push({ name, type: topo.backend[i]?.type ?? 'remote' });
    }
  }
  return defs;
}

/**
 * A synthetic `{incident, baseline}` snapshot with `services` services (not counting one extra
 * `client` node per entry service): ~5 % entry services (Root, called by a `client` node), mid-tier
 * services in 2–4 layers, ~12 % shared back ends (DynamoDB tables, SQS queues, `Database::SQL`,
 * `remote` APIs) with heavy fan-in. Each entry/mid service calls 2–8 (mean ≈ 5) deeper services.
 * In the incident window the back end `rootCause` (chosen by `seed` among back ends with ≥ 2
 * callers) fails 20 % of calls with p50 × 2.5 and p99 × 6; callers pass 90 % of the faults they see
 * on. Everything else has background noise only (own 5xx ≤ 0.1 %, 4xx ≤ 0.4 %, latency ±3 %).
 * Baseline: 2026-11-20T02:00Z–03:00Z; incident: 03:00Z–03:15Z. Histograms are `compact` (≤ 11 bins).
 * Names: `entry-00000`, `svc-00000`, and back ends numbered among themselves: `ddb-table-00000`,
 * `sqs-queue-00000`, `rds-db-00000`, `api.partner-00000.example.com`; a `client` node shares its
 * entry service's Name. `rootCause` is the faulty back end's Name, unique in the graph.
 */
export function generateSyntheticSnapshot(services: number, seed: number): SyntheticSnapshot {
  const topo = buildTopology(services, seed);
  const defs = serviceDefs(topo);
  const incident = buildWindow(topo, defs, SYNTHETIC_INCIDENT_WINDOW, true, seed);
  const baseline = buildWindow(topo, defs, SYNTHETIC_BASELINE_WINDOW, false, seed);
  return {
    incident,
    baseline,
    rootCause: topo.names[topo.rootCause] ?? '',
    rootCauseType: topo.backend[topo.rootCause]?.type ?? '',
  };
}

/** The root cause `generateSyntheticSnapshot(services, seed)` plants, without building the windows. */
export function syntheticRootCause(services: number, seed: number): string {
  const topo = buildTopology(services, seed);
  return topo.names[topo.rootCause] ?? '';
}
