// Which baseline an incident is compared with (core/baseline-choice.ts): the window right before,
// unless a service was in an outage then and the same hours a day earlier heal it without adding one.

import { describe, expect, it } from 'vitest';
import { healedBy, servicesInOutage, windowCounts } from '../../lambdas/core/baseline-choice.ts';
import { GraphInputError } from '../../lambdas/core/errors.ts';
import { parseSnapshot } from '../../lambdas/core/parse.ts';
import { edge, node, type Part, snapshot } from './graph-kit.ts';

/** web → db → cache, 400 requests each; db's and cache's 5xx as given. */
const world = (dbFaults: number, cacheFaults = 0, withCache = true): Part[] => [
  node('web', { n: 400, faults: dbFaults }),
  edge('web', 'db', { n: 400, faults: dbFaults }),
  node('db', { n: 400, faults: dbFaults }),
  ...(withCache
    ? [edge('db', 'cache', { n: 400, faults: cacheFaults }), node('cache', { n: 400, faults: cacheFaults })]
    : []),
];
const graph = (parts: Part[]) => windowCounts(snapshot(parts).incident);

describe('Function: servicesInOutage', () => {
  it('should name the services that failed at least half of their requests', () => {
    // Act
    const out = servicesInOutage(graph(world(200, 199)));

    // Assess: db 200 of 400 (and web, which fails with it); cache 199 of 400 is a bad window, not an outage
    expect([...out.values()].sort()).toEqual(['db', 'web']);
  });
});

describe('Function: healedBy', () => {
  it('should heal the outage when the earlier window answers where the first failed', () => {
    expect(healedBy(graph(world(360)), graph(world(2)))).toEqual(['db', 'web']);
  });

  it('should heal nothing when the first window had no outage', () => {
    expect(healedBy(graph(world(10)), graph(world(0)))).toEqual([]);
  });

  it('should heal nothing when the earlier window brings an outage of its own', () => {
    // cache fails 300 of 400 a day earlier
    expect(healedBy(graph(world(360)), graph(world(2, 300)))).toEqual([]);
  });

  it('should heal nothing when the earlier window was an outage too', () => {
    expect(healedBy(graph(world(360)), graph(world(380)))).toEqual([]);
  });

  it('should not count a service the earlier window does not show as healed', () => {
    // Prepare: only cache was in an outage, and the day before has no cache at all
    const first = graph(world(0, 400));
    const earlier = graph(world(0, 0, false));

    // Act and Assess
    expect(healedBy(first, earlier)).toEqual([]);
  });
});

describe('Function: parseSnapshot (baselineNote)', () => {
  it('should carry the note and refuse one that is not a sentence, naming the field', () => {
    // Prepare
    const s = snapshot(world(0), world(0));

    // Act and Assess
    expect(parseSnapshot({ ...s, baselineNote: 'The baseline is a day earlier.' }).baselineNote).toBe(
      'The baseline is a day earlier.',
    );
    expect(parseSnapshot(s).baselineNote).toBeUndefined();
    expect(() => parseSnapshot({ ...s, baselineNote: 42 })).toThrow(GraphInputError);
    expect(() => parseSnapshot({ ...s, baselineNote: 'x'.repeat(1001) })).toThrow(/baselineNote/);
  });
});
