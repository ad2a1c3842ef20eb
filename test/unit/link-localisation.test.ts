// Link faults on sparse graphs (issue 17 §3): which end of a faulty link is to blame when the
// caller has other faulty links too, and how far a few calls can carry a link's severity.

import { describe, expect, it } from 'vitest';
import { analyze } from '../../lambdas/core/analyze.ts';
import type { Finding } from '../../lambdas/core/model.ts';
import { parseSnapshot } from '../../lambdas/core/parse.ts';
import { latencyRiseZ, rankRiseZ } from '../../lambdas/core/stats.ts';
import { edge, node, type Part, snapshot } from './graph-kit.ts';

function run(incident: readonly Part[], baseline: readonly Part[]): Finding {
  return analyze(parseSnapshot(snapshot(incident, baseline)));
}

describe('Function: analyze (link faults on sparse graphs)', () => {
  it("should blame the callee of one strong slow link, not the caller's side, when the caller's other slow link is weak", () => {
    // Prepare: s calls x and y; calls to x wait 4 s (13 ms before) while x's own spans stay at
    // 5 ms; calls to y are 14 ms slower than y accounts for. One strong link and one weak one are
    // two different things, not a starved caller (which slows every call about alike).
    const world = (toX: number, toY: number): Part[] => [
      node('web', { n: 500, mean: 0.02 + toX + toY }),
      edge('web', 's', { n: 500, mean: 0.01 + toX + toY }),
      node('s', { n: 500, mean: 0.01 + toX + toY }),
      edge('s', 'x', { n: 500, mean: toX }),
      edge('s', 'y', { n: 500, mean: toY }),
      node('x', { n: 500, mean: 0.005 }),
      node('y', { n: 500, mean: 0.02 }),
    ];

    // Act (688418f: s first, "the fault is on s's side")
    const finding = run(world(4, 0.034), world(0.013, 0.02));

    // Assess
    const top = finding.rootCauses[0];
    expect(top?.service).toBe('x');
    expect(top?.kind).toBe('slow-link');
    expect(top?.evidence.some((e) => /s's side/.test(e.text))).toBe(false);
  });

  it('should still put several alike slow links from one caller on its side', () => {
    // Prepare: c's calls to p, q and r each wait about 90 ms more while their own spans stay fast
    const world = (extra: number): Part[] => [
      node('web', { n: 800, mean: 0.02 + 3 * (0.01 + extra) }),
      edge('web', 'c', { n: 800, mean: 0.01 + 3 * (0.01 + extra) }),
      node('c', { n: 800, mean: 0.01 + 3 * (0.01 + extra) }),
      ...['p', 'q', 'r'].flatMap((callee, i) => [
        edge('c', callee, { n: 800, mean: 0.01 + extra * (1 + 0.1 * i) }),
        node(callee, { n: 800, mean: 0.01 }),
      ]),
    ];

    // Act
    const finding = run(world(0.09), world(0));

    // Assess
    expect(finding.rootCauses[0]?.service).toBe('c');
    expect(finding.rootCauses[0]?.evidence.some((e) => /c's side/.test(e.text))).toBe(true);
  });
});

describe('Function: rankRiseZ', () => {
  const stats = (values: readonly number[]) => {
    const bins = new Map<number, number>();
    for (const v of values) bins.set(v, (bins.get(v) ?? 0) + 1);
    const sorted = [...bins.entries()].sort((a, b) => a[0] - b[0]);
    const histogram = { values: sorted.map(([value]) => value), counts: sorted.map(([, count]) => count) };
    const totalTime = values.reduce((s, v) => s + v, 0);
    return {
      total: values.length,
      ok: values.length,
      faults: 0,
      errors: 0,
      throttles: 0,
      totalTime,
      histogram,
    };
  };

  it('should see no rise when one outlier among a handful of calls carries the whole rise of the mean', () => {
    // Prepare: five calls at 10–14 ms before; now four at 10–13 ms and one at 2 s
    const before = stats([0.01, 0.011, 0.012, 0.013, 0.014]);
    const now = stats([0.01, 0.011, 0.012, 0.013, 2]);

    // Act
    const rank = rankRiseZ(now, before);
    const mean = latencyRiseZ(now, before);

    // Assess: the mean test alone would call it a rise; the typical call did not slow down
    expect(rank).toBeLessThan(1);
    expect(mean).toBeGreaterThan(rank);
  });

  it('should see a strong rise when every call got slower', () => {
    // Prepare
    const before = stats(Array.from({ length: 40 }, (_, i) => 0.01 + 0.0001 * i));
    const now = stats(Array.from({ length: 40 }, (_, i) => 0.02 + 0.0001 * i));

    // Act
    const z = rankRiseZ(now, before);

    // Assess
    expect(z).toBeGreaterThan(5);
  });
});

describe('Function: analyze (one slow link, the callee fast for everyone else)', () => {
  it("should put one slow link on the caller's side when the callee answers its other callers as fast as before", () => {
    // Prepare: a's calls to x take 300 ms more; b calls x 1,000 times at 20 ms in both windows and
    // x's own spans stay at 20 ms: the delay is a's (its host, network or sidecar)
    const world = (extra: number): Part[] => [
      node('web', { n: 2000, mean: 0.05 + extra / 2 }),
      edge('web', 'a', { n: 1000, mean: 0.03 + extra }),
      edge('web', 'b', { n: 1000, mean: 0.03 }),
      node('a', { n: 1000, mean: 0.03 + extra }),
      node('b', { n: 1000, mean: 0.03 }),
      edge('a', 'x', { n: 1000, mean: 0.02 + extra }),
      edge('b', 'x', { n: 1000, mean: 0.02 }),
      node('x', { n: 2000, mean: 0.02 }),
    ];

    // Act (688418f: x "via a", whatever b sees)
    const finding = run(world(0.3), world(0));

    // Assess
    const top = finding.rootCauses[0];
    expect(top?.service).toBe('a');
    expect(top?.evidence[0]?.text).toMatch(
      /x answers its other callers as fast as before: the delay is on a's side/,
    );
  });
});
