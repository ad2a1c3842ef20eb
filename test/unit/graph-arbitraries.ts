// fast-check arbitraries for random but valid GetServiceGraph responses and snapshots: any node
// count, any mix of types (clients, remote endpoints, inferred tables), self-loops, cycles, async
// links, duplicated edges, missing statistics, and a baseline that is present, partial or absent.

import fc from 'fast-check';
import {
  BASELINE_START,
  type HistogramEntry,
  INCIDENT_START,
  WINDOW_SECONDS,
  type XRayStatistics,
} from './graph-kit.ts';

export const TYPES = [
  'AWS::ECS::Container',
  'AWS::Lambda::Function',
  'AWS::EC2::Instance',
  'AWS::ApiGateway::Stage',
  'service',
  'AWS::DynamoDB::Table',
  'AWS::SQS::Queue',
  'AWS::S3::Bucket',
  'remote',
  'client',
] as const;

const NAMES = ['api', 'orders', 'db', 'cache', 'auth', 'queue', 'payments', 'search', 'users', 'shipping'];

/** Counts over one window, always consistent: faults + 4xx ≤ total. */
export interface RandomTraffic {
  readonly n: number;
  readonly faults: number;
  readonly errors: number;
  readonly throttles: number;
  readonly mean: number;
  /** 'spread': three bins around the mean; 'random': arbitrary bins; 'none': no histogram. */
  readonly histogram: 'spread' | 'random' | 'none';
  readonly bins: readonly HistogramEntry[];
}

export interface RandomNode {
  readonly name: string;
  readonly type: string;
  readonly root: boolean | null | undefined;
  readonly incident: RandomTraffic | undefined;
  /** 'absent': not in the baseline window; undefined: listed there without statistics. */
  readonly baseline: RandomTraffic | undefined | 'absent';
}

export interface RandomEdge {
  readonly from: number;
  readonly to: number;
  readonly async: boolean;
  readonly incident: RandomTraffic;
  readonly baseline: RandomTraffic;
}

export interface RandomWorld {
  readonly nodes: readonly RandomNode[];
  readonly edges: readonly RandomEdge[];
  readonly withBaseline: boolean;
}

const share = fc.oneof(
  { weight: 3, arbitrary: fc.constant(0) },
  { weight: 2, arbitrary: fc.double({ min: 0, max: 0.3, noNaN: true }) },
  { weight: 1, arbitrary: fc.double({ min: 0, max: 1, noNaN: true }) },
);

export const trafficArb: fc.Arbitrary<RandomTraffic> = fc
  .record({
    n: fc.oneof(
      { weight: 1, arbitrary: fc.constant(0) },
      { weight: 2, arbitrary: fc.integer({ min: 1, max: 30 }) },
      { weight: 5, arbitrary: fc.integer({ min: 31, max: 20_000 }) },
    ),
    f: share,
    e: share,
    t: share,
    mean: fc.oneof(
      fc.constant(0),
      fc.double({ min: 0.0005, max: 0.5, noNaN: true }),
      fc.double({ min: 0.5, max: 30, noNaN: true }),
    ),
    histogram: fc.constantFrom('spread', 'spread', 'random', 'none') as fc.Arbitrary<
      RandomTraffic['histogram']
    >,
    bins: fc.array(
      fc.record({
        Value: fc.double({ min: 0, max: 20, noNaN: true }),
        Count: fc.integer({ min: 0, max: 500 }),
      }),
      { maxLength: 6 },
    ),
  })
  .map(({ n, f, e, t, mean, histogram, bins }) => {
    const faults = Math.floor(f * n);
    const errors = Math.floor(e * (n - faults));
    const throttles = Math.floor(t * (n - faults - errors));
    return { n, faults, errors, throttles, mean, histogram, bins };
  });

export function worldArb(
  options: { uniqueKeys?: boolean; maxNodes?: number } = {},
): fc.Arbitrary<RandomWorld> {
  const maxNodes = options.maxNodes ?? 30;
  return fc.integer({ min: 1, max: maxNodes }).chain((count) => {
    const nodeArb = fc.record({
      name: fc.constantFrom(...NAMES),
      type: fc.constantFrom(...TYPES),
      root: fc.constantFrom(true, false, null, undefined),
      incident: fc.option(trafficArb, { nil: undefined, freq: 8 }),
      baseline: fc.oneof(
        { weight: 5, arbitrary: trafficArb },
        { weight: 1, arbitrary: fc.constant('absent' as const) },
        { weight: 1, arbitrary: fc.constant(undefined) },
      ),
    });
    const nodes = options.uniqueKeys
      ? fc.uniqueArray(nodeArb, {
          minLength: count,
          maxLength: count,
          selector: (n) => `${n.name}|${n.type}`,
        })
      : fc.array(nodeArb, { minLength: count, maxLength: count });
    const edgeArb = fc.record({
      from: fc.nat(count - 1),
      to: fc.nat(count - 1),
      async: fc.oneof(
        { weight: 5, arbitrary: fc.constant(false) },
        { weight: 1, arbitrary: fc.constant(true) },
      ),
      incident: trafficArb,
      baseline: trafficArb,
    });
    return fc.record({
      nodes,
      edges: fc.array(edgeArb, { maxLength: count * 2 }),
      withBaseline: fc.boolean(),
    });
  });
}

function histogramOf(t: RandomTraffic): HistogramEntry[] | undefined {
  if (t.histogram === 'none') return undefined;
  if (t.histogram === 'random') return t.bins.map((b) => ({ ...b }));
  if (t.n <= 0) return [];
  const side = Math.floor(t.n / 4);
  return [
    { Value: t.mean * 0.5, Count: side },
    { Value: t.mean, Count: t.n - 2 * side },
    { Value: t.mean * 1.5, Count: side },
  ].filter((b) => b.Count > 0);
}

function statsOf(t: RandomTraffic): XRayStatistics {
  return {
    OkCount: t.n - t.faults - t.errors - t.throttles,
    ErrorStatistics: { ThrottleCount: t.throttles, OtherCount: t.errors, TotalCount: t.errors + t.throttles },
    FaultStatistics: { OtherCount: t.faults, TotalCount: t.faults },
    TotalCount: t.n,
    TotalResponseTime: t.mean * t.n,
  };
}

/** The GetServiceGraph response of one window; `refs[i]` is node i's ReferenceId. */
export function responseOf(
  world: RandomWorld,
  window: 'incident' | 'baseline',
  refs: readonly number[] = world.nodes.map((_, i) => i + 1),
): Record<string, unknown> {
  const services: Record<string, unknown>[] = [];
  world.nodes.forEach((nd, i) => {
    const traffic = window === 'incident' ? nd.incident : nd.baseline;
    if (traffic === 'absent') return;
    const svc: Record<string, unknown> = { ReferenceId: refs[i], Name: nd.name, Type: nd.type };
    if (nd.root !== undefined) svc.Root = nd.root;
    if (traffic !== undefined) {
      svc.SummaryStatistics = statsOf(traffic);
      const hist = histogramOf(traffic);
      if (hist !== undefined) svc.ResponseTimeHistogram = hist;
    }
    svc.Edges = world.edges
      .filter((e) => e.from === i)
      .map((e) => {
        const t = window === 'incident' ? e.incident : e.baseline;
        if (e.async)
          return {
            ReferenceId: refs[e.to],
            EdgeType: 'link',
            SummaryStatistics: {},
            ResponseTimeHistogram: [],
          };
        const hist = histogramOf(t);
        return {
          ReferenceId: refs[e.to],
          SummaryStatistics: statsOf(t),
          ...(hist !== undefined ? { ResponseTimeHistogram: hist } : {}),
        };
      });
    services.push(svc);
  });
  const start = window === 'incident' ? INCIDENT_START : BASELINE_START;
  return { StartTime: start, EndTime: start + WINDOW_SECONDS, Services: services };
}

/** `{incident, baseline}` when the world has a baseline, else the bare incident response. */
export function rawSnapshotOf(world: RandomWorld, refs?: readonly number[]): unknown {
  const incident = responseOf(world, 'incident', refs);
  return world.withBaseline ? { incident, baseline: responseOf(world, 'baseline', refs) } : incident;
}
