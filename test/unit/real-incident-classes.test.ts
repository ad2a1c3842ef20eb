// The seven classes of mistakes issue 9 found on real incidents (Online Boutique, Train-Ticket, a
// DynamoDB cascade), each written as the smallest hand-made graph that shows it. Every scenario
// here was wrong on the engine at 886af1c: the comment above each says what that engine answered.

import { describe, expect, it } from 'vitest';
import { analyze } from '../../lambdas/core/analyze.ts';
import type { Finding, RootCause, ServiceRole } from '../../lambdas/core/model.ts';
import { parseSnapshot } from '../../lambdas/core/parse.ts';
import {
  edge,
  histogram,
  node,
  type Part,
  snapshot,
  starvedCaller,
  statistics,
  type Traffic,
  type XRaySnapshot,
} from './graph-kit.ts';

function run(incident: readonly Part[], baseline: readonly Part[]): Finding {
  return analyze(parseSnapshot(snapshot(incident, baseline)));
}

function firstCause(f: Finding): RootCause {
  const top = f.rootCauses[0];
  if (!top) throw new Error(`no root cause; summary: ${f.summary}`);
  return top;
}

function roleOf(f: Finding, service: string): ServiceRole | undefined {
  return f.services.find((s) => s.service === service)?.role;
}

function rankOf(f: Finding, service: string): number {
  return f.rootCauses.find((r) => r.service === service)?.rank ?? Number.POSITIVE_INFINITY;
}

/** Every service named in `rootCauses`, in rank order; the same name twice is class 1. */
function names(f: Finding): string[] {
  return f.rootCauses.map((r) => r.service);
}

/**
 * The users' view of the entry in the incident window: graph-kit copies the entry's own figures
 * onto the client → entry edge; a fault in front of the entry shows only on that edge.
 */
function usersSee(snap: XRaySnapshot, traffic: Traffic): XRaySnapshot {
  const client = snap.incident.Services.find((s) => s.Name === 'client');
  const toEntry = client?.Edges[0];
  if (!toEntry) throw new Error('usersSee: the snapshot has no client → entry edge');
  toEntry.SummaryStatistics = statistics(traffic);
  toEntry.ResponseTimeHistogram = histogram(traffic.n, traffic.mean ?? 0.02);
  return snap;
}

describe('Function: analyze (class 1: one service, several lines)', () => {
  it('should name a service with a slow inbound link and its own latency rise once, with both kinds', () => {
    // Prepare: cart's own mean doubles (50 → 100 ms) while web's calls to it take 1.5 s (50 ms before)
    const world = (own: number, calls: number): Part[] => [
      node('web', { n: 1000, mean: 0.01 + calls + 0.03 }),
      node('cart', { n: 1000, mean: own }),
      node('search', { n: 1000, mean: 0.03 }),
      edge('web', 'cart', { n: 1000, mean: calls }),
      edge('web', 'search', { n: 1000, mean: 0.03 }),
    ];

    // Act (886af1c: cart twice, as `slow-link` via web and as `latency`)
    const finding = run(world(0.1, 1.5), world(0.05, 0.05));

    // Assess
    const top = firstCause(finding);
    expect(names(finding)).toEqual([...new Set(names(finding))]);
    expect(top.service).toBe('cart');
    expect(top.kinds).toEqual(expect.arrayContaining(['slow-link', 'latency']));
    expect(top.kinds[0]).toBe(top.kind);
    expect(top.evidence.map((e) => e.signal)).toEqual(expect.arrayContaining(['link', 'latency']));
  });

  it('should name a service with failed calls it never saw and its own faults once, with both kinds', () => {
    // Prepare: cart fails 5 % of requests itself; web sees 25 % of its calls to cart fail
    const world = (own: number, calls: number): Part[] => [
      node('web', { n: 1000, faults: calls, mean: 0.08 }),
      node('cart', { n: 1000, faults: own, mean: 0.05 }),
      node('search', { n: 1000, mean: 0.03 }),
      edge('web', 'cart', { n: 1000, faults: calls, mean: 0.05 }),
      edge('web', 'search', { n: 1000, mean: 0.03 }),
    ];

    // Act (886af1c: cart twice, as `connection-failures` via web and as `faults`)
    const finding = run(world(50, 250), world(0, 0));

    // Assess
    const top = firstCause(finding);
    expect(names(finding)).toEqual([...new Set(names(finding))]);
    expect(top.service).toBe('cart');
    expect(top.kinds).toEqual(expect.arrayContaining(['connection-failures', 'faults']));
    expect(top.evidence.map((e) => e.signal)).toEqual(expect.arrayContaining(['link', 'faults']));
  });
});

describe('Function: analyze (class 2: slow links blamed on the right end)', () => {
  it('should put slow calls from every caller of a fast service on that service, in one line', () => {
    // Prepare: a, b and c each call x once per request; their calls to x take 4 s (50 ms before)
    // while x's own spans stay at 50 ms: the delay sits in front of x (its network, proxy or host)
    const world = (calls: number): Part[] => [
      node('web', { n: 1000, mean: 0.01 + 3 * (0.02 + calls) }),
      ...['a', 'b', 'c'].flatMap((caller) => [
        node(caller, { n: 1000, mean: 0.02 + calls }),
        edge('web', caller, { n: 1000, mean: 0.02 + calls }),
        edge(caller, 'x', { n: 1000, mean: calls }),
      ]),
      node('x', { n: 3000, mean: 0.05 }),
    ];

    // Act (886af1c: x three times, once per caller, each "the calls from <caller> to x")
    const finding = run(world(4), world(0.05));

    // Assess
    const top = firstCause(finding);
    expect(top.service).toBe('x');
    expect(top.via).toBeUndefined();
    expect(names(finding).filter((s) => s === 'x')).toHaveLength(1);
    expect(top.evidence.some((e) => /in front of x/.test(e.text))).toBe(true);
    // It says what it measured — the callers see more than x records — and claims nothing about
    // x's own figures, which may have risen too, short of an anomaly.
    const group = top.evidence.find((e) => /from 3 callers/.test(e.text))?.text ?? '';
    expect(group).toMatch(/beyond what x itself records/);
    expect(group).not.toMatch(/own figures are not/);
    expect(roleOf(finding, 'x')).toBe('origin');
  });

  it("should put slow calls from one caller to several fast services on that caller's side", () => {
    // Prepare: c's calls to p, q and r take 500 ms (50 ms before); d calls the same three at 50 ms
    // in both windows and their own spans stay at 50 ms: c is starved (CPU, pool, its network)
    const world = starvedCaller;

    // Act (886af1c: p, q and r "via c", c only a propagator)
    const finding = run(world(0.5), world(0.05));

    // Assess
    const top = firstCause(finding);
    expect(top.service).toBe('c');
    expect(top.via).toBeUndefined();
    expect(top.evidence.some((e) => /c's side/.test(e.text))).toBe(true);
    expect(top.evidence.find((e) => /c's side/.test(e.text))?.text).toMatch(
      /beyond what those services record/,
    );
    expect(roleOf(finding, 'c')).toBe('origin');
    for (const callee of ['p', 'q', 'r']) expect(roleOf(finding, callee)).not.toBe('origin');
  });
});

describe('Function: analyze (class 3: delay seen only by callers)', () => {
  it('should name an entry service whose users wait 4 s while its own spans stay at 200 ms', () => {
    // Prepare: users' calls to web take 4 s (200 ms before); web, db and search are unchanged
    const world = (): Part[] => [
      node('web', { n: 1000, mean: 0.2 }),
      node('db', { n: 1000, mean: 0.05 }),
      node('search', { n: 1000, mean: 0.08 }),
      edge('web', 'db', { n: 1000, mean: 0.05 }),
      edge('web', 'search', { n: 1000, mean: 0.08 }),
    ];
    const snap = usersSee(snapshot(world(), world()), { n: 1000, mean: 4 });

    // Act (886af1c: no root cause at all)
    const finding = analyze(parseSnapshot(snap));

    // Assess
    const top = firstCause(finding);
    expect(top.service).toBe('web');
    expect(top.kind).toBe('slow-link');
    expect(top.evidence.some((e) => e.text.includes('web'))).toBe(true);
    // The users by that name, as the first step calls them, not by the client node's label.
    expect(top.evidence.some((e) => /^calls from the users to web took /.test(e.text))).toBe(true);
    expect(finding.recommendations[0]?.text).toMatch(/^Calls into web from the users /);
  });
});

describe('Function: analyze (class 4: empty answers)', () => {
  it('should answer when users get 30 % failures from the entry service that it never records', () => {
    // Prepare: 30 % of users' calls to web fail (0 % before) in front of it; web records none
    const world = (): Part[] => [
      node('web', { n: 1000, mean: 0.2 }),
      node('db', { n: 1000, mean: 0.05 }),
      edge('web', 'db', { n: 1000, mean: 0.05 }),
    ];
    const snap = usersSee(snapshot(world(), world()), { n: 1000, faults: 300, mean: 0.2 });

    // Act (886af1c: no root cause at all)
    const finding = analyze(parseSnapshot(snap));

    // Assess
    expect(finding.rootCauses.length).toBeGreaterThan(0);
    expect(firstCause(finding).service).toBe('web');
  });

  it('should answer with a low confidence and say why when every service slowed alike (entry p99 > 1 s)', () => {
    // Prepare: every service's mean is 2.5× its baseline (web 600 ms → 1.5 s, p99 2.25 s): no
    // service rose more than the others, so no rise stands out against the day's drift
    const world = (f: number): Part[] => [
      node('web', { n: 1000, mean: f * 0.6 }),
      node('a', { n: 1000, mean: f * 0.2 }),
      node('b', { n: 1000, mean: f * 0.2 }),
      node('c', { n: 1000, mean: f * 0.1 }),
      node('d', { n: 1000, mean: f * 0.05 }),
      node('e', { n: 1000, mean: f * 0.05 }),
      edge('web', 'a', { n: 1000, mean: f * 0.2 }),
      edge('web', 'b', { n: 1000, mean: f * 0.2 }),
      edge('a', 'c', { n: 1000, mean: f * 0.1 }),
      edge('b', 'd', { n: 1000, mean: f * 0.05 }),
      edge('b', 'e', { n: 1000, mean: f * 0.05 }),
    ];

    // Act (886af1c: no root cause at all)
    const finding = run(world(2.5), world(1));

    // Assess
    expect(finding.services.find((s) => s.service === 'web')?.latency.p99).toBeGreaterThan(1);
    expect(finding.rootCauses.length).toBeGreaterThan(0);
    expect(names(finding)).toEqual([...new Set(names(finding))]);
    expect(firstCause(finding).confidence).toBeLessThan(0.5);
    expect(finding.summary).toMatch(/confidence is low/i);
  });

  // KNOWN WRONG on the engine at 4b4745f (reported to the lead): the answer is there, web with
  // kind `degraded` and the evidence "thin evidence, start here", but at confidence 0.83 and with
  // no "confidence is low" sentence: calibrate() gives a lone candidate the whole share of the
  // scores. Kept failing on purpose; do not loosen it to make it pass.
  it('should answer with a low confidence when the entry has failed 30 % since before the baseline', () => {
    // Prepare: the alarm fired late: web's 30 % faults were already there in the baseline hour
    const world = (): Part[] => [
      node('web', { n: 1000, faults: 300, mean: 0.8 }),
      node('db', { n: 1000, mean: 0.05 }),
      edge('web', 'db', { n: 1000, mean: 0.05 }),
    ];

    // Act (886af1c: no root cause at all)
    const finding = run(world(), world());

    // Assess
    expect(firstCause(finding).service).toBe('web');
    expect(firstCause(finding).confidence).toBeLessThan(0.5);
    expect(finding.summary).toMatch(/confidence is low/i);
  });
});

describe('Function: analyze (class 5: amplified failures)', () => {
  it("should name the callee whose own faults start it, not the caller's link nor the caller", () => {
    // Prepare: b fails 6 % of its requests (0 % before). a calls b 5 times per request and gives up
    // on slow answers too, so it records 20 % of those calls failed and fails 28 % of its requests
    const world = (a: number, calls: number, b: number): Part[] => [
      node('a', { n: 1000, faults: a, mean: 0.12 }),
      node('b', { n: 5000, faults: b, mean: 0.02 }),
      node('c', { n: 1000, mean: 0.01 }),
      edge('a', 'b', { n: 5000, faults: calls, mean: 0.02 }),
      edge('a', 'c', { n: 1000, mean: 0.01 }),
    ];

    // Act (886af1c: first "the calls from a to b" as connection-failures, then b's faults again)
    const finding = run(world(280, 1000, 300), world(0, 0, 0));

    // Assess
    const top = firstCause(finding);
    expect(top.service).toBe('b');
    expect(top.via).toBeUndefined();
    expect(top.kind).toBe('faults');
    expect(names(finding)).toEqual([...new Set(names(finding))]);
    expect(roleOf(finding, 'b')).toBe('origin');
    expect(roleOf(finding, 'a') !== 'origin' || rankOf(finding, 'a') > rankOf(finding, 'b')).toBe(true);
  });
});

describe('Function: analyze (class 6: retries and backoff)', () => {
  it('should give the time a caller spends retrying a failing callee to that callee', () => {
    // Prepare: a's calls to b per request rise 1.0 → 1.6 and 30 % of them fail (connection
    // refused: b records 16 faults); a sleeps between retries (mean 100 → 600 ms) and fails 2.7 %;
    // a's calls to c are unchanged
    interface Window {
      readonly calls: number;
      readonly failed: number;
      readonly bFaults: number;
      readonly aMean: number;
      readonly aFaults: number;
    }
    const world = ({ calls, failed, bFaults, aMean, aFaults }: Window): Part[] => [
      node('a', { n: 1000, faults: aFaults, mean: aMean }),
      node('b', { n: calls - failed + bFaults, faults: bFaults, mean: 0.03 }),
      node('c', { n: 1000, mean: 0.02 }),
      edge('a', 'b', { n: calls, faults: failed, mean: 0.03 }),
      edge('a', 'c', { n: 1000, mean: 0.02 }),
    ];

    // Act (886af1c: a first, for latency)
    const finding = run(
      world({ calls: 1600, failed: 480, bFaults: 16, aMean: 0.6, aFaults: 27 }),
      world({ calls: 1000, failed: 0, bFaults: 0, aMean: 0.1, aFaults: 0 }),
    );

    // Assess
    expect(firstCause(finding).service).toBe('b');
    expect(rankOf(finding, 'a')).toBeGreaterThan(rankOf(finding, 'b'));
    expect(roleOf(finding, 'a')).not.toBe('origin');
    expect(roleOf(finding, 'c')).toBe('healthy');
  });
});

describe('Function: analyze (class 7: faults that change neither status nor latency)', () => {
  /** web → cart → cache; `drift` adds 2 % traffic, one fault each and 1 ms on the 1 ms cache calls. */
  const world = (drift: number): Part[] => [
    node('web', { n: 1000 + 20 * drift, faults: 3 + drift, mean: 0.08 + 0.002 * drift }),
    node('cart', { n: 1000 + 20 * drift, faults: 2 + drift, mean: 0.03 + 0.001 * drift }),
    node('cache', { n: 3000 + 60 * drift, mean: 0.001 }),
    edge('web', 'cart', { n: 1000 + 20 * drift, faults: 2 + drift, mean: 0.03 + 0.001 * drift }),
    edge('cart', 'cache', { n: 3000 + 60 * drift, mean: 0.001 + 0.001 * drift }),
  ];

  it('should say that nothing stands out, and why, when both windows are the same', () => {
    // Act (886af1c: nothing stands out, but no word on faults a service graph cannot show)
    const finding = run(world(0), world(0));

    // Assess
    expect(finding.rootCauses).toEqual([]);
    expect(finding.summary).toMatch(/no anomaly stands out/i);
    expect(finding.summary).toMatch(/cannot be seen in a service graph/i);
  });

  it('should not guess with high confidence from day-to-day noise no user would notice', () => {
    // Act (886af1c: "the calls from cart to cache" as a slow link, 1 ms longer, confidence 0.65)
    const finding = run(world(1), world(0));

    // Assess
    for (const r of finding.rootCauses) expect(r.confidence).toBeLessThan(0.5);
    if (finding.rootCauses.length === 0) expect(finding.summary).toMatch(/no anomaly stands out/i);
  });
});

describe('Function: analyze (a DynamoDB throttling cascade)', () => {
  it('should name the throttling table, not the Lambda that retries against it', () => {
    // Prepare: api → orders-fn → orders-table. The table throttles 6 % of the Lambda's calls;
    // the Lambda retries (calls per request 1.0 → 1.6), sleeps between attempts (80 → 900 ms)
    // and fails 28 % of its requests when it runs out of time, though most retried calls succeed.
    const world = (incident: boolean): Part[] => {
      const calls = incident ? 1600 : 1000;
      const throttles = incident ? 96 : 0;
      const table = { n: calls, throttles, mean: incident ? 0.04 : 0.01, type: 'AWS::DynamoDB::Table' };
      return [
        node('api', { n: 1000, faults: incident ? 280 : 1, mean: incident ? 0.95 : 0.1 }),
        node('orders-fn', {
          n: 1000,
          faults: incident ? 280 : 1,
          mean: incident ? 0.9 : 0.08,
          type: 'AWS::Lambda::Function',
        }),
        node('orders-table', table),
        edge('api', 'orders-fn', { n: 1000, faults: incident ? 280 : 1, mean: incident ? 0.9 : 0.08 }),
        edge('orders-fn', 'orders-table', table),
      ];
    };

    // Act
    const finding = run(world(true), world(false));

    // Assess
    expect(firstCause(finding).service).toBe('orders-table');
    expect(roleOf(finding, 'orders-fn')).not.toBe('origin');
  });
});
