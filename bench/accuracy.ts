// Accuracy benchmark: ranks root causes on the labelled public sets (PetShop, TraceRCA
// Train-Ticket) with the engine and the comparison methods, whole graph and — where the set
// names the symptom service — alarm-scoped. Labels are read here only, to score.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyze, METHODS, type Method } from '../lambdas/core/analyze.ts';
import type { AnalysisConfig } from '../lambdas/core/config.ts';
import { parseSnapshot } from '../lambdas/core/parse.ts';

export const BENCH_ROOT = resolve(import.meta.dirname, '../../shared/benchmarks/rca');
export const PETSHOP_DIR = join(BENCH_ROOT, 'petshop');
export const TRACERCA_DIR = join(BENCH_ROOT, 'tracerca-tt');

/** The public labelled sets, in the order the benchmark prints them. */
export const DATASETS = [
  { name: 'petshop', title: 'PetShop (68 AWS PetAdoptions fault injections)', dir: PETSHOP_DIR },
  { name: 'tracerca-tt', title: 'TraceRCA Train-Ticket (176 fault injections)', dir: TRACERCA_DIR },
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

if (import.meta.url === `file://${process.argv[1]}`) {
  const only = process.argv.find((a) => a.startsWith('--set='))?.slice(6);
  for (const ds of DATASETS) {
    if (only && only !== ds.name) continue;
    const results = runAccuracy(
      loadDataset(ds.name, ds.dir),
      process.argv.includes('--all') ? METHODS : ['engine'],
    );
    for (const method of METHODS) {
      for (const scoped of [false, true]) {
        const rs = results.filter((r) => r.method === method && r.scoped === scoped);
        if (rs.length === 0) continue;
        const s = score(rs);
        const types = [...new Set(rs.map((r) => r.faultType))].sort();
        const by = types
          .map((t) => `${t} ${score(rs.filter((r) => r.faultType === t)).ac1.toFixed(2)}`)
          .join(' ');
        console.log(
          `${ds.name.padEnd(12)} ${method.padEnd(7)} ${scoped ? 'scoped' : 'whole '} AC@1 ${s.ac1.toFixed(3)} AC@3 ${s.ac3.toFixed(3)} AC@5 ${s.ac5.toFixed(3)} Avg@5 ${s.avg5.toFixed(3)} | ${by}`,
        );
      }
    }
    if (process.argv.includes('--misses')) {
      for (const r of results.filter((x) => x.method === 'engine' && x.rank !== 1)) {
        console.log(
          `  ${r.scoped ? 'S' : 'W'} ${r.caseId} ${r.faultType} rank=${r.rank} conf=${r.confidence} top=${r.top.join(', ')}`,
        );
      }
    }
  }
}
