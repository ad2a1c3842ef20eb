// The accuracy part of `npm run bench`: every public labelled set side by side with the reference
// rankers, by fault type; the calibration of the engine's confidence; and each set scored with the
// weights that fit the other set best, to show that no weight is tuned to one dataset.

import type { Method } from '../lambdas/core/analyze.ts';
import { METHODS } from '../lambdas/core/analyze.ts';
import type { AnalysisConfig } from '../lambdas/core/config.ts';
import {
  type BenchCase,
  type CaseResult,
  DATASETS,
  loadDataset,
  runAccuracy,
  runCase,
  score,
} from './accuracy.ts';

const f2 = (x: number) => x.toFixed(2);
const cell = (rs: readonly CaseResult[]) => {
  const s = score(rs);
  return `${f2(s.ac1)} / ${f2(s.ac3)} / ${f2(s.ac5)} / ${f2(s.avg5)}`;
};

export interface LoadedSet {
  readonly name: string;
  readonly title: string;
  readonly dir: string;
  readonly cases: readonly BenchCase[];
}

export function loadSets(): LoadedSet[] {
  return DATASETS.map((d) => ({ ...d, cases: loadDataset(d.name, d.dir) }));
}

/** AC@1 / AC@3 / AC@5 / Avg@5 per method, overall and by fault type, for one set. */
export function accuracyTable(results: readonly CaseResult[], scoped: boolean): string {
  const rs = results.filter((r) => r.scoped === scoped);
  const types = [...new Set(rs.map((r) => r.faultType))].sort();
  const out = [`| cases | n | ${METHODS.join(' | ')} |`, `|---|---|${METHODS.map(() => '---').join('|')}|`];
  for (const group of ['all', ...types]) {
    const inGroup = (r: CaseResult) => group === 'all' || r.faultType === group;
    const n = rs.filter((r) => r.method === 'engine' && inGroup(r)).length;
    const cells = METHODS.map((m: Method) => cell(rs.filter((r) => r.method === m && inGroup(r))));
    out.push(`| ${group} | ${n} | ${cells.join(' | ')} |`);
  }
  return out.join('\n');
}

export const CONFIDENCE_BINS = [
  [0, 0.5],
  [0.5, 0.8],
  [0.8, 0.95],
  [0.95, 1],
] as const;

/** Share of top-1 answers that were right, by the engine's confidence in them, over every set. */
export function calibrationTable(results: readonly CaseResult[]): string {
  const top = results.filter((r) => r.method === 'engine' && !r.scoped && r.top.length > 0);
  const sets = [...new Set(top.map((r) => r.dataset))];
  const out = [
    `| confidence | n | right at top-1 | within range ±10 points | ${sets.join(' | ')} |`,
    `|---|---|---|---|${sets.map(() => '---').join('|')}|`,
  ];
  for (const [lo, hi] of CONFIDENCE_BINS) {
    const inBin = top.filter(
      (r) => r.confidence >= lo && (r.confidence < hi || (hi === 1 && r.confidence <= 1)),
    );
    const right = (rs: readonly CaseResult[]) => rs.filter((r) => r.rank === 1).length;
    const acc = inBin.length > 0 ? right(inBin) / inBin.length : Number.NaN;
    const ok = Number.isNaN(acc) ? '–' : acc >= lo - 0.1 && acc <= hi + 0.1 ? 'yes' : '**no**';
    const perSet = sets.map((s) => {
      const b = inBin.filter((r) => r.dataset === s);
      return `${right(b)} of ${b.length}`;
    });
    out.push(
      `| ${Math.round(lo * 100)}–${Math.round(hi * 100)} % | ${inBin.length} | ${Number.isNaN(acc) ? '–' : f2(acc)} | ${ok} | ${perSet.join(' | ')} |`,
    );
  }
  return out.join('\n');
}

/** The grid the cross-fit searches: the engine's two ranking weights. */
export const WEIGHT_GRID: readonly Partial<AnalysisConfig>[] = [0.05, 0.1, 0.2, 0.4].flatMap((impactFloor) =>
  [2, 4, 8].map((magnification) => ({ impactFloor, magnification })),
);

const describe = (w: Partial<AnalysisConfig>) =>
  `impactFloor ${w.impactFloor}, magnification ${w.magnification}`;

/**
 * For each set: the weights that score best on the *other* set (AC@1, then Avg@5; ties keep the
 * earlier grid point), and this set's figures with them next to its figures with the defaults.
 */
export function crossFitTable(sets: readonly LoadedSet[]): string {
  const scores = new Map<string, { ac1: number; avg5: number }[]>();
  for (const s of sets) {
    scores.set(
      s.name,
      WEIGHT_GRID.map((w) => score(s.cases.map((c) => runCase(c, 'engine', false, w)))),
    );
  }
  const out = [
    '| set | weights fitted on | fitted weights | AC@1 / Avg@5 with them | with the defaults |',
    '|---|---|---|---|---|',
  ];
  for (const s of sets) {
    for (const other of sets) {
      if (other.name === s.name) continue;
      const theirs = scores.get(other.name) ?? [];
      let best = 0;
      theirs.forEach((x, i) => {
        const b = theirs[best] as { ac1: number; avg5: number };
        if (x.ac1 > b.ac1 || (x.ac1 === b.ac1 && x.avg5 > b.avg5)) best = i;
      });
      const mine = (scores.get(s.name) ?? [])[best] as { ac1: number; avg5: number };
      const defaults = score(s.cases.map((c) => runCase(c, 'engine', false)));
      out.push(
        `| ${s.name} | ${other.name} | ${describe(WEIGHT_GRID[best] ?? {})} | ${f2(mine.ac1)} / ${f2(mine.avg5)} | ${f2(defaults.ac1)} / ${f2(defaults.avg5)} |`,
      );
    }
  }
  return out.join('\n');
}

/** Prints the whole accuracy section; returns every result for the caller's summary. */
export function printAccuracy(): CaseResult[] {
  const sets = loadSets();
  const all: CaseResult[] = [];
  for (const s of sets) {
    console.log(`\n## Accuracy: ${s.title}`);
    if (s.cases.length === 0) {
      console.log(`\nskipped: ${s.dir} is not beside this checkout`);
      continue;
    }
    const results = runAccuracy(s.cases);
    all.push(...results);
    console.log('\n**Whole graph** — AC@1 / AC@3 / AC@5 / Avg@5\n');
    console.log(accuracyTable(results, false));
    if (results.some((r) => r.scoped)) {
      console.log('\n**Alarm-scoped (`--service` = the symptom service)** — AC@1 / AC@3 / AC@5 / Avg@5\n');
      console.log(accuracyTable(results, true));
    }
    const misses = results.filter((r) => r.method === 'engine' && !r.scoped && r.rank !== 1);
    console.log(`\nEngine misses at top-1 (whole graph): ${misses.length} of ${s.cases.length}`);
    for (const m of misses) {
      console.log(
        `- ${m.caseId} (${m.faultType}): truth at rank ${m.rank || '>5'}; ranked ${m.top.slice(0, 3).join(', ') || 'nothing'}`,
      );
    }
  }
  if (all.length > 0) {
    console.log('\n## Confidence calibration: engine top-1 on every public set, whole graph\n');
    console.log(calibrationTable(all));
    console.log('\n## Cross-fit: each set scored with the weights that fit the other set best\n');
    console.log(crossFitTable(sets.filter((s) => s.cases.length > 0)));
  }
  return all;
}
