// Generated estates of N services (10 to 20,000), shaped like large AWS microservice estates: ~4 %
// entry points (web, mobile BFF, public APIs), layers of services with a heavy-tailed fan-out (most
// call 2–4 others, a few aggregators call dozens), and ~15 % shared back ends with heavy fan-in:
// DynamoDB tables, SQL databases, SQS queues drained by workers, S3 buckets, Redis caches, external
// partner APIs, and the AWS services everyone calls (SNS, KMS, Secrets Manager) as X-Ray names them.
// The shape depends only on N and the shape seed; the simulation seed draws the noise.

import { SimulationInputError } from '../errors.ts';
import { mulberry32 } from '../graph-builder.ts';
import type { CallSpec, ServiceSpec, TopologySpec } from '../topology.ts';
import { TYPE } from './kit.ts';

export const GENERATED_MIN = 10;
export const GENERATED_MAX = 20_000;

const DOMAINS = [
  'account',
  'address',
  'ads',
  'analytics',
  'auth',
  'billing',
  'cart',
  'catalog',
  'checkout',
  'coupon',
  'currency',
  'delivery',
  'email',
  'feed',
  'fraud',
  'fulfilment',
  'gift',
  'identity',
  'inventory',
  'invoice',
  'ledger',
  'loyalty',
  'media',
  'notification',
  'order',
  'partner',
  'payment',
  'pricing',
  'profile',
  'promotion',
  'rating',
  'recommendation',
  'refund',
  'returns',
  'review',
  'search',
  'session',
  'shipping',
  'subscription',
  'tax',
];
const ROLES = ['service', 'api', 'worker', 'reader', 'writer', 'sync', 'rules', 'query'];
const ENTRY_ROLES = ['web', 'mobile-bff', 'public-api', 'partner-gateway', 'edge'];

interface BackendKind {
  readonly type: string;
  readonly name: (domain: string, k: number) => string;
  readonly median: readonly [number, number];
  readonly tail: number;
  readonly timeout: number;
  readonly throttles: number;
}

const BACKENDS: Readonly<Record<string, BackendKind>> = {
  table: {
    type: TYPE.dynamodb,
    name: (d, k) => `prod-${d}-table-${k}`,
    median: [0.004, 0.008],
    tail: 4,
    timeout: 3,
    throttles: 0.0003,
  },
  sql: {
    type: TYPE.sql,
    name: (d, k) => `${d}@${d}-db-${k}.cluster-internal.rds.amazonaws.com`,
    median: [0.002, 0.006],
    tail: 8,
    timeout: 3,
    throttles: 0,
  },
  queue: {
    type: TYPE.sqs,
    name: (d, k) => `https://sqs.us-east-1.amazonaws.com/123456789012/${d}-events-${k}`,
    median: [0.006, 0.012],
    tail: 4,
    timeout: 3,
    throttles: 0,
  },
  bucket: {
    type: TYPE.s3,
    name: (d, k) => `prod-${d}-assets-${k}`,
    median: [0.015, 0.04],
    tail: 5,
    timeout: 5,
    throttles: 0.0002,
  },
  cache: {
    type: TYPE.remote,
    name: (d, k) => `${d}-cache-${k}.cache.internal`,
    median: [0.0005, 0.001],
    tail: 5,
    timeout: 1,
    throttles: 0,
  },
  api: {
    type: TYPE.remote,
    name: (d, k) => `api.${d}-partner-${k}.example.com`,
    median: [0.04, 0.15],
    tail: 3.5,
    timeout: 5,
    throttles: 0.0005,
  },
};
/** Mix of back ends after the shared AWS services: 40 % tables, 20 % SQL, 12 % queues, 10 % partner APIs, 10 % caches, 8 % buckets. */
const MIX: readonly (readonly [string, number])[] = [
  ['table', 0.4],
  ['sql', 0.2],
  ['queue', 0.12],
  ['api', 0.1],
  ['cache', 0.1],
  ['bucket', 0.08],
];
const SHARED_AWS: readonly { name: string; type: string; median: number; tail: number }[] = [
  { name: 'SNS', type: TYPE.sns, median: 0.012, tail: 4 },
  { name: 'KMS', type: TYPE.kms, median: 0.005, tail: 3 },
  { name: 'SecretsManager', type: TYPE.secrets, median: 0.01, tail: 3 },
];
const COMPUTE: readonly (readonly [string, number])[] = [
  [TYPE.ecs, 0.6],
  [TYPE.eks, 0.2],
  [TYPE.lambda, 0.15],
  [TYPE.ec2, 0.05],
];

/**
 * A topology of `services` services (client nodes not counted). Fan-out: ⌊2 / U^(1/1.6)⌋ calls per
 * service (Pareto, mean ≈ 4.5, up to 50); callees are picked with a preference for popular ones, so
 * a few services and back ends are called by hundreds. Users: 2 requests per second per service.
 */
export function generatedTopology(services: number, shapeSeed = 1): TopologySpec {
  if (!Number.isSafeInteger(services) || services < GENERATED_MIN || services > GENERATED_MAX) {
    throw new SimulationInputError(
      `--services must be a whole number from ${GENERATED_MIN} to ${GENERATED_MAX}, got ${services}`,
    );
  }
  const rng = mulberry32((0x9e37 * 65_537 + services * 7919 + shapeSeed * 104_729) >>> 0);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rng() * xs.length)] as T;
  const weighted = (xs: readonly (readonly [string, number])[]): string => {
    let u = rng();
    for (const [x, w] of xs) {
      u -= w;
      if (u < 0) return x;
    }
    return (xs[xs.length - 1] as readonly [string, number])[0];
  };
  const nBack = Math.max(3, Math.round(services * 0.15));
  const nEntry = Math.max(1, Math.round(services * 0.04));
  const nMid = services - nBack - nEntry;
  const layers = services < 500 ? 3 : services < 5000 ? 4 : 5;
  const used = new Map<string, number>();
  const unique = (base: string): string => {
    const k = (used.get(base) ?? 0) + 1;
    used.set(base, k);
    return k === 1 ? base : `${base}-${k}`;
  };

  // Services: entries, then mid layers, then back ends (shuffled so that popularity is not by kind).
  const specs: { name: string; type: string; layer: number; backend?: BackendKind; shared?: boolean }[] = [];
  for (let i = 0; i < nEntry; i++) {
    specs.push({ name: unique(`${pick(DOMAINS)}-${pick(ENTRY_ROLES)}`), type: TYPE.ecs, layer: 0 });
  }
  const layerStart: number[] = [0, nEntry];
  for (let l = 1; l <= layers; l++) layerStart.push(nEntry + Math.round((nMid * l) / layers));
  for (let i = 0; i < nMid; i++) {
    const layer = layerStart.findIndex(
      (s, l) => l > 0 && i + nEntry >= s && i + nEntry < (layerStart[l + 1] ?? services),
    );
    specs.push({ name: unique(`${pick(DOMAINS)}-${pick(ROLES)}`), type: weighted(COMPUTE), layer });
  }
  const backs: { name: string; type: string; backend?: BackendKind; shared?: boolean }[] = [];
  if (nBack >= 8) for (const s of SHARED_AWS) backs.push({ name: s.name, type: s.type, shared: true });
  let k = 0;
  while (backs.length < nBack) {
    const kind = BACKENDS[weighted(MIX)] as BackendKind;
    k++;
    backs.push({ name: kind.name(pick(DOMAINS), k), type: kind.type, backend: kind });
  }
  for (let i = backs.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [backs[i], backs[j]] = [backs[j] as (typeof backs)[number], backs[i] as (typeof backs)[number]];
  }
  const firstBack = specs.length;
  for (const b of backs) specs.push({ ...b, layer: layers + 1 });
  const n = specs.length;

  // Calls.
  const calls: { to: number; call: CallSpec }[][] = Array.from({ length: n }, () => []);
  const callees: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
  const hasCaller = new Uint8Array(n);
  const isQueue = (v: number) => (specs[v] as (typeof specs)[number]).backend === BACKENDS.queue;
  const pickBackend = (): number => firstBack + Math.min(nBack - 1, Math.floor(nBack * rng() ** 2.5));
  const pickInLayer = (l: number): number => {
    const a = layerStart[l] ?? nEntry;
    const b = layerStart[l + 1] ?? firstBack;
    return a + Math.min(b - a - 1, Math.floor((b - a) * rng() ** 1.5));
  };
  const addCall = (from: number, to: number, extra: Partial<CallSpec> = {}): boolean => {
    const set = callees[from];
    if (!set || from === to || set.has(to)) return false;
    set.add(to);
    hasCaller[to] = 1;
    const target = specs[to] as (typeof specs)[number];
    const toBack = to >= firstBack;
    const optional = rng() < 0.15;
    const call: CallSpec = {
      to: target.name,
      // Set below, once all of the caller's calls are known.
      perRequest: 1,
      timeout: target.backend?.timeout ?? (toBack ? 3 : 2),
      passOn: round3(optional ? 0.3 * rng() : 0.8 + 0.2 * rng()),
      ...(!toBack && rng() < 0.3 ? { retries: 1 } : {}),
      ...extra,
    };
    calls[from]?.push({ to, call });
    return true;
  };
  for (let v = 0; v < firstBack; v++) {
    const l = (specs[v] as (typeof specs)[number]).layer;
    const degree = Math.min(50, Math.floor(2 / Math.max(1e-6, rng()) ** (1 / 1.6)));
    const toBackShare = l === 0 ? 0.1 : 0.35;
    for (let t = 0; (callees[v]?.size ?? 0) < degree && t < degree * 3; t++) {
      if (l >= layers || rng() < toBackShare) {
        // Workers of the last layer drain the queues; they never publish to one (no message loops).
        const b = pickBackend();
        if (!(l >= layers && isQueue(b))) addCall(v, b);
      } else addCall(v, pickInLayer(l + 1 + (l + 2 <= layers && rng() < 0.2 ? 1 : 0)));
    }
  }
  // Queues are drained by workers of the last layer (an asynchronous link, as X-Ray draws SQS → consumer).
  for (let v = firstBack; v < n; v++) {
    if (!isQueue(v)) continue;
    addCall(v, pickInLayer(layers), { async: true, perRequest: 1 });
  }
  // Everything gets at least one caller, from the layer above.
  for (let v = nEntry; v < n; v++) {
    if (hasCaller[v]) continue;
    const l = (specs[v] as (typeof specs)[number]).layer;
    const from =
      l > layers
        ? pickInLayer(1 + Math.floor(rng() * (isQueue(v) ? Math.max(1, layers - 1) : layers)))
        : l === 1
          ? Math.floor(rng() * nEntry)
          : pickInLayer(l - 1);
    addCall(from, v);
  }

  // Calls per request: a service with many dependencies uses each for a part of its requests, so
  // that its calls to other services add up to 0.8–2 per request whatever the fan-out (latency then
  // grows with depth as in real estates, not with the fan-out); back ends are queried 0.3–1.5 times
  // per request, less when there are many.
  const finalCalls: CallSpec[][] = calls.map((list, v) => {
    const sync = list.filter((c) => !c.call.async);
    const toServices = sync.filter((c) => c.to < firstBack);
    const toBackends = sync.filter((c) => c.to >= firstBack);
    const budget = (v < nEntry ? 1 : 0.8) + rng();
    const weights = toServices.map(() => 0.2 + rng());
    const sum = weights.reduce((a, w) => a + w, 0);
    const per = new Map<number, number>();
    toServices.forEach((c, i) => {
      per.set(c.to, Math.max(0.01, (budget * (weights[i] ?? 1)) / sum));
    });
    const scale = Math.min(1, 4 / Math.max(1, toBackends.length));
    for (const c of toBackends) {
      const kind = (specs[c.to] as (typeof specs)[number]).backend;
      // Partner APIs and buckets are slow and called for some requests only; tables and caches often.
      const base =
        kind === BACKENDS.api
          ? 0.05 + 0.3 * rng()
          : kind === BACKENDS.bucket
            ? 0.1 + 0.4 * rng()
            : 0.3 + 1.2 * rng();
      per.set(c.to, Math.max(0.01, base * scale));
    }
    return list.map((c) => (c.call.async ? c.call : { ...c.call, perRequest: round3(per.get(c.to) ?? 1) }));
  });

  const out: ServiceSpec[] = specs.map((s, v) => {
    const flaky = rng() < 0.05;
    const noise = {
      faults: round6(flaky ? 0.002 + 0.006 * rng() : 0.0005 * rng()),
      errors: round6(s.layer > layers ? 0 : flaky ? 0.01 + 0.02 * rng() : 0.005 * rng()),
      throttles: s.backend?.throttles ?? 0,
      latency: flaky ? 0.1 : 0.03,
    };
    let latency: { median: number; p99: number };
    const shared = SHARED_AWS.find((x) => x.name === s.name && s.shared);
    if (shared) latency = { median: shared.median, p99: shared.median * shared.tail };
    else if (s.backend) {
      const [lo, hi] = s.backend.median;
      const m = lo + (hi - lo) * rng();
      latency = { median: round6(m), p99: round6(m * s.backend.tail * (0.8 + 0.4 * rng())) };
    } else {
      const m = 0.002 * 10 ** rng();
      latency = { median: round6(m), p99: round6(m * (3 + 5 * rng())) };
    }
    const entry = v < nEntry ? round6(1 / (v + 1) ** 0.8) : undefined;
    return {
      name: s.name,
      type: s.type,
      latency,
      noise,
      ...(entry !== undefined ? { entry } : {}),
      ...(s.backend || s.shared ? {} : { utilisation: round3(0.15 + 0.3 * rng()) }),
      ...((finalCalls[v]?.length ?? 0) > 0 ? { calls: finalCalls[v] } : {}),
    };
  });
  return {
    name: `generated-${services}`,
    description: `A generated estate of ${services} services: ${nEntry} entry points, ${nMid} services in ${layers} layers with a heavy-tailed fan-out, ${nBack} shared back ends.`,
    traffic: 2 * services,
    defaults: { timeout: 2, passOn: 0.9 },
    services: out,
  };
}

const round3 = (x: number) => Math.round(x * 1000) / 1000;
const round6 = (x: number) => Math.round(x * 1e6) / 1e6;
