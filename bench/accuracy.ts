// Accuracy benchmark: ranks root causes on the labelled public sets (PetShop, TraceRCA
// Train-Ticket, Nezha Train-Ticket and Online Boutique) with the engine and the comparison
// methods, whole graph and — where the set names the symptom service — alarm-scoped; and, where a
// set has a "what changed" file per case, with those changes as evidence. Labels are read here
// only, to score.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyze, METHODS, type Method } from '../lambdas/core/analyze.ts';
import type { AnalysisConfig } from '../lambdas/core/config.ts';
import { parseLookupEvents } from '../lambdas/core/evidence/change-events.ts';
import { parseSnapshot } from '../lambdas/core/parse.ts';

export const BENCH_ROOT = resolve(import.meta.dirname, '../../shared/benchmarks/rca');
export const PETSHOP_DIR = join(BENCH_ROOT, 'petshop');
export const TRACERCA_DIR = join(BENCH_ROOT, 'tracerca-tt');

/** The public labelled sets, in the order the benchmark prints them. */
export const DATASETS = [
  { name: 'petshop', title: 'PetShop (68 AWS PetAdoptions fault injections)', dir: PETSHOP_DIR },
  { name: 'tracerca-tt', title: 'TraceRCA Train-Ticket (176 fault injections)', dir: TRACERCA_DIR },
  {
    name: 'nezha-tt',
    title: 'Nezha Train-Ticket (45 fault injections, code-level faults among them)',
    dir: join(BENCH_ROOT, 'nezha-tt'),
  },
  {
    name: 'nezha-ob',
    title: 'Nezha Online Boutique (15 fault injections)',
    dir: join(BENCH_ROOT, 'nezha-ob'),
  },
] as const;
export type DatasetName = (typeof DATASETS)[number]['name'];

interface Label {
  groundTruth: { rootCauseServices: string[]; faultType: string };
  meta: { targetSymptom?: { node: string }; signal?: { visibleInServiceGraph?: boolean } };
}

export interface BenchCase {
  readonly dataset: string;
  readonly caseId: string;
  readonly snapshot: unknown;
  readonly label: Label;
  /** The case's "what changed" (a CloudTrail LookupEvents response), where the set has one. */
  readonly changes?: { readonly events: unknown; readonly truthChanged: boolean };
}

export interface CaseResult {
  dataset: string;
  caseId: string;
  faultType: string;
  method: Method;
  scoped: boolean;
  /** 1-based rank of the first true root cause among distinct service names; 0 when absent from the top 5. */
  rank: number;
  top: string[];
  /** The engine's confidence in its first root cause (0 when it named none). */
  confidence: number;
  /** Whether the fault shows in the converted graph at all (the set's label; undefined when unknown). */
  visible?: boolean;
  /** Run with the case's change events as evidence. */
  withChanges?: boolean;
  /** The faulty service was among the released ones (change runs only). */
  truthChanged?: boolean;
}

export interface Scores {
  n: number;
  ac1: number;
  ac3: number;
  ac5: number;
  avg5: number;
}

export function loadDataset(dataset: string, dir: string): BenchCase[] {
  if (!existsSync(dir)) return [];
  const labels = JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')) as Record<string, Label>;
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && f !== 'labels.json')
    .sort()
    .map((f) => {
      const caseId = f.replace(/\.json$/, '');
      const label = labels[caseId];
      if (!label) throw new Error(`${join(dir, f)}: no label for ${caseId} in labels.json`);
      return { dataset, caseId, snapshot: JSON.parse(readFileSync(join(dir, f), 'utf8')), label };
    });
}

/** The set's cases with their "what changed" files (`<dir>/changes/`), or none when the set has none. */
export function loadChangeSet(dataset: string, dir: string): BenchCase[] {
  const changesDir = join(dir, 'changes');
  if (!existsSync(join(changesDir, 'manifest.json'))) return [];
  const manifest = JSON.parse(readFileSync(join(changesDir, 'manifest.json'), 'utf8')) as Record<
    string,
    { truthChanged: boolean }
  >;
  return loadDataset(dataset, dir).map((c) => {
    const m = manifest[c.caseId];
    if (!m) throw new Error(`${join(changesDir, 'manifest.json')}: no entry for ${c.caseId}`);
    const events: unknown = JSON.parse(readFileSync(join(changesDir, `${c.caseId}.json`), 'utf8'));
    return { ...c, changes: { events, truthChanged: m.truthChanged } };
  });
}

export const loadPetshop = (dir = PETSHOP_DIR): BenchCase[] => loadDataset('petshop', dir);

export function runCase(
  c: BenchCase,
  method: Method,
  scoped: boolean,
  config: Partial<AnalysisConfig> = {},
): CaseResult {
  const snapshot = parseSnapshot(c.snapshot);
  const symptom = c.label.meta.targetSymptom?.node;
  const finding = analyze(snapshot, {
    method,
    ...(scoped && symptom !== undefined ? { service: symptom } : {}),
    config: { ...config, maxRootCauses: 10 },
    ...(c.changes ? { evidence: { changes: parseLookupEvents(c.changes.events) } } : {}),
  });
  const top: string[] = [];
  for (const r of finding.rootCauses) if (!top.includes(r.service)) top.push(r.service);
  const truth = new Set(c.label.groundTruth.rootCauseServices);
  const idx = top.slice(0, 5).findIndex((s) => truth.has(s));
  return {
    dataset: c.dataset,
    caseId: c.caseId,
    faultType: c.label.groundTruth.faultType,
    method,
    scoped,
    rank: idx + 1,
    top: top.slice(0, 5),
    confidence: finding.rootCauses[0]?.confidence ?? 0,
    ...(c.label.meta.signal?.visibleInServiceGraph !== undefined
      ? { visible: c.label.meta.signal.visibleInServiceGraph }
      : {}),
    withChanges: c.changes !== undefined,
    ...(c.changes ? { truthChanged: c.changes.truthChanged } : {}),
  };
}

export function score(results: readonly CaseResult[]): Scores {
  const n = results.length;
  const at = (k: number) => (n === 0 ? 0 : results.filter((r) => r.rank >= 1 && r.rank <= k).length / n);
  const ac = [1, 2, 3, 4, 5].map(at);
  return { n, ac1: at(1), ac3: at(3), ac5: at(5), avg5: ac.reduce((s, x) => s + x, 0) / 5 };
}

/** Every method on every case; alarm-scoped runs only where the set names the symptom service. */
export function runAccuracy(cases: readonly BenchCase[], methods: readonly Method[] = METHODS): CaseResult[] {
  const out: CaseResult[] = [];
  const scopes = cases.some((c) => c.label.meta.targetSymptom) ? [false, true] : [false];
  for (const method of methods) {
    for (const scoped of scopes) {
      for (const c of cases) out.push(runCase(c, method, scoped));
    }
  }
  return out;
}

/** One line of figures: AC@1 overall, where the graph shows the fault, where it does not, and by fault type. */
export function summaryLine(rs: readonly CaseResult[]): string {
  const s = score(rs);
  const shown = rs.filter((r) => r.visible !== false);
  const hidden = rs.filter((r) => r.visible === false);
  const types = [...new Set(rs.map((r) => r.faultType))].sort();
  const by = types.map((t) => `${t} ${score(rs.filter((r) => r.faultType === t)).ac1.toFixed(2)}`).join(' ');
  const vis =
    hidden.length > 0
      ? ` | shown ${score(shown).ac1.toFixed(3)} (${shown.length}) hidden ${score(hidden).ac1.toFixed(3)} (${hidden.length})`
      : '';
  return `AC@1 ${s.ac1.toFixed(3)} AC@3 ${s.ac3.toFixed(3)} AC@5 ${s.ac5.toFixed(3)} Avg@5 ${s.avg5.toFixed(3)}${vis} | ${by}`;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const only = process.argv.find((a) => a.startsWith('--set='))?.slice(6);
  if (only !== undefined && !DATASETS.some((d) => d.name === only)) {
    console.error(`--set=${only}: unknown set; the sets are ${DATASETS.map((d) => d.name).join(', ')}`);
    process.exit(2);
  }
  if (!existsSync(BENCH_ROOT)) {
    console.error(
      `${BENCH_ROOT} is missing: the labelled sets live in ../shared/benchmarks/rca beside the checkout (see docs/benchmarks.md for their public sources)`,
    );
    process.exit(2);
  }
  const methods = process.argv.includes('--all') ? METHODS : (['engine'] as const);
  for (const ds of DATASETS) {
    if (only && only !== ds.name) continue;
    const results = runAccuracy(loadDataset(ds.name, ds.dir), methods);
    const changed = loadChangeSet(ds.name, ds.dir);
    const withChanges = changed.length > 0 ? runAccuracy(changed, ['engine']) : [];
    for (const method of METHODS) {
      for (const scoped of [false, true]) {
        const rs = results.filter((r) => r.method === method && r.scoped === scoped);
        if (rs.length === 0) continue;
        console.log(
          `${ds.name.padEnd(12)} ${method.padEnd(7)} ${scoped ? 'scoped' : 'whole '} ${summaryLine(rs)}`,
        );
      }
    }
    for (const scoped of [false, true]) {
      const rs = withChanges.filter((r) => r.scoped === scoped);
      if (rs.length === 0) continue;
      for (const released of [true, false]) {
        const group = rs.filter((r) => r.truthChanged === released);
        const graphOnly = results.filter(
          (r) => r.method === 'engine' && r.scoped === scoped && group.some((g) => g.caseId === r.caseId),
        );
        console.log(
          `${ds.name.padEnd(12)} changes ${scoped ? 'scoped' : 'whole '} ${released ? 'faulty released    ' : 'faulty not released'} n=${group.length} AC@1 ${score(group).ac1.toFixed(3)} (graph only ${score(graphOnly).ac1.toFixed(3)})`,
        );
      }
    }
    if (process.argv.includes('--misses')) {
      for (const r of [...results, ...withChanges].filter((x) => x.method === 'engine' && x.rank !== 1)) {
        console.log(
          `  ${r.scoped ? 'S' : 'W'}${r.withChanges ? 'C' : ' '} ${r.caseId} ${r.faultType}${r.visible === false ? ' (hidden)' : ''} rank=${r.rank} conf=${r.confidence} top=${r.top.join(', ')}`,
        );
      }
    }
  }
}
