import { describe, expect, it } from 'vitest';
import { analyze } from '../../lambdas/core/analyze.ts';
import { parseSnapshot } from '../../lambdas/core/parse.ts';
import { FAULT_KINDS, type FaultKind, parseFault } from '../../lambdas/simulator/faults.ts';
import {
  checkServiceGraph,
  hasStatistics,
  type XRayServiceGraph,
} from '../../lambdas/simulator/graph-builder.ts';
import { type SimulateOptions, simulate } from '../../lambdas/simulator/simulate.ts';
import { builtinTopology, NAMED_TOPOLOGIES } from '../../lambdas/simulator/topologies/index.ts';
import { type CallOverrides, compileTopology } from '../../lambdas/simulator/topology.ts';
import { failureRate, indexGraph, meanSeconds, relatives, stats } from './graph-index.ts';

const topo = (name: string, overrides: CallOverrides = {}) =>
  compileTopology(builtinTopology(name), overrides);
const run = (name: string, faults: string[], options: SimulateOptions & { overrides?: CallOverrides } = {}) =>
  simulate(topo(name, options.overrides), { seed: 5, ...options, faults: faults.map(parseFault) });
const graph = (w: XRayServiceGraph | XRayServiceGraph[]) => w as XRayServiceGraph;

/** A service of each topology with callers and callees, for the fault experiments. */
const TARGET: Readonly<Record<string, string>> = {
  shop: 'payment-service',
  'online-boutique': 'cartservice',
  'sock-shop': 'orders',
  'train-ticket': 'ts-order-service',
  'social-network': 'post-storage-service',
};

describe('Simulator: counts are consistent', () => {
  for (const name of [...NAMED_TOPOLOGIES.map((t) => t.name), 'generated:200']) {
    it(`should give ${name} windows whose counts add up, whose times agree with their histograms and whose nodes sum their callers' views`, () => {
      // Prepare
      const t = topo(name);
      const target = TARGET[name] ?? (t.labels.find((_, v) => t.inferred[v]) as string);
      // Act
      const sim = simulate(t, { faults: [parseFault(`${target}:error:0.3`)], seed: 11 });
      // Assess
      for (const w of [sim.snapshot.incident, sim.snapshot.baseline]) {
        const g = graph(w);
        expect(checkServiceGraph(g)).toEqual([]);
        const byRef = new Map(g.Services.map((s) => [s.ReferenceId, s]));
        const incoming = new Map<number, { total: number; faults: number; async: boolean }>();
        for (const s of g.Services) {
          for (const e of s.Edges) {
            expect(byRef.has(e.ReferenceId)).toBe(true);
            const into = incoming.get(e.ReferenceId) ?? { total: 0, faults: 0, async: false };
            if (hasStatistics(e.SummaryStatistics)) {
              into.total += e.SummaryStatistics.TotalCount;
              into.faults += e.SummaryStatistics.FaultStatistics.TotalCount;
            } else into.async = true;
            incoming.set(e.ReferenceId, into);
          }
        }
        for (const s of g.Services) {
          const st = s.SummaryStatistics;
          const into = incoming.get(s.ReferenceId);
          if (!st || !into || into.async) continue;
          // Caller views (client edges included) add up to what the service served: nobody refused connections here.
          expect(st.TotalCount).toBe(into.total);
          if (t.inferred[t.byLabel.get(s.Name) ?? -1])
            expect(st.FaultStatistics.TotalCount).toBe(into.faults);
        }
      }
    });
  }

  it('should keep the caller’s time above the time it spends in its callees (sequential calls)', () => {
    // Act
    const sim = run('shop', ['api.payments.example.com:latency:x3']);
    // Assess
    expect(checkServiceGraph(graph(sim.snapshot.incident), { callerTimeCoversCallees: true })).toEqual([]);
  });
});

describe('Simulator: an injected fault', () => {
  const effect: Record<
    FaultKind,
    (before: ReturnType<typeof stats>, after: ReturnType<typeof stats>) => void
  > = {
    error: (b, a) => expect(failureRate(a)).toBeGreaterThan(failureRate(b) + 0.1),
    latency: (b, a) => expect(meanSeconds(a)).toBeGreaterThan(1.5 * meanSeconds(b)),
    throttle: (b, a) =>
      expect(a.ErrorStatistics.ThrottleCount / a.TotalCount).toBeGreaterThan(
        b.ErrorStatistics.ThrottleCount / b.TotalCount + 0.1,
      ),
    // Refused connections never reach the service: it serves fewer requests; its callers see the failures.
    unavailable: (b, a) => expect(a.TotalCount).toBeLessThan(0.8 * b.TotalCount),
    saturation: (b, a) => expect(meanSeconds(a)).toBeGreaterThan(1.5 * meanSeconds(b)),
  };
  const severity: Record<FaultKind, string> = {
    error: '0.3',
    latency: 'x5',
    throttle: '0.3',
    unavailable: '0.5',
    saturation: '0.97',
  };

  for (const [name, target] of Object.entries(TARGET)) {
    for (const kind of FAULT_KINDS) {
      it(`should raise ${kind} at ${target} (${name}) and on its callers' edges, and change no unrelated service`, () => {
        // Prepare: without retries load never moves, so only the service and its callers may change
        const options = { overrides: { retries: 0 }, seed: 21 };
        const quiet = run(name, [], options);
        // Act
        const faulty = run(name, [`${target}:${kind}:${severity[kind]}`], options);
        // Assess
        expect(JSON.stringify(faulty.snapshot.baseline)).toBe(JSON.stringify(quiet.snapshot.baseline));
        const q = indexGraph(quiet.snapshot.incident);
        const f = indexGraph(faulty.snapshot.incident);
        effect[kind](stats(q.service.get(target)), stats(f.service.get(target)));
        const callerEdges = [...f.edge.keys()].filter(
          (k) => k.endsWith(` → ${target}`) && !k.startsWith('users'),
        );
        expect(callerEdges.length).toBeGreaterThan(0);
        for (const key of callerEdges) {
          const b = stats(q.edge.get(key));
          const a = stats(f.edge.get(key));
          const worse = failureRate(a) > failureRate(b) + 0.05 || meanSeconds(a) > 1.3 * meanSeconds(b);
          expect(worse, key).toBe(true);
        }
        const { ancestors, descendants } = relatives(q, target);
        const unrelated = [...q.service.keys()].filter(
          (s) => s !== target && !ancestors.has(s) && !descendants.has(s),
        );
        expect(unrelated.length).toBeGreaterThan(0);
        for (const s of unrelated) expect(f.service.get(s), s).toEqual(q.service.get(s));
      });
    }
  }

  it('should list a service that refuses every connection without statistics, its callers seeing only failures', () => {
    // Act
    const sim = run('shop', ['payment-service:unavailable']);
    // Assess
    const g = indexGraph(sim.snapshot.incident);
    expect(g.service.get('payment-service')?.SummaryStatistics).toBeUndefined();
    const edge = stats(g.edge.get('order-service → payment-service'));
    expect(edge.FaultStatistics.TotalCount).toBe(edge.TotalCount);
    expect(g.service.has('api.payments.example.com')).toBe(false);
  });

  it('should turn slowness past the caller’s timeout into faults on the caller’s edge only', () => {
    // Act: order-service gives up on payment-service after 3 s
    const sim = run('shop', ['payment-service:latency:5s']);
    // Assess
    const g = indexGraph(sim.snapshot.incident);
    const b = indexGraph(sim.snapshot.baseline);
    expect(failureRate(stats(g.service.get('payment-service')))).toBeLessThan(0.01);
    const edge = stats(g.edge.get('order-service → payment-service'));
    expect(failureRate(edge)).toBeGreaterThan(0.9);
    expect(
      Math.max(
        ...(g.edge.get('order-service → payment-service')?.ResponseTimeHistogram ?? []).map((h) => h.Value),
      ),
    ).toBeLessThanOrEqual(3.0001);
    expect(failureRate(stats(g.service.get('order-service')))).toBeGreaterThan(0.85);
    expect(failureRate(stats(b.service.get('order-service')))).toBeLessThan(0.01);
  });

  it('should pass on the configured share of a callee’s failures', () => {
    // Act
    const absorbed = run('shop', ['api.payments.example.com:error:0.5'], { overrides: { passOn: 0 } });
    const passed = run('shop', ['api.payments.example.com:error:0.5'], { overrides: { passOn: 1 } });
    // Assess
    const rate = (s: typeof absorbed) =>
      failureRate(stats(indexGraph(s.snapshot.incident).service.get('payment-service')));
    expect(rate(absorbed)).toBeLessThan(0.01);
    expect(rate(passed)).toBeGreaterThan(0.45);
  });

  it('should shed load with 503s when a saturated service is pushed past its capacity', () => {
    // Act
    const sim = run('shop', ['inventory-db:saturation:1.5']);
    // Assess
    const db = stats(indexGraph(sim.snapshot.incident).service.get('inventory-db'));
    expect(failureRate(db)).toBeGreaterThan(0.25);
  });

  it('should give async links (queue → consumer) no statistics, as X-Ray does', () => {
    // Act
    const sim = run('sock-shop', []);
    // Assess
    const link = indexGraph(sim.snapshot.incident).edge.get('rabbitmq → queue-master');
    expect(link?.EdgeType).toBe('link');
    expect(link?.SummaryStatistics).toEqual({});
  });
});

describe('Simulator: retries', () => {
  it('should raise the callee’s request count when callers retry its failures (a retry storm)', () => {
    // Prepare: payment-service throttles 30 % of its usual load; order-service retries or not
    const fault = ['payment-service:throttle:0.3'];
    // Act
    const once = run('shop', fault, { overrides: { retries: 0 } });
    const thrice = run('shop', fault, { overrides: { retries: 2 } });
    // Assess
    const at = (s: typeof once, name: string) => stats(indexGraph(s.snapshot.incident).service.get(name));
    expect(at(thrice, 'payment-service').TotalCount).toBeGreaterThan(
      1.3 * at(once, 'payment-service').TotalCount,
    );
    // More attempts against the same rate limit: a larger share is throttled…
    const throttled = (s: ReturnType<typeof stats>) => s.ErrorStatistics.ThrottleCount / s.TotalCount;
    expect(throttled(at(thrice, 'payment-service'))).toBeGreaterThan(
      throttled(at(once, 'payment-service')) + 0.1,
    );
    // …and the caller fails more, not less.
    expect(failureRate(at(thrice, 'order-service'))).toBeGreaterThan(failureRate(at(once, 'order-service')));
  });

  it('should record AWS SDK calls once, their retries and backoff inside the call, as X-Ray subsegments do', () => {
    // Prepare: the users table throttles; the SDK retries twice by default
    const once = run('shop', ['users:throttle:0.3'], { overrides: { retries: 0 } });
    const sdk = run('shop', ['users:throttle:0.3']);
    // Assess
    const edge = (s: typeof once) => stats(indexGraph(s.snapshot.incident).edge.get('user-service → users'));
    const node = (s: typeof once) => stats(indexGraph(s.snapshot.incident).service.get('users'));
    expect(Math.abs(edge(sdk).TotalCount / edge(once).TotalCount - 1)).toBeLessThan(0.02);
    expect(node(sdk).TotalCount).toBe(edge(sdk).TotalCount);
    expect(meanSeconds(edge(sdk))).toBeGreaterThan(meanSeconds(edge(once)) + 0.02);
    // The table really takes the extra attempts: its throttling gets worse, so calls still fail often.
    expect(failureRate(edge(sdk))).toBeGreaterThan(0.3 ** 3);
  });
});

describe('Simulator: retries of transient faults', () => {
  it('should hide most independent 5xx from the caller at the price of more calls', () => {
    // Act
    const once = run('shop', ['api.payments.example.com:error:0.3'], { overrides: { retries: 0 } });
    const thrice = run('shop', ['api.payments.example.com:error:0.3'], { overrides: { retries: 2 } });
    // Assess
    const at = (s: typeof once, name: string) => stats(indexGraph(s.snapshot.incident).service.get(name));
    expect(at(thrice, 'api.payments.example.com').TotalCount).toBeGreaterThan(
      1.3 * at(once, 'api.payments.example.com').TotalCount,
    );
    expect(failureRate(at(once, 'payment-service'))).toBeGreaterThan(0.25);
    expect(failureRate(at(thrice, 'payment-service'))).toBeLessThan(0.05);
  });
});

describe('Simulator: noise and determinism', () => {
  it('should give the same bytes for the same seed and different ones for another seed', () => {
    // Act
    const a = JSON.stringify(run('generated:200', ['KMS:error'], { seed: 3 }).snapshot);
    const b = JSON.stringify(run('generated:200', ['KMS:error'], { seed: 3 }).snapshot);
    const c = JSON.stringify(run('generated:200', ['KMS:error'], { seed: 4 }).snapshot);
    // Assess
    expect(a).toBe(b);
    expect(c).not.toBe(a);
  });

  it('should put background noise in both windows: traffic, latency and error counts vary between seeds', () => {
    // Act
    const one = indexGraph(run('shop', [], { seed: 1 }).snapshot.baseline);
    const two = indexGraph(run('shop', [], { seed: 2 }).snapshot.baseline);
    const inc = indexGraph(run('shop', [], { seed: 1 }).snapshot.incident);
    // Assess
    const f1 = stats(one.service.get('frontend'));
    const f2 = stats(two.service.get('frontend'));
    expect(f1.TotalCount).not.toBe(f2.TotalCount);
    expect(meanSeconds(f1)).not.toBe(meanSeconds(f2));
    expect(f1.ErrorStatistics.OtherCount).toBeGreaterThan(0);
    const fi = stats(inc.service.get('frontend'));
    expect(fi.ErrorStatistics.OtherCount).toBeGreaterThan(0);
    expect(Math.abs(meanSeconds(fi) / meanSeconds(f1) - 1)).toBeLessThan(0.15);
  });
});

describe('Simulator: pages', () => {
  it('should split each window into NextToken pages that the engine reads like the whole graph', () => {
    // Act
    const whole = run('online-boutique', ['cartservice:error']);
    const paged = run('online-boutique', ['cartservice:error'], { pages: 3 });
    // Assess
    const pages = paged.snapshot.incident as XRayServiceGraph[];
    expect(pages).toHaveLength(3);
    expect(pages.map((p) => p.NextToken !== undefined)).toEqual([true, true, false]);
    expect(pages.flatMap((p) => p.Services)).toEqual((whole.snapshot.incident as XRayServiceGraph).Services);
    const a = analyze(parseSnapshot(whole.snapshot));
    const b = analyze(parseSnapshot(paged.snapshot));
    expect(b.rootCauses).toEqual(a.rootCauses);
    expect(a.rootCauses[0]?.service).toBe('cartservice');
  });
});
