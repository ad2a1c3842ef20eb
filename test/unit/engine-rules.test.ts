// The engine's rules on small hand-made graphs: each scenario is one pattern from DESIGN.md
// "The analysis", written as the X-Ray numbers an on-call engineer would see.

import { describe, expect, it } from 'vitest';
import { type AnalyzeOptions, analyze } from '../../lambdas/core/analyze.ts';
import { UnknownServiceError } from '../../lambdas/core/errors.ts';
import type { Finding, RootCause, ServiceRole } from '../../lambdas/core/model.ts';
import { parseSnapshot } from '../../lambdas/core/parse.ts';
import { configMs } from '../../lambdas/core/recommendations.ts';
import { edge, node, type Part, snapshot } from './graph-kit.ts';

function run(incident: readonly Part[], baseline?: readonly Part[], options: AnalyzeOptions = {}): Finding {
  return analyze(parseSnapshot(snapshot(incident, baseline)), options);
}

function roleOf(f: Finding, service: string): ServiceRole | undefined {
  return f.services.find((s) => s.service === service)?.role;
}

function firstCause(f: Finding): RootCause {
  const top = f.rootCauses[0];
  if (!top) throw new Error(`no root cause; summary: ${f.summary}`);
  return top;
}

/** api → orders → db; db's faults pass through every caller unchanged. */
const leafFaults = (faults: number): Part[] => [
  node('api', { n: 1000, faults, mean: 0.05 }),
  node('orders', { n: 1000, faults, mean: 0.03 }),
  node('db', { n: 1000, faults, mean: 0.01 }),
  edge('api', 'orders', { n: 1000, faults, mean: 0.03 }),
  edge('orders', 'db', { n: 1000, faults, mean: 0.01 }),
];

/** api → proxy → slow; each hop adds 10 ms of its own to whatever `slow` takes. */
const slowCallee = (slowMean: number): Part[] => [
  node('api', { n: 1000, mean: 0.02 + slowMean }),
  node('proxy', { n: 1000, mean: 0.01 + slowMean }),
  node('slow', { n: 1000, mean: slowMean }),
  edge('api', 'proxy', { n: 1000, mean: 0.01 + slowMean }),
  edge('proxy', 'slow', { n: 1000, mean: slowMean }),
];

/** api calls a remote endpoint on every request; the remote's faults become api's. */
const failingRemote = (faults: number): Part[] => [
  node('api', { n: 1000, faults, mean: 0.05 }),
  node('payments.example.com', { n: 1000, faults, mean: 0.01, type: 'remote' }),
  edge('api', 'payments.example.com', { n: 1000, faults, mean: 0.01 }),
];

/** api calls a quota-limited service; its 429s surface as api's 5xx. */
const throttledCallee = (throttles: number): Part[] => [
  node('api', { n: 1000, faults: throttles, mean: 0.05 }),
  node('quota', { n: 1000, throttles, mean: 0.01 }),
  edge('api', 'quota', { n: 1000, throttles, mean: 0.01 }),
];

describe('Function: analyze (leaf fault cascading up)', () => {
  const finding = run(leafFaults(200), leafFaults(0));

  it('should rank the leaf dependency first, as an origin', () => {
    // Act
    const top = firstCause(finding);

    // Assess
    expect(top.service).toBe('db');
    expect(top.kind).toBe('faults');
    expect(top.via).toBeUndefined();
    expect(roleOf(finding, 'db')).toBe('origin');
  });

  it('should call the callers that pass the faults on propagators', () => {
    // Assess
    expect(roleOf(finding, 'orders')).toBe('propagator');
    expect(roleOf(finding, 'api')).toBe('propagator');
    expect(finding.rootCauses.filter((r) => r.service !== 'db' && r.confidence >= 0.5)).toEqual([]);
  });

  it('should trace the cascade path from the leaf up to the entry service', () => {
    // Act
    const path = finding.cascade.paths.find((p) => p.rank === 1);

    // Assess
    expect(path?.origin).toBe('db');
    expect(path?.services).toEqual(['db', 'orders', 'api']);
  });

  it('should put the callers in the blast radius and the entry service among the entry points', () => {
    // Act
    const blast = firstCause(finding).blastRadius;

    // Assess
    expect(blast.affected).toEqual(expect.arrayContaining(['api', 'orders']));
    expect(blast.atRisk).toEqual(expect.arrayContaining(['api', 'orders']));
    expect(blast.entryPoints).toContain('api');
    expect(blast.entryTrafficShare).toBeGreaterThan(0);
    expect(blast.entryTrafficShare).toBeLessThanOrEqual(1);
  });

  it('should give evidence with the incident and baseline fault rates', () => {
    // Act
    const evidence = firstCause(finding).evidence.find((e) => e.signal === 'faults');

    // Assess
    expect(evidence).toMatchObject({ incident: 0.2, baseline: 0, requests: 1000 });
    expect(evidence?.text).toContain('20.0 %');
  });

  it('should report a COMPLETED finding whose summary names the origin', () => {
    // Assess
    expect(finding.status).toBe('COMPLETED');
    expect(finding.summary).toContain('db');
    expect(finding.dependencyChain.map((c) => c.service)).toEqual(['api', 'orders', 'db']);
  });
});

describe('Function: analyze (latency)', () => {
  const finding = run(slowCallee(0.4), slowCallee(0.02));

  it('should blame the slow callee, not the proxy whose latency only mirrors it', () => {
    // Act
    const top = firstCause(finding);

    // Assess
    expect(top.service).toBe('slow');
    expect(top.kind).toBe('latency');
    expect(finding.rootCauses.some((r) => r.service === 'proxy')).toBe(false);
  });

  it('should call the proxy and the entry propagators', () => {
    // Assess
    expect(roleOf(finding, 'slow')).toBe('origin');
    expect(roleOf(finding, 'proxy')).toBe('propagator');
    expect(roleOf(finding, 'api')).toBe('propagator');
  });

  it('should give latency evidence in milliseconds with the baseline', () => {
    // Act
    const evidence = firstCause(finding).evidence.find((e) => e.signal === 'latency');

    // Assess
    expect(evidence?.incident).toBeCloseTo(0.4, 6);
    expect(evidence?.baseline).toBeCloseTo(0.02, 6);
    expect(evidence?.text).toContain('400 ms');
  });
});

describe('Function: analyze (weak and stale evidence)', () => {
  it('should not rank a service with a handful of requests above a real origin', () => {
    // Prepare: db fails 15 % of 1000 requests; tiny fails 2 of its 4, and nothing failed before
    const world = (dbFaults: number, tinyFaults: number): Part[] => [
      node('api', { n: 1000, faults: dbFaults + tinyFaults, mean: 0.05 }),
      node('db', { n: 1000, faults: dbFaults, mean: 0.01 }),
      node('tiny', { n: 4, faults: tinyFaults, mean: 0.01 }),
      edge('api', 'db', { n: 1000, faults: dbFaults, mean: 0.01 }),
      edge('api', 'tiny', { n: 4, faults: tinyFaults, mean: 0.01 }),
    ];

    // Act
    const finding = run(world(150, 2), world(0, 0));

    // Assess
    expect(firstCause(finding).service).toBe('db');
    const tiny = finding.rootCauses.find((r) => r.service === 'tiny');
    if (tiny) {
      expect(tiny.confidence).toBeLessThan(firstCause(finding).confidence);
      expect(tiny.evidence.some((e) => e.text.includes('too few'))).toBe(true);
    }
  });

  it('should not call a step that fails 100 % in both windows an origin, nor rank it above a new fault', () => {
    // Prepare: `broken` has always failed every call; db's faults are new
    const world = (dbFaults: number): Part[] => [
      node('api', { n: 1000, faults: dbFaults + 100, mean: 0.05 }),
      node('db', { n: 1000, faults: dbFaults, mean: 0.01 }),
      node('broken', { n: 100, faults: 100, mean: 0.01 }),
      edge('api', 'db', { n: 1000, faults: dbFaults, mean: 0.01 }),
      edge('api', 'broken', { n: 100, faults: 100, mean: 0.01 }),
    ];

    // Act
    const finding = run(world(150), world(0));

    // Assess
    expect(firstCause(finding).service).toBe('db');
    expect(roleOf(finding, 'broken')).not.toBe('origin');
    expect(roleOf(finding, 'broken')).not.toBe('propagator');
  });

  it('should report a node with no baseline with lower confidence and score than the same node with one', () => {
    // Prepare: the same incident, once with db in the baseline and once without it
    const incident: Part[] = [
      node('api', { n: 1000, faults: 150, mean: 0.05 }),
      node('db', { n: 1000, faults: 150, mean: 0.01 }),
      edge('api', 'db', { n: 1000, faults: 150, mean: 0.01 }),
    ];
    const withDb: Part[] = [
      node('api', { n: 1000, mean: 0.05 }),
      node('db', { n: 1000, mean: 0.01 }),
      edge('api', 'db', { n: 1000, mean: 0.01 }),
    ];
    const withoutDb: Part[] = [node('api', { n: 1000, mean: 0.05 })];

    // Act
    const known = run(incident, withDb).rootCauses.find((r) => r.service === 'db');
    const unknown = run(incident, withoutDb).rootCauses.find((r) => r.service === 'db');

    // Assess
    expect(known).toBeDefined();
    if (unknown) {
      expect(unknown.confidence).toBeLessThan(known?.confidence ?? 0);
      expect(unknown.score).toBeLessThan(known?.score ?? 0);
      expect(unknown.evidence.some((e) => e.text.includes('no baseline'))).toBe(true);
    }
  });
});

describe('Function: analyze (faults only the caller sees)', () => {
  // api → b: api records 20 % failed calls to b; b itself served every request it received.
  const world = (faults: number): Part[] => [
    node('api', { n: 1000, faults, mean: 0.05 }),
    node('b', { n: 1000 - faults, mean: 0.01 }),
    edge('api', 'b', { n: 1000, faults, mean: 0.01 }),
  ];
  const finding = run(world(200), world(0));

  it('should report the link from the caller, not the callee alone', () => {
    // Act
    const top = firstCause(finding);

    // Assess
    expect(top.service).toBe('b');
    expect(top.via).toBe('api');
    expect(top.kind).toBe('connection-failures');
    expect(top.evidence[0]?.signal).toBe('link');
    expect(
      finding.rootCauses.some((r) => r.service === 'b' && r.via === undefined && r.confidence >= 0.5),
    ).toBe(false);
  });

  it('should trace the cascade from the callee through the caller that saw the failures', () => {
    // Act
    const path = finding.cascade.paths.find((p) => p.rank === 1);

    // Assess
    expect(path?.services).toEqual(['b', 'api']);
  });

  it('should recommend a circuit breaker on the caller', () => {
    // Act
    const rec = finding.recommendations.find((r) => r.action === 'circuit-breaker');

    // Assess
    expect(rec?.service).toBe('api');
    expect(rec?.text).toContain('200 of 1000');
  });
});

describe('Function: analyze (throttling only the caller sees)', () => {
  it('should report a throttled link and recommend rate limiting in the caller', () => {
    // Prepare: api gets 429s on 20 % of its calls to b, which b never records
    const world = (throttles: number): Part[] => [
      node('api', { n: 1000, faults: throttles, mean: 0.05 }),
      node('b', { n: 1000 - throttles, mean: 0.01 }),
      edge('api', 'b', { n: 1000, throttles, mean: 0.01 }),
    ];

    // Act
    const finding = run(world(200), world(0));

    // Assess
    expect(firstCause(finding)).toMatchObject({ service: 'b', via: 'api', kind: 'throttled-link' });
    expect(finding.recommendations.find((r) => r.action === 'rate-limit')?.service).toBe('api');
  });
});

describe('Function: analyze (new dependency)', () => {
  // c starts calling a DynamoDB table absent from the baseline; every call fails and c fails with it.
  const world = (started: boolean): Part[] => [
    node('api', { n: 1000, faults: started ? 300 : 0, mean: 0.05 }),
    node('c', { n: 1000, faults: started ? 300 : 0, mean: 0.03 }),
    ...(started
      ? [node('new-table', { n: 300, faults: 300, mean: 0.01, type: 'AWS::DynamoDB::Table' })]
      : []),
    edge('api', 'c', { n: 1000, faults: started ? 300 : 0, mean: 0.03 }),
    ...(started ? [edge('c', 'new-table', { n: 300, faults: 300, mean: 0.01 })] : []),
  ];
  const finding = run(world(true), world(false));

  it('should blame the caller that started the call, as a new dependency', () => {
    // Act
    const top = firstCause(finding);

    // Assess
    expect(top.service).toBe('c');
    expect(top.kind).toBe('new-dependency');
    expect(top.evidence.some((e) => e.signal === 'new-dependency' && e.text.includes('new-table'))).toBe(
      true,
    );
    expect(finding.rootCauses.some((r) => r.service === 'new-table')).toBe(false);
  });

  it('should recommend rolling back the change to the caller', () => {
    // Act
    const rec = finding.recommendations.find((r) => r.action === 'rollback');

    // Assess
    expect(rec?.service).toBe('c');
  });
});

describe('Function: analyze (scoping to one service)', () => {
  // api → orders → db fails; api → side fails on its own. Scoped to orders, side is out of sight.
  const world = (faults: number): Part[] => [
    node('api', { n: 1000, faults: faults + faults / 2, mean: 0.05 }),
    node('orders', { n: 1000, faults, mean: 0.03 }),
    node('db', { n: 1000, faults, mean: 0.01 }),
    node('side', { n: 500, faults: faults / 2, mean: 0.01 }),
    edge('api', 'orders', { n: 1000, faults, mean: 0.03 }),
    edge('orders', 'db', { n: 1000, faults, mean: 0.01 }),
    edge('api', 'side', { n: 500, faults: faults / 2, mean: 0.01 }),
  ];

  it('should rank only the service and what it calls', () => {
    // Act
    const whole = run(world(200), world(0));
    const scoped = run(world(200), world(0), { service: 'orders' });

    // Assess
    expect(whole.rootCauses.map((r) => r.service)).toContain('side');
    expect(scoped.rootCauses.length).toBeGreaterThan(0);
    for (const r of scoped.rootCauses) expect(['orders', 'db']).toContain(r.service);
    expect(scoped.services.map((s) => s.service).sort()).toEqual(['db', 'orders']);
    expect(scoped.dependencyChain[0]).toMatchObject({ service: 'orders', depth: 0, parent: null });
    expect(scoped.trigger).toEqual({ source: 'cli', service: 'orders' });
    expect(firstCause(scoped).service).toBe('db');
  });

  it('should throw UnknownServiceError with close names for a service not in the graph', () => {
    // Prepare
    const parsed = parseSnapshot(snapshot(world(200), world(0)));

    // Act
    let caught: unknown;
    try {
      analyze(parsed, { service: 'order' });
    } catch (err) {
      caught = err;
    }

    // Assess
    expect(caught).toBeInstanceOf(UnknownServiceError);
    expect((caught as UnknownServiceError).suggestions).toContain('orders');
    expect((caught as UnknownServiceError).message).toContain('"order"');
  });
});

describe('Function: analyze (whole-graph health)', () => {
  it('should report NO_DATA and no root cause for an empty graph', () => {
    // Act
    const finding = analyze(parseSnapshot({ Services: [] }));

    // Assess
    expect(finding.status).toBe('NO_DATA');
    expect(finding.rootCauses).toEqual([]);
    expect(finding.services).toEqual([]);
    expect(finding.systemHealth).toBe(1);
  });

  it('should find nothing confident and high health in a graph identical in both windows', () => {
    // Prepare: a little background noise that is the same before and during
    const world: Part[] = [
      node('api', { n: 5000, faults: 5, errors: 40, mean: 0.08 }),
      node('orders', { n: 3000, faults: 3, mean: 0.04 }),
      node('db', { n: 3000, faults: 3, mean: 0.01, type: 'AWS::DynamoDB::Table' }),
      node('cache', { n: 2000, mean: 0.002, type: 'AWS::ElastiCache::Cluster' }),
      edge('api', 'orders', { n: 3000, faults: 3, mean: 0.04 }),
      edge('orders', 'db', { n: 3000, faults: 3, mean: 0.01 }),
      edge('api', 'cache', { n: 2000, mean: 0.002 }),
    ];

    // Act
    const finding = run(world, world);

    // Assess
    expect(finding.status).toBe('COMPLETED');
    expect(finding.rootCauses.filter((r) => r.confidence >= 0.5)).toEqual([]);
    expect(finding.systemHealth).toBeGreaterThanOrEqual(0.95);
    expect(finding.services.every((s) => s.role === 'healthy')).toBe(true);
  });

  it('should never raise systemHealth when the entry service fails more', () => {
    // Prepare
    const world = (faults: number): Part[] => [
      node('api', { n: 1000, faults, mean: 0.05 }),
      node('db', { n: 1000, mean: 0.01 }),
      edge('api', 'db', { n: 1000, mean: 0.01 }),
    ];
    const levels = [0, 5, 10, 30, 60, 100, 250, 500, 1000];

    // Act
    const withBaseline = levels.map((k) => run(world(k), world(0)).systemHealth);
    const withoutBaseline = levels.map((k) => run(world(k)).systemHealth);

    // Assess
    for (const series of [withBaseline, withoutBaseline]) {
      for (let i = 1; i < series.length; i++) {
        expect(series[i]).toBeLessThanOrEqual(series[i - 1] ?? 1);
      }
      expect(series[0]).toBe(1);
      expect(series[series.length - 1]).toBeLessThan(0.5);
    }
  });
});

describe('Function: analyze (entry points)', () => {
  it('should count a Root service that other services also call as an entry point', () => {
    // Prepare: users reach web and, directly, worker (Root); web also calls worker; db fails under both
    const world = (k: number): Part[] => [
      node('web', { n: 1000, faults: 2 * k, mean: 0.05 }),
      node('worker', { n: 1500, faults: 3 * k, mean: 0.03, root: true }),
      node('db', { n: 1500, faults: 3 * k, mean: 0.01 }),
      edge('web', 'worker', { n: 1000, faults: 2 * k, mean: 0.03 }),
      edge('worker', 'db', { n: 1500, faults: 3 * k, mean: 0.01 }),
    ];

    // Act
    const finding = run(world(50), world(0));

    // Assess
    expect(firstCause(finding).service).toBe('db');
    expect(firstCause(finding).blastRadius.entryPoints).toEqual(['web', 'worker']);
    expect(roleOf(finding, 'worker')).toBe('propagator');
    expect(roleOf(finding, 'web')).toBe('propagator');
  });
});

describe('Function: analyze (scores and recommendations)', () => {
  const scenarios: [string, Finding][] = [
    ['leaf faults', run(leafFaults(200), leafFaults(0))],
    ['latency', run(slowCallee(0.4), slowCallee(0.02))],
    ['failing remote', run(failingRemote(200), failingRemote(0))],
    ['throttling', run(throttledCallee(200), throttledCallee(0))],
    ['no baseline', run(leafFaults(200))],
  ];

  it.each(scenarios)(
    'should keep impactScore an integer in [0, 100] and confidence in [0, 1] (%s)',
    (_name, f) => {
      // Assess
      expect(f.rootCauses.length).toBeGreaterThan(0);
      for (const r of f.rootCauses) {
        expect(Number.isInteger(r.impactScore)).toBe(true);
        expect(r.impactScore).toBeGreaterThanOrEqual(0);
        expect(r.impactScore).toBeLessThanOrEqual(100);
        expect(r.confidence).toBeGreaterThanOrEqual(0);
        expect(r.confidence).toBeLessThanOrEqual(1);
      }
      expect(f.rootCauses.map((r) => r.rank)).toEqual(f.rootCauses.map((_, i) => i + 1));
    },
  );

  it.each(scenarios)('should name a service of the graph in every recommendation (%s)', (_name, f) => {
    // Prepare
    const names = new Set(f.services.map((s) => s.service));

    // Assess
    expect(f.recommendations.length).toBeGreaterThan(0);
    for (const rec of f.recommendations) expect(names).toContain(rec.service);
  });

  it('should give a clear top root cause a high impact score', () => {
    // Act
    const top = firstCause(run(leafFaults(200), leafFaults(0)));

    // Assess
    expect(top.impactScore).toBeGreaterThanOrEqual(50);
  });

  it('should recommend a circuit breaker in the caller of a failing remote dependency', () => {
    // Act
    const finding = run(failingRemote(200), failingRemote(0));
    const rec = finding.recommendations.find((r) => r.action === 'circuit-breaker');

    // Assess
    expect(firstCause(finding).service).toBe('payments.example.com');
    expect(rec?.service).toBe('api');
    expect(rec?.text).toContain('payments.example.com');
    expect(rec?.text).toContain('20.0 %');
  });

  it('should recommend a timeout to the callers of a latency origin', () => {
    // Act
    const finding = run(slowCallee(0.4), slowCallee(0.02));
    const rec = finding.recommendations.find((r) => r.action === 'timeout');

    // Assess
    expect(rec?.service).toBe('proxy');
    expect(rec?.text).toContain('slow');
  });

  it('should recommend rate limiting for a service whose throttles rise', () => {
    // Act
    const finding = run(throttledCallee(200), throttledCallee(0));
    const rec = finding.recommendations.find((r) => r.action === 'rate-limit');

    // Assess
    expect(firstCause(finding)).toMatchObject({ service: 'quota', kind: 'throttling' });
    expect(rec?.service).toBe('quota');
    expect(rec?.text).toContain('20.0 %');
  });
});

describe('Function: analyze (comparison methods)', () => {
  it("should rank the caller before the callee with method 'seed' — the baseline to beat", () => {
    // Act
    const seed = run(leafFaults(200), leafFaults(0), { method: 'seed' });
    const engine = run(leafFaults(200), leafFaults(0));

    // Assess
    const order = seed.rootCauses.map((r) => r.service);
    expect(seed.method).toBe('seed');
    expect(order[0]).toBe('api');
    expect(order.indexOf('orders')).toBeLessThan(order.indexOf('db'));
    expect(firstCause(engine).service).toBe('db');
  });

  it("should return ranked root causes with method 'naive' too", () => {
    // Act
    const naive = run(leafFaults(200), leafFaults(0), { method: 'naive' });

    // Assess
    expect(naive.method).toBe('naive');
    expect(naive.status).toBe('COMPLETED');
    expect(naive.rootCauses.map((r) => r.service).sort()).toEqual(['api', 'db', 'orders']);
    expect(naive.rootCauses.map((r) => r.rank)).toEqual([1, 2, 3]);
  });

  it('should give each method its own analysisId for the same snapshot', () => {
    // Prepare
    const parsed = parseSnapshot(snapshot(leafFaults(200), leafFaults(0)));

    // Act
    const ids = (['engine', 'seed', 'naive'] as const).map(
      (method) => analyze(parsed, { method }).analysisId,
    );

    // Assess
    expect(new Set(ids).size).toBe(3);
    for (const id of ids) expect(id).toMatch(/^an-[0-9a-f]{16}$/);
  });
});

describe('Function: configMs', () => {
  it('should round a timeout to what a person types into a config', () => {
    // Act and Assess
    expect(configMs(0.601)).toBe('600 ms');
    expect(configMs(0.0573)).toBe('57 ms');
    expect(configMs(1.234)).toBe('1.2 s');
    expect(configMs(12.7)).toBe('13 s');
    expect(configMs(0)).toBe('1 ms');
  });
});
