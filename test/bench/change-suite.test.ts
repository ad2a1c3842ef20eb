// The generated suite with what changed (bench/change-suite.ts): the drawn release batches are the
// same on every run, follow the change sets' recipe (the faulty service in about 70 % of the
// batches where it can be released, never a table, queue or remote API), and every drawn event
// reaches the engine as a change to its service.

import { describe, expect, it } from 'vitest';
import {
  BATCH_MINUTES,
  deployableServices,
  drawReleases,
  MAX_BATCH,
  OLDER_MINUTES,
  type ReleaseDraw,
  runChangeCase,
  unmappedReleases,
} from '../../bench/change-suite.ts';
import { buildSuite, type SuiteCase, simulation } from '../../bench/generated-suite.ts';
import { parseLookupEvents } from '../../lambdas/core/evidence/change-events.ts';
import type { GraphSnapshot } from '../../lambdas/core/model.ts';
import { parseSnapshot } from '../../lambdas/core/parse.ts';
import type { XRayServiceGraph } from '../../lambdas/simulator/graph-builder.ts';

/** X-Ray node types of services that run code of their own: what a pipeline can release. */
const RELEASABLE_TYPE = /^AWS::(ECS|EKS|EC2|Lambda)::/;

const cases = buildSuite();

/**
 * One simulated incident per topology: the services that can be released and the window are the
 * topology's, the same in every case of it (checked below), so each topology is simulated once.
 */
const perTopology = new Map<string, { snapshot: GraphSnapshot; types: Map<string, Set<string>> }>();
function topologyOf(c: SuiteCase) {
  let t = perTopology.get(c.topology);
  if (!t) {
    const raw = simulation(c).snapshot;
    const types = new Map<string, Set<string>>();
    for (const page of [raw.incident].flat() as XRayServiceGraph[]) {
      for (const s of page.Services) types.set(s.Name, (types.get(s.Name) ?? new Set()).add(s.Type));
    }
    t = { snapshot: parseSnapshot(raw), types };
    perTopology.set(c.topology, t);
  }
  return t;
}

const draws: { c: SuiteCase; draw: ReleaseDraw }[] = cases.map((c) => ({
  c,
  draw: drawReleases(c, topologyOf(c).snapshot),
}));

describe('Function: drawReleases', () => {
  it('should draw the same events for the same case, and different batches for different cases', () => {
    // Prepare
    const again = buildSuite();
    // Act
    const redrawn = again.map((c) => drawReleases(c, topologyOf(c).snapshot));
    // Assess
    expect(redrawn.map((d) => JSON.stringify(d.response))).toEqual(
      draws.map(({ draw }) => JSON.stringify(draw.response)),
    );
    const batches = new Set(draws.map(({ draw }) => draw.releases.map((r) => r.service).join(',')));
    expect(batches.size).toBeGreaterThan(cases.length / 2);
  });

  it('should draw from services and a window that are the same in every case of a topology', () => {
    // Prepare: a second, differently faulted case of each topology (a fully down service included).
    const others = [...new Set(cases.map((c) => c.topology))].map(
      (t) => cases.filter((c) => c.topology === t && c.group === 'unavailable').at(-1) as SuiteCase,
    );
    for (const c of others) {
      // Act
      const own = parseSnapshot(simulation(c).snapshot);
      // Assess
      const shared = topologyOf(c).snapshot;
      expect(own.incident.window).toEqual(shared.incident.window);
      // (Inferred nodes may go: a table nobody reaches while its caller is down is not in the graph.)
      expect([...deployableServices(own)]).toEqual([...deployableServices(shared)]);
      expect(drawReleases(c, own)).toEqual(drawReleases(c, shared));
    }
  });

  it('should release the faulty service in 60–80 % of the incidents where it can be released, never otherwise', () => {
    // Act
    const deployable = draws.filter(({ draw }) => draw.truthDeployable);
    const released = deployable.filter(({ draw }) => draw.truthReleased);
    // Assess
    const share = released.length / deployable.length;
    expect(share).toBeGreaterThanOrEqual(0.6);
    expect(share).toBeLessThanOrEqual(0.8);
    for (const { c, draw } of draws) {
      const inBatch = draw.releases.filter((r) => !r.older && c.truth.includes(r.service));
      expect(inBatch.length > 0).toBe(draw.truthReleased);
      // The older release is always innocent.
      for (const r of draw.releases.filter((x) => x.older)) expect(c.truth).not.toContain(r.service);
    }
    // Faulty tables, queues and remote APIs exist in the suite, and are never released.
    const undeployable = draws.filter(({ draw }) => !draw.truthDeployable);
    expect(undeployable.length).toBeGreaterThan(0);
    for (const { draw } of undeployable) expect(draw.truthReleased).toBe(false);
  });

  it('should release only services that run code (no table, queue, remote API or users), 1–6 at a time, at the drawn times', () => {
    let older = 0;
    let lambdas = 0;
    for (const { c, draw } of draws) {
      const { types, snapshot } = topologyOf(c);
      const start = Date.parse(snapshot.incident.window?.start ?? '') / 1000;
      const batch = draw.releases.filter((r) => !r.older);
      expect(batch.length).toBeGreaterThanOrEqual(1);
      expect(batch.length).toBeLessThanOrEqual(MAX_BATCH);
      expect(new Set(batch.map((r) => r.service)).size).toBe(batch.length);
      for (const r of draw.releases) {
        // Its node's X-Ray type, read from the simulated response, not from the engine's parser.
        const nodeTypes = [...(types.get(r.service) ?? [])].filter((t) => t !== 'client');
        expect(nodeTypes.length, `${c.id}: ${r.service}`).toBeGreaterThan(0);
        for (const t of nodeTypes) expect(t, `${c.id}: ${r.service}`).toMatch(RELEASABLE_TYPE);
        const range = r.older ? OLDER_MINUTES : BATCH_MINUTES;
        expect(r.secondsBefore).toBeGreaterThanOrEqual(range.min * 60);
        expect(r.secondsBefore).toBeLessThanOrEqual(range.max * 60);
        const event = draw.response.Events.find((e) => e.EventId === r.eventId);
        expect(event?.EventTime).toBe(start - r.secondsBefore);
        expect(event?.EventName).toBe(r.lambda ? 'UpdateFunctionCode20150331v2' : 'UpdateService');
        if (r.lambda) lambdas++;
      }
      if (draw.releases.some((r) => r.older)) older++;
    }
    // About a fifth of the incidents have an older innocent release; both event shapes are used.
    expect(older / draws.length).toBeGreaterThan(0.1);
    expect(older / draws.length).toBeLessThan(0.3);
    expect(lambdas).toBeGreaterThan(0);
  });
});

describe('Function: unmappedReleases', () => {
  it('should map every drawn event to its own service of the graph, and to it alone', () => {
    for (const { c, draw } of draws) {
      // Act
      const changes = parseLookupEvents(draw.response);
      // Assess
      expect(unmappedReleases(draw, changes, topologyOf(c).snapshot), c.id).toEqual([]);
      expect(changes.events).toHaveLength(draw.releases.length);
    }
  });

  it('should report a release that names no service of the graph, or one the parser drops', () => {
    // Prepare: the first draw with a release, its first event renamed, and the same with a read-only event.
    const { c, draw } = draws.find(({ draw }) => draw.releases.length >= 2) as (typeof draws)[number];
    const [first, ...rest] = draw.response.Events as Record<string, unknown>[];
    const renamed = {
      ...draw,
      response: {
        Events: [
          { ...first, Resources: [{ ResourceName: 'not-a-service' }], CloudTrailEvent: undefined },
          ...rest,
        ],
      },
    };
    const readOnly = { ...draw, response: { Events: [{ ...first, EventName: 'GetFunction' }, ...rest] } };
    const snapshot = topologyOf(c).snapshot;
    // Act
    const renamedProblems = unmappedReleases(renamed, parseLookupEvents(renamed.response), snapshot);
    const readOnlyProblems = unmappedReleases(readOnly, parseLookupEvents(readOnly.response), snapshot);
    // Assess
    expect(renamedProblems).toEqual([
      `${draw.releases[0]?.service}: event ${draw.releases[0]?.eventId} maps to []`,
    ]);
    expect(readOnlyProblems).toEqual([
      '1 event(s) not read as changes',
      `${draw.releases[0]?.service}: event ${draw.releases[0]?.eventId} not parsed`,
    ]);
  });
});

describe('Function: runChangeCase', () => {
  it('should rank an incident with and without its releases, with and without a baseline', () => {
    // Prepare: one shop incident whose faulty service was released, one whose was not.
    const shop = draws.filter(({ c }) => c.topology === 'shop');
    const released = shop.find(({ draw }) => draw.truthReleased)?.c as SuiteCase;
    const innocent = shop.find(({ draw }) => draw.truthDeployable && !draw.truthReleased)?.c as SuiteCase;
    for (const c of [released, innocent]) {
      // Act
      const run = runChangeCase(c);
      // Assess: with a baseline the graph names the faulty service first, releases or not.
      expect(run.baseline.off).toBe(1);
      expect(run.baseline.on).toBe(1);
      expect(c.truth).toContain(run.baseline.topOn);
      expect(run.truthReleased).toBe(c === released);
      expect(run.released.some((s) => c.truth.includes(s))).toBe(c === released);
    }
  });
});
