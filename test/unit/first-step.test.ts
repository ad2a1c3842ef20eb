// The first step a finding gives is about its first root cause. A line whose lead is a group of
// faulty links (calls into a service slower than it records, or a service's calls to several
// healthy ones all slow) gets advice of its own: what sits in front of the service, or the
// service itself starved. On the public sets 31 of 303 first answers had a first step about
// another service before this rule.

import { describe, expect, it } from 'vitest';
import { analyze } from '../../lambdas/core/analyze.ts';
import type { Finding } from '../../lambdas/core/model.ts';
import { parseSnapshot } from '../../lambdas/core/parse.ts';
import { edge, node, type Part, snapshot, starvedCaller } from './graph-kit.ts';

function run(incident: readonly Part[], baseline: readonly Part[]): Finding {
  return analyze(parseSnapshot(snapshot(incident, baseline)));
}

/**
 * web calls a, b and c, each of which calls x; their calls to x take `calls` s while x's own
 * spans stay at 50 ms. web also calls y, whose own time goes from 20 ms to `y` s: a second origin
 * with a remedy of its own (a timeout in web).
 */
function frontOfX(calls: number, y: number): Part[] {
  return [
    node('web', { n: 1000, mean: 0.01 + 3 * (0.02 + calls) + y }),
    ...['a', 'b', 'c'].flatMap((caller) => [
      node(caller, { n: 1000, mean: 0.02 + calls }),
      edge('web', caller, { n: 1000, mean: 0.02 + calls }),
      edge(caller, 'x', { n: 1000, mean: calls }),
    ]),
    node('x', { n: 3000, mean: 0.05 }),
    node('y', { n: 1000, mean: y }),
    edge('web', 'y', { n: 1000, mean: y }),
  ];
}

describe('Function: analyze (the first step is about the first root cause)', () => {
  it('should advise on what sits in front of a service whose callers all wait on it beyond what it records', () => {
    // Prepare: x's callers wait 1 s on it (50 ms before) while x records 50 ms; y slows 20 → 500 ms
    const incident = frontOfX(1, 0.5);
    const baseline = frontOfX(0.05, 0.02);

    // Act
    const finding = run(incident, baseline);

    // Assess: x first, y second, and the first step is about x, not y's timeout in web
    expect(finding.rootCauses.map((r) => r.service)).toEqual(['x', 'y']);
    const first = finding.recommendations[0];
    expect(first?.service).toBe('x');
    expect(first?.action).toBe('timeout');
    expect(first?.text).toMatch(
      /^Calls into x from a, b, c are slower than x itself records: check what sits in front of x/,
    );
    // y's own advice is still there, after it
    expect(finding.recommendations.slice(1).some((r) => r.text.includes('y'))).toBe(true);
  });

  it('should advise a starved service to look at itself when its calls to several healthy services are all slow', () => {
    // Prepare: c's calls to p, q and r take 500 ms (50 ms before); d calls the same three at 50 ms
    const world = starvedCaller;

    // Act
    const finding = run(world(0.5), world(0.05));

    // Assess
    expect(finding.rootCauses[0]?.service).toBe('c');
    const first = finding.recommendations[0];
    expect(first?.service).toBe('c');
    expect(first?.text).toMatch(
      /^c's calls to p, q, r are slow or failing beyond what those services record, so c itself is starved: check c's CPU/,
    );
  });

  it('should name the failed calls a service never records and put the circuit breaker on them', () => {
    // Prepare: a and b each see 200 of their 1,000 calls to x fail; x records none
    const world = (failed: number): Part[] => [
      node('web', { n: 1000, faults: failed, mean: 0.1 }),
      ...['a', 'b'].flatMap((caller) => [
        node(caller, { n: 1000, faults: failed, mean: 0.05 }),
        edge('web', caller, { n: 1000, faults: failed, mean: 0.05 }),
        edge(caller, 'x', { n: 1000, faults: failed, mean: 0.03 }),
      ]),
      node('x', { n: 2000, mean: 0.03 }),
    ];

    // Act
    const finding = run(world(200), world(0));

    // Assess
    expect(finding.rootCauses[0]?.service).toBe('x');
    expect(finding.rootCauses[0]?.kind).toBe('connection-failures');
    const first = finding.recommendations[0];
    expect(first?.action).toBe('circuit-breaker');
    expect(first?.text).toMatch(/^a, b fail calls to x that x never records \(400 of 2000\)/);
  });
});
