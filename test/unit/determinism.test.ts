// The same snapshot gives the same Finding byte for byte (DESIGN.md "The analysis", rule 8), and
// the order X-Ray lists services and edges in, or the ReferenceIds it hands out, changes nothing.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../lambdas/core/analyze.ts';
import { parseSnapshot } from '../../lambdas/core/parse.ts';
import { mulberry32 } from '../../lambdas/simulator/graph-builder.ts';
import { rawSnapshotOf, worldArb } from './graph-arbitraries.ts';
import { edge, node, type Part, snapshot, type XRayServiceGraph } from './graph-kit.ts';

const RUNS = 200;

function shuffle<T>(xs: readonly T[], next: () => number): T[] {
  const out = [...xs];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(next() * (i + 1));
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

type Service = { ReferenceId?: number; Edges?: { ReferenceId?: number }[] };
type Window = { Services?: Service[] };

/**
 * Lists services and each node's edges in another order and gives every node a new ReferenceId
 * (the same mapping in both windows, as X-Ray would within one export).
 */
function reorder(raw: unknown, seed: number): unknown {
  const next = mulberry32(seed);
  const copy = structuredClone(raw) as { incident?: Window; baseline?: Window } & Window;
  const windows: Window[] = copy.incident
    ? [copy.incident, ...(copy.baseline ? [copy.baseline] : [])]
    : [copy];
  const ids = new Set<number>();
  for (const w of windows)
    for (const s of w.Services ?? []) if (s.ReferenceId !== undefined) ids.add(s.ReferenceId);
  const fresh = shuffle(
    [...ids].map((_, i) => 1000 + 7 * i),
    next,
  );
  const renumber = new Map([...ids].map((id, i) => [id, fresh[i] as number]));
  for (const w of windows) {
    w.Services = shuffle(w.Services ?? [], next);
    for (const s of w.Services) {
      if (s.ReferenceId !== undefined) s.ReferenceId = renumber.get(s.ReferenceId) ?? s.ReferenceId;
      s.Edges = shuffle(s.Edges ?? [], next);
      for (const e of s.Edges)
        if (e.ReferenceId !== undefined) e.ReferenceId = renumber.get(e.ReferenceId) ?? e.ReferenceId;
    }
  }
  return copy;
}

/** api → orders → db fails; api → side fails on its own; a cache stays healthy. */
const world = (faults: number): Part[] => [
  node('api', { n: 2000, faults: 2 * faults, mean: 0.08 }),
  node('orders', { n: 1000, faults, mean: 0.04 }),
  node('db', { n: 1000, faults, mean: 0.01, type: 'AWS::DynamoDB::Table' }),
  node('side', { n: 800, faults, mean: 0.02 }),
  node('cache', { n: 2000, mean: 0.002, type: 'AWS::ElastiCache::Cluster' }),
  edge('api', 'orders', { n: 1000, faults, mean: 0.04 }),
  edge('orders', 'db', { n: 1000, faults, mean: 0.01 }),
  edge('api', 'side', { n: 800, faults, mean: 0.02 }),
  edge('api', 'cache', { n: 2000, mean: 0.002 }),
];

describe('Function: analyze (determinism)', () => {
  it('should give identical JSON when the same snapshot is analyzed twice', () => {
    // Prepare
    const raw = snapshot(world(150), world(0));

    // Act
    const first = JSON.stringify(analyze(parseSnapshot(raw)));
    const second = JSON.stringify(analyze(parseSnapshot(structuredClone(raw))));

    // Assess
    expect(second).toBe(first);
    expect(JSON.parse(first).rootCauses.length).toBeGreaterThan(0);
  });

  it('should give identical JSON when services and edges are listed in another order with other ReferenceIds', () => {
    // Prepare
    const raw = snapshot(world(150), world(0));
    const reordered = reorder(raw, 7);

    // Act
    const original = analyze(parseSnapshot(raw));
    const shuffled = analyze(parseSnapshot(reordered));

    // Assess
    expect((reordered as { incident: XRayServiceGraph }).incident.Services.map((s) => s.Name)).not.toEqual(
      raw.incident.Services.map((s) => s.Name),
    );
    expect(shuffled.rootCauses).toEqual(original.rootCauses);
    expect(JSON.stringify(shuffled)).toBe(JSON.stringify(original));
  });

  it('should give identical JSON when the services of a window arrive split over pages', () => {
    // Prepare
    const raw = snapshot(world(150), world(0));
    const services = raw.incident.Services;
    const pages = [
      { ...raw.incident, Services: services.slice(0, 2), NextToken: 'next' },
      { ...raw.incident, Services: services.slice(2) },
    ];

    // Act
    const whole = analyze(parseSnapshot(raw));
    const paged = analyze(parseSnapshot({ incident: pages, baseline: raw.baseline }));

    // Assess
    expect(JSON.stringify(paged)).toBe(JSON.stringify(whole));
  });
});

describe('Property: analyze is independent of listing order and ReferenceIds', () => {
  it('should give the same Finding, byte for byte, for any reordering of a random graph', () => {
    fc.assert(
      fc.property(worldArb({ uniqueKeys: true, maxNodes: 20 }), fc.integer(), (w, seed) => {
        // Prepare
        const raw = rawSnapshotOf(w);
        const reordered = reorder(raw, seed);

        // Act
        const original = analyze(parseSnapshot(raw));
        const shuffled = analyze(parseSnapshot(reordered));

        // Assess
        expect(shuffled.rootCauses).toEqual(original.rootCauses);
        expect(shuffled.services).toEqual(original.services);
        expect(shuffled.summary).toBe(original.summary);
        expect(JSON.stringify(shuffled)).toBe(JSON.stringify(original));
      }),
      { numRuns: RUNS },
    );
  });

  it('should give the same bytes on every run of the same random snapshot', () => {
    fc.assert(
      fc.property(worldArb({ maxNodes: 20 }), (w) => {
        // Prepare
        const raw = rawSnapshotOf(w);

        // Act
        const first = JSON.stringify(analyze(parseSnapshot(raw)));
        const second = JSON.stringify(analyze(parseSnapshot(structuredClone(raw))));

        // Assess
        expect(second).toBe(first);
      }),
      { numRuns: RUNS / 2 },
    );
  });
});
