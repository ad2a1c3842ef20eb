// Accuracy benchmark: ranks root causes on the labelled PetShop incidents with the engine and the
// two comparison methods, whole graph and alarm-scoped. Labels are read here only, to score.

import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { analyze, METHODS, type Method } from '../lambdas/core/analyze.ts';
import { parseSnapshot } from '../lambdas/core/parse.ts';

export const PETSHOP_DIR = resolve(import.meta.dirname, '../../shared/benchmarks/rca/petshop');

interface Label {
  groundTruth: { rootCauseServices: string[]; faultType: string };
  meta: { targetSymptom: { node: string }; signal?: { visibleInServiceGraph?: boolean } };
}

export interface CaseResult {
  caseId: string;
  faultType: string;
  method: Method;
  scoped: boolean;
  /** 1-based rank of the first true root cause among distinct service names; 0 when absent from the top 5. */
  rank: number;
  top: string[];
}

export interface Scores {
  n: number;
  ac1: number;
  ac3: number;
  ac5: number;
  avg5: number;
}

export function loadPetshop(dir = PETSHOP_DIR): { caseId: string; snapshot: unknown; label: Label }[] {
  if (!existsSync(dir)) return [];
  const labels = JSON.parse(readFileSync(join(dir, 'labels.json'), 'utf8')) as Record<string, Label>;
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json') && f !== 'labels.json')
    .sort()
    .map((f) => {
      const caseId = f.replace(/\.json$/, '');
      const label = labels[caseId];
      if (!label) throw new Error(`${join(dir, f)}: no label for ${caseId} in labels.json`);
      return { caseId, snapshot: JSON.parse(readFileSync(join(dir, f), 'utf8')), label };
    });
}

export function runCase(
  c: { caseId: string; snapshot: unknown; label: Label },
  method: Method,
  scoped: boolean,
): CaseResult {
  const snapshot = parseSnapshot(c.snapshot);
  const finding = analyze(snapshot, {
    method,
    ...(scoped ? { service: c.label.meta.targetSymptom.node } : {}),
    config: { maxRootCauses: 10 },
  });
  const top: string[] = [];
  for (const r of finding.rootCauses) if (!top.includes(r.service)) top.push(r.service);
  const truth = new Set(c.label.groundTruth.rootCauseServices);
  const idx = top.slice(0, 5).findIndex((s) => truth.has(s));
  return {
    caseId: c.caseId,
    faultType: c.label.groundTruth.faultType,
    method,
    scoped,
    rank: idx + 1,
    top: top.slice(0, 5),
  };
}

export function score(results: readonly CaseResult[]): Scores {
  const n = results.length;
  const at = (k: number) => (n === 0 ? 0 : results.filter((r) => r.rank >= 1 && r.rank <= k).length / n);
  const ac = [1, 2, 3, 4, 5].map(at);
  return { n, ac1: at(1), ac3: at(3), ac5: at(5), avg5: ac.reduce((s, x) => s + x, 0) / 5 };
}

export function runAccuracy(dir = PETSHOP_DIR): CaseResult[] {
  const cases = loadPetshop(dir);
  const out: CaseResult[] = [];
  for (const method of METHODS) {
    for (const scoped of [false, true]) {
      for (const c of cases) out.push(runCase(c, method, scoped));
    }
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const results = runAccuracy();
  for (const method of METHODS) {
    for (const scoped of [false, true]) {
      const rs = results.filter((r) => r.method === method && r.scoped === scoped);
      const s = score(rs);
      console.log(
        `${method.padEnd(7)} ${scoped ? 'scoped' : 'whole '} AC@1 ${s.ac1.toFixed(2)} AC@3 ${s.ac3.toFixed(2)} AC@5 ${s.ac5.toFixed(2)} Avg@5 ${s.avg5.toFixed(2)}`,
      );
    }
  }
  if (process.argv.includes('--misses')) {
    for (const r of results.filter((x) => x.method === 'engine' && x.rank !== 1)) {
      console.log(
        `${r.scoped ? 'S' : 'W'} ${r.caseId} ${r.faultType} rank=${r.rank} top=${r.top.join(', ')}`,
      );
    }
  }
}
