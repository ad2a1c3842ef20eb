// Property-based tests (DESIGN.md, STYLE.md): any graph X-Ray could send gives a well-formed
// Finding, and any corruption of one gives a Finding or a GraphInputError, never another crash.

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { analyze } from '../../lambdas/core/analyze.ts';
import { GraphInputError } from '../../lambdas/core/errors.ts';
import { parseLookupEvents } from '../../lambdas/core/evidence/change-events.ts';
import type { Finding, GraphSnapshot } from '../../lambdas/core/model.ts';
import { parseSnapshot } from '../../lambdas/core/parse.ts';
import { buildTopology, descendantsOf } from '../../lambdas/core/topology.ts';
import { rawSnapshotOf, worldArb } from './graph-arbitraries.ts';
import { INCIDENT_START } from './graph-kit.ts';

const RUNS = 200;

/** Checks every invariant a Finding must hold whatever the graph; returns nothing, throws on a breach. */
function expectWellFormed(finding: Finding, snapshot: GraphSnapshot): void {
  const names = new Set(snapshot.incident.nodes.map((n) => n.name));
  const labels = new Set(buildTopology(snapshot.incident).labels);

  expect(['COMPLETED', 'NO_DATA']).toContain(finding.status);
  expect(finding.rootCauses.map((r) => r.rank)).toEqual(finding.rootCauses.map((_, i) => i + 1));
  expect(finding.rootCauses.length).toBeLessThanOrEqual(5);
  for (const r of finding.rootCauses) {
    expect(names).toContain(r.service);
    if (r.via !== undefined) expect(names).toContain(r.via);
    expect(Number.isFinite(r.score)).toBe(true);
    expect(r.score).toBeGreaterThanOrEqual(0);
    expect(r.confidence).toBeGreaterThanOrEqual(0);
    expect(r.confidence).toBeLessThanOrEqual(1);
    expect(Number.isInteger(r.impactScore)).toBe(true);
    expect(r.impactScore).toBeGreaterThanOrEqual(0);
    expect(r.impactScore).toBeLessThanOrEqual(100);
    expect(r.blastRadius.entryTrafficShare).toBeGreaterThanOrEqual(0);
    expect(r.blastRadius.entryTrafficShare).toBeLessThanOrEqual(1);
    for (const e of r.evidence) expect(Number.isFinite(e.incident)).toBe(true);
  }
  if (finding.method === 'engine') {
    // One line per service: a name never appears twice.
    const ranked = finding.rootCauses.map((r) => r.service);
    expect(new Set(ranked).size).toBe(ranked.length);
    for (const r of finding.rootCauses) expect(r.kinds[0]).toBe(r.kind);
    // A service is never named without its numbers: every line carries evidence.
    for (const r of finding.rootCauses) expect(r.evidence.length).toBeGreaterThan(0);
    // Never empty while a service in view is degraded.
    if (finding.services.some((s) => s.unhealthy || s.anomalous))
      expect(finding.rootCauses.length).toBeGreaterThan(0);
  }
  // Scores are ranked best first.
  for (let i = 1; i < finding.rootCauses.length; i++) {
    expect(finding.rootCauses[i]?.score ?? 0).toBeLessThanOrEqual(finding.rootCauses[i - 1]?.score ?? 0);
  }
  expect(finding.systemHealth).toBeGreaterThanOrEqual(0);
  expect(finding.systemHealth).toBeLessThanOrEqual(1);
  for (const s of finding.services) {
    expect(names).toContain(s.service);
    for (const x of [s.faultRate, s.errorRate, s.throttleRate, s.latency.mean, s.latency.p99, s.selfShare]) {
      expect(Number.isFinite(x)).toBe(true);
    }
  }
  for (const p of finding.cascade.paths) {
    for (const s of p.services) expect(labels).toContain(s);
  }
  // Every recommendation is addressed to one service of the graph, by its name, and what to do
  // (after its colon, as the report's FIRST STEP shows it) starts with the action, not a pronoun
  // or a name that capitalising would change.
  for (const rec of finding.recommendations) {
    expect(names).toContain(rec.service);
    const action = rec.text.slice(rec.text.indexOf(': ') + 2);
    expect(action, rec.text).not.toMatch(/^(it|its|they|them|their)\b/i);
    for (const n of names) expect(action.startsWith(n), rec.text).toBe(false);
  }
  // Nothing that JSON cannot carry (NaN, Infinity, undefined) hides in the Finding.
  expect(JSON.parse(JSON.stringify(finding))).toEqual(finding);
  expect(finding.summary.length).toBeGreaterThan(0);
}

describe('Property: analyze on random graphs', () => {
  it('should always give a well-formed COMPLETED or NO_DATA Finding', () => {
    fc.assert(
      fc.property(worldArb(), (world) => {
        // Prepare
        const snapshot = parseSnapshot(rawSnapshotOf(world));

        // Act
        const finding = analyze(snapshot);

        // Assess
        expectWellFormed(finding, snapshot);
        const hasTraffic = snapshot.incident.nodes.some((n) => !n.isClient && (n.stats?.total ?? 0) > 0);
        expect(finding.status).toBe(hasTraffic ? 'COMPLETED' : 'NO_DATA');
        // The first step is about the first root cause: addressed to it, or naming it.
        const top = finding.rootCauses[0];
        const step = finding.recommendations[0];
        if (top) expect(step?.service === top.service || step?.text.includes(top.service)).toBe(true);
      }),
      { numRuns: RUNS },
    );
  });

  it('should never answer empty while a service is degraded or one of its services changed in the lookback', () => {
    fc.assert(
      fc.property(
        worldArb(),
        fc.array(fc.record({ pick: fc.nat(), minutesBefore: fc.integer({ min: -5, max: 90 }) }), {
          maxLength: 3,
        }),
        fc.boolean(),
        (world, releases, scoped) => {
          // Prepare: releases of random services of the graph, some inside the 60-minute lookback
          const snapshot = parseSnapshot(rawSnapshotOf(world));
          const names = [...new Set(snapshot.incident.nodes.filter((n) => !n.isClient).map((n) => n.name))];
          fc.pre(names.length > 0);
          const service = scoped ? names[0] : undefined;
          const changes = parseLookupEvents({
            Events: releases.map((r, i) => ({
              EventId: `ev-${i}`,
              EventName: 'UpdateService',
              EventSource: 'ecs.amazonaws.com',
              EventTime: INCIDENT_START - r.minutesBefore * 60,
              Username: 'deploy',
              Resources: [{ ResourceName: names[r.pick % names.length] }],
            })),
          });

          // Act
          const finding = analyze(snapshot, {
            ...(service ? { service } : {}),
            evidence: { changes },
          });

          // Assess
          if (finding.status !== 'COMPLETED') return;
          const inScope = new Set(finding.services.map((s) => s.service));
          const degraded = finding.services.some((s) => s.anomalous || s.unhealthy);
          const changedInScope = releases.some(
            (r) => r.minutesBefore < 60 && inScope.has(names[r.pick % names.length] as string),
          );
          if (degraded || changedInScope) expect(finding.rootCauses.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('should rank only the chosen service and its dependencies when scoped to one', () => {
    fc.assert(
      fc.property(worldArb(), fc.nat(), (world, pick) => {
        // Prepare
        const snapshot = parseSnapshot(rawSnapshotOf(world));
        const topo = buildTopology(snapshot.incident);
        const candidates = topo.nodes.map((n, i) => ({ n, i })).filter(({ n }) => !n.isClient);
        fc.pre(candidates.length > 0);
        const chosen = candidates[pick % candidates.length] as (typeof candidates)[number];
        // Several nodes may share the name; the engine picks the busiest, so allow any of them.
        const reachable = new Set<string>();
        for (const { n, i } of candidates) {
          if (n.name !== chosen.n.name) continue;
          for (const d of descendantsOf(topo, i)) reachable.add(topo.nodes[d.node]?.name ?? '');
        }

        // Act
        const finding = analyze(snapshot, { service: chosen.n.name });

        // Assess
        expectWellFormed(finding, snapshot);
        for (const r of finding.rootCauses) expect(reachable).toContain(r.service);
        for (const s of finding.services) expect(reachable).toContain(s.service);
      }),
      { numRuns: RUNS },
    );
  });

  it('should give well-formed findings with the comparison methods too', () => {
    fc.assert(
      fc.property(
        worldArb({ maxNodes: 12 }),
        fc.constantFrom('seed', 'naive') as fc.Arbitrary<'seed' | 'naive'>,
        (world, method) => {
          // Prepare
          const snapshot = parseSnapshot(rawSnapshotOf(world));

          // Act
          const finding = analyze(snapshot, { method });

          // Assess
          expect(finding.method).toBe(method);
          expectWellFormed(finding, snapshot);
        },
      ),
      { numRuns: RUNS / 2 },
    );
  });
});

// ---------------------------------------------------------------------------------------------
// Corruptions of a valid response

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const REPLACEMENTS = [
  'string',
  'negative',
  'fraction',
  'null',
  'object',
  'list',
  'boolean',
  'delete',
] as const;
type Replacement = (typeof REPLACEMENTS)[number];

interface Corruption {
  readonly kind: 'replace' | 'truncate' | 'wrap-pages' | 'wrap-snapshot';
  readonly at: number;
  readonly with: Replacement;
  readonly keep: number;
}

const corruptionArb: fc.Arbitrary<Corruption> = fc.record({
  kind: fc.constantFrom(
    'replace',
    'replace',
    'replace',
    'replace',
    'truncate',
    'wrap-pages',
    'wrap-snapshot',
  ),
  at: fc.nat(),
  with: fc.constantFrom(...REPLACEMENTS),
  keep: fc.nat(40),
});

/** Every path inside `v` (objects and lists), in a fixed order. */
function pathsOf(
  v: Json,
  prefix: (string | number)[] = [],
  out: (string | number)[][] = [],
): (string | number)[][] {
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      out.push([...prefix, i]);
      pathsOf(x, [...prefix, i], out);
    });
  } else if (v !== null && typeof v === 'object') {
    for (const k of Object.keys(v)) {
      out.push([...prefix, k]);
      pathsOf(v[k] as Json, [...prefix, k], out);
    }
  }
  return out;
}

function replacement(kind: Replacement): Json | undefined {
  switch (kind) {
    case 'string':
      return 'oops';
    case 'negative':
      return -7;
    case 'fraction':
      return 0.5;
    case 'null':
      return null;
    case 'object':
      return { Count: 1 };
    case 'list':
      return [1, 'two'];
    case 'boolean':
      return true;
    case 'delete':
      return undefined;
  }
}

function corrupt(doc: Json, c: Corruption): Json {
  switch (c.kind) {
    case 'wrap-pages':
      return [doc];
    case 'wrap-snapshot':
      return { incident: doc };
    case 'truncate': {
      const target = doc as { Services?: Json; incident?: { Services?: Json } };
      const holder = Array.isArray(target.Services) ? target : target.incident;
      if (holder && Array.isArray(holder.Services)) holder.Services = holder.Services.slice(0, c.keep);
      return doc;
    }
    case 'replace': {
      const paths = pathsOf(doc);
      if (paths.length === 0) return replacement(c.with) ?? null;
      const path = paths[c.at % paths.length] as (string | number)[];
      let parent = doc as Record<string | number, Json>;
      for (const step of path.slice(0, -1)) parent = parent[step] as Record<string | number, Json>;
      const last = path[path.length - 1] as string | number;
      const value = replacement(c.with);
      if (value === undefined) {
        if (Array.isArray(parent)) parent.splice(last as number, 1);
        else delete parent[last];
      } else {
        parent[last] = value;
      }
      return doc;
    }
  }
}

describe('Property: parse and analyze on corrupted responses', () => {
  it('should give a Finding or a GraphInputError, never any other exception', () => {
    fc.assert(
      fc.property(
        worldArb({ maxNodes: 10 }),
        fc.array(corruptionArb, { minLength: 1, maxLength: 4 }),
        (world, corruptions) => {
          // Prepare
          let doc = structuredClone(rawSnapshotOf(world)) as Json;
          for (const c of corruptions) doc = corrupt(doc, c);

          // Act
          let outcome: Finding | GraphInputError;
          let snapshot: GraphSnapshot | undefined;
          try {
            snapshot = parseSnapshot(doc);
            outcome = analyze(snapshot);
          } catch (err) {
            if (!(err instanceof GraphInputError)) throw err;
            outcome = err;
          }

          // Assess
          if (outcome instanceof GraphInputError) {
            expect(outcome.message.length).toBeGreaterThan(0);
            expect(typeof outcome.field).toBe('string');
          } else {
            expectWellFormed(outcome, snapshot as GraphSnapshot);
          }
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('should name the corrupted field when it replaces a count with a string', () => {
    fc.assert(
      fc.property(
        worldArb({ maxNodes: 10 }),
        fc.constantFrom('TotalCount', 'OkCount', 'TotalResponseTime'),
        fc.nat(),
        (world, member, pick) => {
          // Prepare
          const doc = structuredClone(rawSnapshotOf(world)) as {
            incident?: { Services: Json[] };
            Services?: Json[];
          };
          const services = (doc.incident ?? doc).Services ?? [];
          const withStats = services
            .map((s, i) => ({ s: s as { SummaryStatistics?: Record<string, Json> }, i }))
            .filter(({ s }) => s.SummaryStatistics !== undefined);
          fc.pre(withStats.length > 0);
          const { s, i } = withStats[pick % withStats.length] as (typeof withStats)[number];
          (s.SummaryStatistics as Record<string, Json>)[member] = 'many';
          const prefix = doc.incident ? 'incident.' : '';

          // Act
          let caught: unknown;
          try {
            parseSnapshot(doc);
          } catch (err) {
            caught = err;
          }

          // Assess
          expect(caught).toBeInstanceOf(GraphInputError);
          expect((caught as GraphInputError).field).toBe(
            `${prefix}Services[${i}].SummaryStatistics.${member}`,
          );
        },
      ),
      { numRuns: RUNS / 2 },
    );
  });
});
