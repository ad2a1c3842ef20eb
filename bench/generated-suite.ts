// The generated accuracy suite: simulated incidents across every shipped topology and fault kind,
// with fixed seeds. Each case is a snapshot plus its label (the faulted services); the methods see
// only the snapshot, the label is read by the scorer alone.
//
//   npx tsx bench/generated-suite.ts [--misses]

import { fileURLToPath } from 'node:url';
import { analyze, METHODS, type Method } from '../lambdas/core/analyze.ts';
import { parseSnapshot } from '../lambdas/core/parse.ts';
import { FAULT_KINDS, type FaultKind, parseFault, resolveFaults } from '../lambdas/simulator/faults.ts';
import { mulberry32 } from '../lambdas/simulator/graph-builder.ts';
import { referenceLoad } from '../lambdas/simulator/physics.ts';
import { type SimulatedSnapshot, type Simulation, simulate } from '../lambdas/simulator/simulate.ts';
import { builtinTopology } from '../lambdas/simulator/topologies/index.ts';
import { type CompiledTopology, compileTopology } from '../lambdas/simulator/topology.ts';
import { type CaseResult, type Scores, score } from './accuracy.ts';

/** Topologies of the suite; the generated estate has 300 services. */
export const SUITE_TOPOLOGIES = [
  'shop',
  'online-boutique',
  'sock-shop',
  'train-ticket',
  'social-network',
  'generated:300',
] as const;
/** Incidents per topology and fault kind, and two-fault incidents per topology. */
export const PER_KIND = 10;
export const CONCURRENT = 6;
/** Faults go where there is traffic to notice them: at least one request per second. */
const MIN_LOAD = 1;

export interface SuiteCase {
  readonly id: string;
  readonly topology: string;
  /** The fault kind, or `concurrent` for two faults at once. */
  readonly group: FaultKind | 'concurrent';
  readonly seed: number;
  readonly faults: readonly string[];
  /** The label: names of the faulted services. Only the scorer reads it. */
  readonly truth: readonly string[];
}

export interface SuiteResult extends CaseResult {
  readonly topology: string;
}

/** A severity drawn from the range incidents of this kind typically have. */
function severity(kind: FaultKind, rng: () => number): string {
  const r2 = (x: number) => Math.round(x * 100) / 100;
  switch (kind) {
    case 'error':
      return String(r2(0.05 + 0.45 * rng()));
    case 'throttle':
      return String(r2(0.1 + 0.5 * rng()));
    case 'unavailable':
      return rng() < 0.3 ? '1' : String(r2(0.2 + 0.75 * rng()));
    case 'saturation':
      return String(r2(0.85 + 0.65 * rng()));
    case 'latency': {
      const u = rng();
      if (u < 0.5) return `x${r2(2 + 8 * rng())}`;
      if (u < 0.75) return `${Math.round(100 + 900 * rng())}ms`;
      return `${Math.round(2 + 8 * rng())}%@${r2(1 + 2 * rng())}s`;
    }
  }
}

/**
 * Services a fault of `kind` can hit visibly: enough traffic, and for refused connections a caller
 * that records them — users' failed connections and a queue's undelivered messages leave no trace
 * in a service graph (the queue → consumer link carries no statistics).
 */
function eligible(topo: CompiledTopology, kind: FaultKind): number[] {
  const load = referenceLoad(topo);
  const out: number[] = [];
  for (let v = 0; v < topo.n; v++) {
    if ((load[v] ?? 0) < MIN_LOAD) continue;
    if (kind === 'unavailable' && !hasSyncCaller(topo, v)) continue;
    out.push(v);
  }
  return out;
}

function hasSyncCaller(topo: CompiledTopology, v: number): boolean {
  for (let i = topo.inStart[v] ?? 0; i < (topo.inStart[v + 1] ?? 0); i++) {
    if (!topo.async[topo.inList[i] ?? 0]) return true;
  }
  return false;
}

const compiled = new Map<string, CompiledTopology>();
function topologyOf(name: string): CompiledTopology {
  let topo = compiled.get(name);
  if (!topo) {
    topo = compileTopology(builtinTopology(name));
    compiled.set(name, topo);
  }
  return topo;
}

/** The incidents of the suite (faults and labels); snapshots are simulated when a case is run. */
export function buildSuite(): SuiteCase[] {
  const cases: SuiteCase[] = [];
  let seed = 10_000;
  for (const name of SUITE_TOPOLOGIES) {
    const topo = topologyOf(name);
    const make = (group: FaultKind | 'concurrent', kinds: readonly FaultKind[]) => {
      seed++;
      const rng = mulberry32(seed);
      const used = new Set<number>();
      const faults = kinds.map((kind) => {
        const pool = eligible(topo, kind).filter((v) => !used.has(v));
        const v = pool[Math.floor(rng() * pool.length)] as number;
        used.add(v);
        return `${topo.labels[v]}:${kind}:${severity(kind, rng)}`;
      });
      cases.push({
        id: `${name}/${group}/${seed}`,
        topology: name,
        group,
        seed,
        faults,
        truth: resolveFaults(topo, faults.map(parseFault)).map((f) => topo.names[f.index] as string),
      });
    };
    for (const kind of FAULT_KINDS) for (let i = 0; i < PER_KIND; i++) make(kind, [kind]);
    for (let i = 0; i < CONCURRENT; i++) {
      const rng = mulberry32(seed + 7);
      const a = FAULT_KINDS[Math.floor(rng() * FAULT_KINDS.length)] as FaultKind;
      const b = FAULT_KINDS[Math.floor(rng() * FAULT_KINDS.length)] as FaultKind;
      make('concurrent', [a, b]);
    }
  }
  return cases;
}

/** The snapshot of a case: what the methods see. */
export function simulateCase(c: SuiteCase): SimulatedSnapshot {
  return simulation(c).snapshot;
}

/** The whole simulation of a case (its topology and faults too, for trace summaries). */
export function simulation(c: SuiteCase): Simulation {
  return simulate(topologyOf(c.topology), { faults: c.faults.map(parseFault), seed: c.seed });
}

/** Ranks one case with one method. A case counts at AC@k when any faulted service is among the first k distinct services. */
export function runSuiteCase(c: SuiteCase, snapshot: SimulatedSnapshot, method: Method): SuiteResult {
  const finding = analyze(parseSnapshot(snapshot), { method, config: { maxRootCauses: 10 } });
  const top: string[] = [];
  for (const r of finding.rootCauses) if (!top.includes(r.service)) top.push(r.service);
  const truth = new Set(c.truth);
  const idx = top.slice(0, 5).findIndex((s) => truth.has(s));
  return {
    caseId: c.id,
    faultType: c.group,
    topology: c.topology,
    method,
    scoped: false,
    rank: idx + 1,
    top: top.slice(0, 5),
    dataset: 'generated',
    confidence: finding.rootCauses[0]?.confidence ?? 0,
  };
}

export function runGeneratedSuite(cases = buildSuite()): SuiteResult[] {
  const out: SuiteResult[] = [];
  for (const c of cases) {
    const snapshot = simulateCase(c);
    for (const method of METHODS) out.push(runSuiteCase(c, snapshot, method));
  }
  return out;
}

const f2 = (x: number) => x.toFixed(2);
const cell = (s: Scores) => `${f2(s.ac1)} / ${f2(s.ac3)} / ${f2(s.ac5)}`;

/** Markdown tables: AC@1 / AC@3 / AC@5 per topology and per fault kind, the three methods side by side. */
export function suiteTables(results: readonly SuiteResult[]): string {
  const out: string[] = [];
  const table = (title: string, key: (r: SuiteResult) => string, groups: readonly string[]) => {
    out.push(`\n**${title}** — AC@1 / AC@3 / AC@5\n`);
    out.push(
      `| ${title.toLowerCase().startsWith('by topology') ? 'topology' : 'fault kind'} | n | ${METHODS.join(' | ')} |`,
    );
    out.push(`|---|---|${METHODS.map(() => '---').join('|')}|`);
    for (const g of ['all', ...groups]) {
      const rows = (m: Method) => results.filter((r) => r.method === m && (g === 'all' || key(r) === g));
      const n = rows('engine').length;
      const cells = METHODS.map((m) =>
        m === 'engine' ? `**${cell(score(rows(m)))}**` : cell(score(rows(m))),
      );
      out.push(`| ${g} | ${n} | ${cells.join(' | ')} |`);
    }
  };
  table('By topology', (r) => r.topology, SUITE_TOPOLOGIES);
  table('By fault kind', (r) => r.faultType, [...FAULT_KINDS, 'concurrent']);
  return out.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t0 = performance.now();
  const cases = buildSuite();
  const t1 = performance.now();
  const results = runGeneratedSuite(cases);
  const t2 = performance.now();
  console.log(
    `${cases.length} incidents: planned in ${((t1 - t0) / 1000).toFixed(1)} s, simulated and ranked in ${((t2 - t1) / 1000).toFixed(1)} s`,
  );
  console.log(suiteTables(results));
  if (process.argv.includes('--misses')) {
    const byId = new Map(cases.map((c) => [c.id, c]));
    for (const r of results.filter((x) => x.method === 'engine' && x.rank !== 1)) {
      console.log(
        `${r.caseId} ${byId.get(r.caseId)?.faults.join(' + ')} rank=${r.rank} top=${r.top.slice(0, 3).join(', ')}`,
      );
    }
  }
}
