// The what-if: inject hypothetical faults into a topology (a shipped one or a user's exported
// graph), print the blast radius the simulator predicts — services, entry points, share of user
// traffic — next to what the engine makes of the simulated incident, and how far they agree.

import { analyze } from '../core/analyze.ts';
import type { Finding } from '../core/model.ts';
import { typeWords } from '../core/node-types.ts';
import { parseSnapshot } from '../core/parse.ts';
import type { FaultSpec } from './faults.ts';
import { type Prediction, predict, type ServiceImpact } from './predict.ts';
import { type SimulateOptions, type Simulation, simulate } from './simulate.ts';
import type { CompiledTopology } from './topology.ts';

export interface WhatIfReport {
  readonly topology: {
    readonly name: string;
    /** Where it came from: `built in`, a topology file, or an exported graph (and which window). */
    readonly source: string;
    readonly services: number;
    readonly usersPerSecond: number;
    readonly seed: number;
  };
  readonly prediction: Prediction;
  readonly engine: {
    /** Rank (1-based, distinct services) of the first injected fault among the engine's root causes; null when absent. */
    readonly rankOfInjected: number | null;
    readonly rootCause: string | null;
    /** The top root cause's affected services, and how many of the predicted ones it names. */
    readonly affected: readonly string[];
    readonly predictedAffectedFound: number;
    readonly entryTrafficShare: number | null;
  };
  readonly finding: Finding;
}

export function whatIf(
  topo: CompiledTopology,
  faults: readonly FaultSpec[],
  options: SimulateOptions & { readonly source: string },
): { report: WhatIfReport; simulation: Simulation } {
  const simulation = simulate(topo, { ...options, faults });
  const prediction = predict(topo, simulation.faults, simulation.traffic);
  const finding = analyze(parseSnapshot(simulation.snapshot), { trigger: { source: 'cli' } });
  const injected = new Set(simulation.faults.map((f) => topo.names[f.index] as string));
  const ranked: string[] = [];
  for (const r of finding.rootCauses) if (!ranked.includes(r.service)) ranked.push(r.service);
  const at = ranked.findIndex((s) => injected.has(s));
  const top = finding.rootCauses[0];
  const engineAffected = top ? [...top.blastRadius.affected] : [];
  const predicted = prediction.affected.map((a) => a.service);
  return {
    simulation,
    report: {
      topology: {
        name: topo.name,
        source: options.source,
        services: topo.n,
        usersPerSecond: prediction.userTraffic.requestsPerSecond,
        seed: simulation.seed,
      },
      prediction,
      engine: {
        rankOfInjected: at >= 0 ? at + 1 : null,
        rootCause: top?.service ?? null,
        affected: engineAffected,
        predictedAffectedFound: predicted.filter((p) => engineAffected.includes(p)).length,
        entryTrafficShare: top ? top.blastRadius.entryTrafficShare : null,
      },
      finding,
    },
  };
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const ms = (s: number) => (s >= 1 ? `${s.toFixed(2)} s` : `${Math.round(s * 1000)} ms`);
const rate = (x: number) => (x >= 100 ? `${Math.round(x)}/s` : `${x.toFixed(1)}/s`);
const ordinal = (n: number) =>
  `${n}${n % 10 === 1 && n % 100 !== 11 ? 'st' : n % 10 === 2 && n % 100 !== 12 ? 'nd' : n % 10 === 3 && n % 100 !== 13 ? 'rd' : 'th'}`;

function list(xs: readonly string[], max = 12): string {
  if (xs.length === 0) return '—';
  return xs.length > max ? `${xs.slice(0, max).join(', ')} … and ${xs.length - max} more` : xs.join(', ');
}

export function renderWhatIf(r: WhatIfReport): string {
  const p = r.prediction;
  const lines: string[] = [];
  const [first, ...more] = p.faults;
  lines.push(`WHAT IF  ${first?.description ?? 'nothing fails'}`);
  for (const f of more) lines.push(`   and   ${f.description}`);
  lines.push(
    `         ${r.topology.source} · ${r.topology.services} services · users ${rate(r.topology.usersPerSecond)} · seed ${r.topology.seed}`,
  );
  lines.push('');
  lines.push('PREDICTED BLAST RADIUS (the simulator, noise-free)');
  const u = p.userTraffic;
  lines.push(`  users' requests that reach the fault:  ${pct(u.reach)}`);
  lines.push(
    `  users' requests that would fail:       ${pct(u.failing)}   (mean response ${ms(u.meanBefore)} → ${ms(u.meanAfter)})`,
  );
  lines.push(`  entry points hit (${p.entryPoints.length}): ${list(p.entryPoints.map((e) => e.service))}`);
  lines.push(`  affected (${p.affected.length}): ${list(p.affected.map((a) => a.service))}`);
  const rows = [...p.faulted.map((f) => ({ f, tag: 'fault' })), ...p.affected.map((f) => ({ f, tag: '' }))];
  if (rows.length > 0) {
    const width =
      Math.min(48, Math.max(...rows.map(({ f, tag }) => f.service.length + (tag ? tag.length + 3 : 0)), 7)) +
      2;
    lines.push(
      `    ${'service'.padEnd(width)}${'failed calls'.padEnd(20)}${'mean latency'.padEnd(22)}load (req/s)`,
    );
    for (const { f, tag } of rows.slice(0, 15)) lines.push(`    ${impactRow(f, width, tag)}`);
    if (rows.length > 15) lines.push(`    … and ${rows.length - 15} more`);
  }
  lines.push(`  at risk (${p.atRisk.length}): ${list(p.atRisk)}`);
  lines.push(`  unaffected (${p.unaffected.length}): ${list(p.unaffected, 8)}`);
  lines.push('');
  lines.push('ENGINE ON THE SIMULATED INCIDENT (what cascade-analyzer analyze reports)');
  const f = r.finding;
  const top = f.rootCauses[0];
  if (!top) {
    lines.push('  no root cause: the engine sees nothing anomalous against the baseline');
  } else {
    const injected = r.engine.rankOfInjected === 1 ? '   ← the injected fault' : '';
    lines.push(
      `  root cause   ${top.service}${typeWords(top.type)}${top.via ? ` (as called by ${top.via})` : ''} · ${top.kind} · confidence ${pct(top.confidence)}${injected}`,
    );
    const path = f.cascade.paths.find((x) => x.rank === top.rank);
    if (path) lines.push(`  path         ${path.services.join(' → ')}`);
    lines.push(`  affected (${top.blastRadius.affected.length})  ${list(top.blastRadius.affected)}`);
    lines.push(`  entry traffic through ${top.service}: ${pct(top.blastRadius.entryTrafficShare)}`);
  }
  const rank = r.engine.rankOfInjected;
  const found = `${r.engine.predictedAffectedFound} of the ${p.affected.length} services the simulator predicts affected`;
  lines.push(
    `  agreement    ${rank === null ? 'the injected fault is not among the engine’s root causes' : `the engine ranks the injected fault ${ordinal(rank)}`}; it names ${found}`,
  );
  return `${lines.join('\n')}\n`;
}

function impactRow(i: ServiceImpact, width: number, tag: string): string {
  const name = `${i.service}${tag ? ` (${tag})` : ''}`;
  const fails = `${pct(i.failureBefore)} → ${pct(i.failureAfter)}`;
  const lat = `${ms(i.meanBefore)} → ${ms(i.meanAfter)}`;
  const load = `${rate(i.loadBefore)} → ${rate(i.loadAfter)}`;
  return `${name.padEnd(width)}${fails.padEnd(20)}${lat.padEnd(22)}${load}`;
}
