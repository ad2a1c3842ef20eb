// The generated suite with what changed: each incident of the generated suite gets a drawn
// CloudTrail release batch, the way `../shared/benchmarks/rca/{petshop,tracerca-tt}/changes/` do on
// real graphs: 1–6 services released together 1–10 minutes before the incident window, the faulty
// service among them with probability 0.7 (each of the two faulty services of a `concurrent` case
// independently), and in a fifth of the cases an older innocent release 30–55 minutes before.
// Tables, queues, remote APIs and users are never released: a faulty one is never in the batch.
// The engine ranks every incident with and without the changes; both groups are scored apart:
// where the faulty service was released, a change should lift it; where it was not, innocent
// releases must not pull the answer away.
//
//   npx tsx bench/change-suite.ts [--misses]

import { fileURLToPath } from 'node:url';
import { analyze } from '../lambdas/core/analyze.ts';
import {
  type ChangeEvents,
  parseLookupEvents,
  servicesTouched,
} from '../lambdas/core/evidence/change-events.ts';
import type { Finding, GraphSnapshot } from '../lambdas/core/model.ts';
import { parseSnapshot } from '../lambdas/core/parse.ts';
import { lookupEventJson } from '../lambdas/simulator/change-events.ts';
import { mulberry32 } from '../lambdas/simulator/graph-builder.ts';
import { hashInts } from '../lambdas/simulator/simulate.ts';
import { buildSuite, SUITE_TOPOLOGIES, type SuiteCase, simulation } from './generated-suite.ts';

/** Mixed with the case's seed: the release draw has a stream of its own, apart from the simulation's. */
export const CHANGE_SALT = 0xc4a96e;
/** Chance that a faulty (deployable) service is in the batch. */
export const RELEASE_PROBABILITY = 0.7;
/** Batch size: 1 … MAX_BATCH services, drawn uniformly. */
export const MAX_BATCH = 6;
/** The batch is released this many minutes before the incident window's start (each service at its own time). */
export const BATCH_MINUTES = { min: 1, max: 10 } as const;
/** Chance of one older innocent release, this many minutes before the start. */
export const OLDER_PROBABILITY = 0.2;
export const OLDER_MINUTES = { min: 30, max: 55 } as const;

export interface Release {
  readonly service: string;
  /** Lambda functions are released with `UpdateFunctionCode20150331v2`, everything else with ECS `UpdateService`. */
  readonly lambda: boolean;
  /** Whole seconds before the incident window's start. */
  readonly secondsBefore: number;
  /** The older innocent release, apart from the batch. */
  readonly older: boolean;
  /** The CloudTrail event's id. */
  readonly eventId: string;
}

export interface ReleaseDraw {
  /** The batch, then the older release if any. */
  readonly releases: readonly Release[];
  /** Whether a faulty service is in the batch. */
  readonly truthReleased: boolean;
  /** Whether any faulty service can be released at all (not a table, queue or remote API). */
  readonly truthDeployable: boolean;
  /** The CloudTrail LookupEvents response (wire shape), one event per release in the same order. */
  readonly response: { readonly Events: readonly Record<string, unknown>[] };
}

/**
 * Services a release can touch, by name: nodes with segments of their own (not inferred tables,
 * queues and remote APIs, not the users' client nodes), in the graph's own order. A name that also
 * appears as a client node (the users of an entry point) is deployable through its service node.
 */
export function deployableServices(snapshot: GraphSnapshot): Map<string, { readonly lambda: boolean }> {
  const out = new Map<string, { lambda: boolean }>();
  for (const n of snapshot.incident.nodes) {
    if (n.inferred || n.isClient) continue;
    const lambda = n.type === 'AWS::Lambda::Function' || n.type === 'AWS::Lambda';
    const prior = out.get(n.name);
    out.set(n.name, { lambda: (prior?.lambda ?? false) || lambda });
  }
  return out;
}

/** The window's start in epoch seconds. */
function startOf(snapshot: GraphSnapshot): number {
  const start = snapshot.incident.window?.start;
  if (start === undefined) throw new Error('the incident window has no start: releases cannot be placed');
  return Math.floor(Date.parse(start) / 1000);
}

const secondsIn = (range: { readonly min: number; readonly max: number }, rng: () => number) =>
  Math.round((range.min + (range.max - range.min) * rng()) * 60);

/** A release as LookupEvents returns it: the shapes the real change sets use. */
function eventOf(r: Release, at: number, revision: number): Record<string, unknown> {
  const id = r.eventId;
  if (r.lambda) {
    return lookupEventJson({
      id,
      eventName: 'UpdateFunctionCode20150331v2',
      source: 'lambda.amazonaws.com',
      at,
      who: 'deploy-pipeline',
      resourceType: 'AWS::Lambda::Function',
      resourceName: `arn:aws:lambda:us-east-1:123456789012:function:${r.service}`,
      requestParameters: { functionName: r.service, publish: true },
    });
  }
  return lookupEventJson({
    id,
    eventName: 'UpdateService',
    source: 'ecs.amazonaws.com',
    at,
    who: 'deploy-pipeline',
    resourceType: 'AWS::ECS::Service',
    resourceName: r.service,
    requestParameters: { cluster: 'prod', service: r.service, taskDefinition: `${r.service}:${revision}` },
  });
}

/** The case's release batch, drawn from its own seeded stream: the same case always gets the same events. */
export function drawReleases(c: SuiteCase, snapshot: GraphSnapshot): ReleaseDraw {
  const rng = mulberry32(hashInts(c.seed, CHANGE_SALT));
  const deployable = deployableServices(snapshot);
  const truth = new Set(c.truth);
  // One draw per faulty service, deployable or not, so that the rest of the stream does not depend on it.
  const faultyReleased = c.truth.filter((s) => rng() < RELEASE_PROBABILITY && deployable.has(s));
  const innocents = [...deployable.keys()].filter((s) => !truth.has(s));
  const size = Math.max(faultyReleased.length, 1 + Math.floor(rng() * MAX_BATCH));
  // A partial Fisher–Yates shuffle: the first k of the pool are a uniform sample.
  const pool = [...innocents];
  const k = Math.min(pool.length, size - faultyReleased.length);
  for (let i = 0; i < k; i++) {
    const j = i + Math.floor(rng() * (pool.length - i));
    [pool[i], pool[j]] = [pool[j] as string, pool[i] as string];
  }
  const batch = [...faultyReleased, ...pool.slice(0, k)];
  const releases: Release[] = batch.map((service, i) => ({
    service,
    lambda: deployable.get(service)?.lambda ?? false,
    secondsBefore: secondsIn(BATCH_MINUTES, rng),
    older: false,
    eventId: `release-${c.seed}-${i}`,
  }));
  if (rng() < OLDER_PROBABILITY && innocents.length > 0) {
    const service = innocents[Math.floor(rng() * innocents.length)] as string;
    releases.push({
      service,
      lambda: deployable.get(service)?.lambda ?? false,
      secondsBefore: secondsIn(OLDER_MINUTES, rng),
      older: true,
      eventId: `release-${c.seed}-${releases.length}`,
    });
  }
  const start = startOf(snapshot);
  const events = releases.map((r, i) => eventOf(r, start - r.secondsBefore, 2 + i));
  return {
    releases,
    truthReleased: faultyReleased.length > 0,
    truthDeployable: c.truth.some((s) => deployable.has(s)),
    response: { Events: events },
  };
}

/**
 * What would make a drawn change fall on the floor: a release the parser drops, or one it maps to no
 * service of the graph or to another one. Empty when every event maps to its service and to it alone.
 */
export function unmappedReleases(
  draw: ReleaseDraw,
  changes: ChangeEvents,
  snapshot: GraphSnapshot,
): string[] {
  const problems: string[] = [];
  const names = new Set(snapshot.incident.nodes.filter((n) => !n.isClient).map((n) => n.name));
  if (changes.ignored > 0) problems.push(`${changes.ignored} event(s) not read as changes`);
  for (const r of draw.releases) {
    const event = changes.events.find((e) => e.id === r.eventId);
    if (event === undefined) {
      problems.push(`${r.service}: event ${r.eventId} not parsed`);
      continue;
    }
    const touched = servicesTouched(event, names);
    if (touched.length !== 1 || touched[0] !== r.service) {
      problems.push(`${r.service}: event ${r.eventId} maps to [${touched.join(', ')}]`);
    }
  }
  return problems;
}

/** One way of ranking an incident, graph only and with the changes. */
export interface RankPair {
  /** 1-based rank of the first faulted service among distinct services; 0 when not in the top 5. */
  readonly off: number;
  readonly on: number;
  readonly topOff: string | undefined;
  readonly topOn: string | undefined;
  /** 1 − score(#2) ÷ score(#1) of the graph-only ranking: how clearly its first candidate leads (1 alone). */
  readonly marginOff: number;
}

export interface ChangeRun {
  readonly caseId: string;
  readonly topology: string;
  readonly group: string;
  readonly faults: readonly string[];
  readonly released: readonly string[];
  readonly older: string | undefined;
  readonly truthReleased: boolean;
  readonly truthDeployable: boolean;
  /** Incident and baseline windows, as the workflow reads them. */
  readonly baseline: RankPair;
  /** The incident window alone (no baseline): where the graph is less sure and evidence has room to act. */
  readonly alone: RankPair;
}

function distinctTop(f: Finding): string[] {
  const top: string[] = [];
  for (const r of f.rootCauses) if (!top.includes(r.service)) top.push(r.service);
  return top;
}

function marginOf(f: Finding): number {
  const seen = new Map<string, number>();
  for (const r of f.rootCauses) if (!seen.has(r.service)) seen.set(r.service, r.score);
  const [a, b] = [...seen.values()];
  return a !== undefined && a > 0 ? 1 - (b ?? 0) / a : 0;
}

const CONFIG = { maxRootCauses: 10 };

/** Ranks one snapshot graph-only and with the changes; the finding must list every release against its service. */
function rankPair(
  snapshot: GraphSnapshot,
  changes: ChangeEvents,
  draw: ReleaseDraw,
  truth: ReadonlySet<string>,
  problems: string[],
): RankPair {
  const graphOnly = analyze(snapshot, { config: CONFIG });
  const withChanges = analyze(snapshot, { config: CONFIG, evidence: { changes } });
  const listed = new Set((withChanges.changes ?? []).flatMap((ch) => ch.services));
  for (const r of draw.releases)
    if (!listed.has(r.service)) problems.push(`${r.service}: not in the finding`);
  const rank = (f: Finding) =>
    distinctTop(f)
      .slice(0, 5)
      .findIndex((s) => truth.has(s)) + 1;
  return {
    off: rank(graphOnly),
    on: rank(withChanges),
    topOff: distinctTop(graphOnly)[0],
    topOn: distinctTop(withChanges)[0],
    marginOff: marginOf(graphOnly),
  };
}

/** One case: simulate, draw its releases, rank graph-only and with the changes, with and without a baseline. */
export function runChangeCase(c: SuiteCase): ChangeRun {
  const snapshot = parseSnapshot(simulation(c).snapshot);
  const draw = drawReleases(c, snapshot);
  const changes = parseLookupEvents(draw.response);
  const problems = unmappedReleases(draw, changes, snapshot);
  const truth = new Set(c.truth);
  const baseline = rankPair(snapshot, changes, draw, truth, problems);
  const alone = rankPair(
    { incident: snapshot.incident, baseline: undefined },
    changes,
    draw,
    truth,
    problems,
  );
  if (problems.length > 0)
    throw new Error(`${c.id}: releases that fall on the floor: ${problems.join('; ')}`);
  return {
    caseId: c.id,
    topology: c.topology,
    group: c.group,
    faults: c.faults,
    released: draw.releases.filter((r) => !r.older).map((r) => r.service),
    older: draw.releases.find((r) => r.older)?.service,
    truthReleased: draw.truthReleased,
    truthDeployable: draw.truthDeployable,
    baseline,
    alone,
  };
}

export function runChangeSuite(cases: readonly SuiteCase[] = buildSuite()): ChangeRun[] {
  return cases.map(runChangeCase);
}

export type Mode = 'baseline' | 'alone';
const MODES: readonly [Mode, string][] = [
  ['baseline', 'With the baseline window (as the workflow reads the graph)'],
  ['alone', 'The incident window alone (no baseline)'],
];

const f2 = (x: number) => x.toFixed(2);
const ac1 = (ps: readonly RankPair[], on: boolean) =>
  ps.length === 0 ? 0 : ps.filter((p) => (on ? p.on : p.off) === 1).length / ps.length;
const groupCell = (ps: readonly RankPair[]) =>
  ps.length === 0 ? '0 · –' : `${ps.length} · ${f2(ac1(ps, true))} (${f2(ac1(ps, false))})`;
export const fixed = (rs: readonly ChangeRun[], mode: Mode) =>
  rs.filter((r) => r[mode].off !== 1 && r[mode].on === 1);
export const lost = (rs: readonly ChangeRun[], mode: Mode) =>
  rs.filter((r) => r[mode].off === 1 && r[mode].on !== 1);
/** The graph named a first service and the changes put another one first. */
const movedTop = (p: RankPair) => p.topOff !== undefined && p.topOff !== p.topOn;
/** The faulty service ranked lower with the changes than without (or out of the top 5). */
const demoted = (p: RankPair) => p.off >= 1 && (p.on === 0 || p.on > p.off);
/** The graph alone named nothing; with the changes, something. */
const silentNamed = (p: RankPair) => p.topOff === undefined && p.topOn !== undefined;

function line(r: ChangeRun, mode: Mode): string {
  const p = r[mode];
  const rank = (n: number) => (n === 0 ? '>5' : String(n));
  return `- ${r.caseId} (${r.faults.join(' + ')}; ${r.truthReleased ? 'released' : 'not released'}): ${p.topOff ?? 'nothing'} → ${p.topOn ?? 'nothing'}, faulty at rank ${rank(p.off)} → ${rank(p.on)}; batch ${r.released.join(', ')}${r.older ? `; older ${r.older}` : ''}`;
}

/**
 * Markdown: per topology and overall, AC@1 with the changes (graph only) where the faulty service
 * was released and where it was not, with and without a baseline window; how clearly the first
 * answer leads; then the cases whose top-1 changed.
 */
export function changeSuiteTables(runs: readonly ChangeRun[]): string {
  const released = runs.filter((r) => r.truthReleased).length;
  const deployable = runs.filter((r) => r.truthDeployable).length;
  const out = [
    `\nReleases: the faulty service in the batch in ${released} of the ${deployable} incidents where it can be released (${f2(released / Math.max(1, deployable))}); ${runs.length - deployable} faulty services are tables, queues or remote APIs (never released). ${runs.filter((r) => r.older !== undefined).length} incidents have an older innocent release.`,
    '\nCells: n · AC@1 with the changes (graph only).',
  ];
  for (const [mode, title] of MODES) {
    out.push(
      `\n**${title}**\n`,
      '| topology | n | faulty service released | not released | of which not deployable | top-1 fixed / lost | top-1 moved to another service | faulty service ranked lower | graph silent, a release named |',
      '|---|---|---|---|---|---|---|---|---|',
    );
    for (const t of ['all', ...SUITE_TOPOLOGIES]) {
      const rs = runs.filter((r) => t === 'all' || r.topology === t);
      const pairs = (f: (r: ChangeRun) => boolean) => rs.filter(f).map((r) => r[mode]);
      const moved = rs.filter((r) => movedTop(r[mode])).length;
      out.push(
        `| ${t === 'all' ? '**all**' : t} | ${rs.length} | ${groupCell(pairs((r) => r.truthReleased))} | ${groupCell(pairs((r) => !r.truthReleased))} | ${groupCell(pairs((r) => !r.truthDeployable))} | ${fixed(rs, mode).length} / ${lost(rs, mode).length} | ${moved} | ${rs.filter((r) => demoted(r[mode])).length} | ${rs.filter((r) => silentNamed(r[mode])).length} |`,
      );
    }
  }
  for (const [mode, title] of MODES) {
    const moved = runs.filter((r) => movedTop(r[mode]));
    out.push(`\n${title}: top-1 fixed ${fixed(runs, mode).length}, lost ${lost(runs, mode).length}`);
    for (const [what, rs] of [
      ['fixed', fixed(runs, mode)],
      ['lost', lost(runs, mode)],
      ['moved, right before and after', moved.filter((r) => r[mode].off === 1 && r[mode].on === 1)],
      ['moved, wrong before and after', moved.filter((r) => r[mode].off !== 1 && r[mode].on !== 1)],
      ['faulty service ranked lower', runs.filter((r) => demoted(r[mode]))],
      [
        'graph silent, a wrong release named (a lead at low confidence)',
        runs.filter((r) => silentNamed(r[mode]) && r[mode].on !== 1),
      ],
    ] as const) {
      if (rs.length > 0) out.push(`${what}:`, ...rs.map((r) => line(r, mode)));
    }
  }
  return out.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t0 = performance.now();
  const runs = runChangeSuite();
  console.log(changeSuiteTables(runs));
  if (process.argv.includes('--misses')) {
    for (const [mode, title] of MODES) {
      const misses = runs.filter((r) => r[mode].on !== 1);
      console.log(`\n${title}: misses at top-1 with the changes: ${misses.length}`);
      for (const r of misses) {
        const p = r[mode];
        console.log(
          `- ${r.caseId} ${r.faults.join(' + ')} rank=${p.on} (graph only ${p.off}) top=${p.topOn ?? 'nothing'}; ${r.truthReleased ? 'released' : 'not released'}; batch ${r.released.join(', ')}${r.older ? `; older ${r.older}` : ''}; graph-only margin ${f2(p.marginOff)}`,
        );
      }
    }
  }
  console.log(`\n${runs.length} incidents in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
