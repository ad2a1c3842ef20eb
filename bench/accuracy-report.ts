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
  loadChangeSet,
  loadDataset,
  runAccuracy,
  runCase,
  type Scores,
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
  const rs = results.filter((r) => r.scoped === scoped && !r.withChanges);
  const types = [...new Set(rs.map((r) => r.faultType))].sort();
  const out = [`| cases | n | ${METHODS.join(' | ')} |`, `|---|---|${METHODS.map(() => '---').join('|')}|`];
  const groups: [string, (r: CaseResult) => boolean][] = [['all', () => true]];
  if (rs.some((r) => r.visible === false)) {
    groups.push(['the graph shows the fault', (r) => r.visible !== false]);
    groups.push(['the graph does not', (r) => r.visible === false]);
  }
  for (const t of types) groups.push([t, (r) => r.faultType === t]);
  for (const [name, inGroup] of groups) {
    const n = rs.filter((r) => r.method === 'engine' && inGroup(r)).length;
    const cells = METHODS.map((m: Method) => cell(rs.filter((r) => r.method === m && inGroup(r))));
    out.push(`| ${name} | ${n} | ${cells.join(' | ')} |`);
  }
  return out.join('\n');
}

export const CONFIDENCE_BINS = [
  [0, 0.5],
  [0.5, 0.8],
  [0.8, 0.95],
  [0.95, 1],
] as const;

/** Whether a bin's accuracy is within `slack` of its confidence range. */
const inRange = (acc: number, lo: number, hi: number, slack: number) =>
  acc >= lo - slack && acc <= hi + slack;

/**
 * Share of top-1 answers that were right, by the engine's confidence, per set: each bin with at
 * least 10 answers should be right within 15 points of its range.
 */
export function calibrationTable(results: readonly CaseResult[]): string {
  const top = results.filter((r) => r.method === 'engine' && !r.scoped && !r.withChanges && r.top.length > 0);
  const sets = [...new Set(top.map((r) => r.dataset))];
  const out = [
    `| confidence | ${sets.join(' | ')} | all sets |`,
    `|---|${sets.map(() => '---').join('|')}|---|`,
  ];
  for (const [lo, hi] of CONFIDENCE_BINS) {
    const inBin = (rs: readonly CaseResult[]) =>
      rs.filter((r) => r.confidence >= lo && (r.confidence < hi || (hi === 1 && r.confidence <= 1)));
    const cellOf = (rs: readonly CaseResult[]) => {
      const b = inBin(rs);
      if (b.length === 0) return '–';
      const acc = b.filter((r) => r.rank === 1).length / b.length;
      const verdict = b.length < 10 ? '' : inRange(acc, lo, hi, 0.15) ? ' ✓' : ' **✗**';
      return `${f2(acc)} (${b.length})${verdict}`;
    };
    out.push(
      `| ${Math.round(lo * 100)}–${Math.round(hi * 100)} % | ${sets.map((s) => cellOf(top.filter((r) => r.dataset === s))).join(' | ')} | ${cellOf(top)} |`,
    );
  }
  return out.join('\n');
}

/** The grid the leave-one-set-out fit searches: the two ranking weights. */
export const WEIGHT_GRID: readonly Partial<AnalysisConfig>[] = [0.05, 0.1, 0.2, 0.4].flatMap((impactFloor) =>
  [2, 4, 8].map((magnification) => ({ impactFloor, magnification })),
);
/** …and the confidence scale, fitted on calibration (Brier score) alone. */
export const SUPPORT_GRID: readonly number[] = [3, 5, 8, 12, 20];

const describe = (w: Partial<AnalysisConfig>) =>
  `impactFloor ${w.impactFloor}, magnification ${w.magnification}`;

/** Brier score of the first answers' confidence, over the cases that got an answer. */
export const brier = (rs: readonly CaseResult[]) => {
  const answered = rs.filter((r) => r.top.length > 0);
  return answered.reduce((sum, r) => sum + (r.confidence - (r.rank === 1 ? 1 : 0)) ** 2, 0) / answered.length;
};

/**
 * Leave one set out: for each set, the ranking weights that score best on the other sets (mean
 * AC@1, then Avg@5; ties keep the earlier grid point) and the confidence scale with the lowest mean
 * Brier score on them, then this set's figures with them next to its figures with the defaults.
 */
export function leaveOneOutTable(sets: readonly LoadedSet[]): string {
  const run = (s: LoadedSet, cfg: Partial<AnalysisConfig>) =>
    s.cases.map((c) => runCase(c, 'engine', false, cfg));
  const weightScores = new Map(sets.map((s) => [s.name, WEIGHT_GRID.map((w) => score(run(s, w)))]));
  const supportScores = new Map(
    sets.map((s) => [s.name, SUPPORT_GRID.map((k) => brier(run(s, { supportRequests: k })))]),
  );
  const out = [
    '| held out | weights fitted on the others | AC@1 / Avg@5 with them | with the defaults | confidence scale fitted | Brier with it | with the default |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const s of sets) {
    const others = sets.filter((o) => o.name !== s.name);
    let best = 0;
    let bestKey = [-1, -1];
    WEIGHT_GRID.forEach((_, i) => {
      const ac1 = others.reduce((sum, o) => sum + (weightScores.get(o.name)?.[i]?.ac1 ?? 0), 0);
      const avg5 = others.reduce((sum, o) => sum + (weightScores.get(o.name)?.[i]?.avg5 ?? 0), 0);
      if (ac1 > (bestKey[0] as number) || (ac1 === bestKey[0] && avg5 > (bestKey[1] as number))) {
        best = i;
        bestKey = [ac1, avg5];
      }
    });
    let bestK = 0;
    SUPPORT_GRID.forEach((_, i) => {
      const b = (j: number) => others.reduce((sum, o) => sum + (supportScores.get(o.name)?.[j] ?? 0), 0);
      if (b(i) < b(bestK)) bestK = i;
    });
    const mine = weightScores.get(s.name)?.[best] as Scores;
    const defaults = score(run(s, {}));
    out.push(
      `| ${s.name} | ${describe(WEIGHT_GRID[best] ?? {})} | ${f2(mine.ac1)} / ${f2(mine.avg5)} | ${f2(defaults.ac1)} / ${f2(defaults.avg5)} | ${SUPPORT_GRID[bestK]} | ${(supportScores.get(s.name)?.[bestK] ?? 0).toFixed(3)} | ${brier(run(s, {})).toFixed(3)} |`,
    );
  }
  return out.join('\n');
}

/** AC@1 with the case's "what changed" against graph-only, where the faulty service was released and where it was not. */
export function changeSetTable(sets: readonly LoadedSet[]): string {
  const out = [
    '| set | mode | faulty service released: n · AC@1 with changes (graph only) | not released: n · AC@1 with changes (graph only) |',
    '|---|---|---|---|',
  ];
  for (const s of sets) {
    const changed = loadChangeSet(s.name, s.dir);
    if (changed.length === 0) continue;
    const withChanges = runAccuracy(changed, ['engine']);
    const graphOnly = runAccuracy(s.cases, ['engine']);
    for (const scoped of [false, true]) {
      const cells = [true, false].map((released) => {
        const group = withChanges.filter((r) => r.scoped === scoped && r.truthChanged === released);
        if (group.length === 0) return '–';
        const ids = new Set(group.map((r) => r.caseId));
        const base = graphOnly.filter((r) => r.scoped === scoped && ids.has(r.caseId));
        return `${group.length} · ${f2(score(group).ac1)} (${f2(score(base).ac1)})`;
      });
      if (cells.every((c) => c === '–')) continue;
      out.push(`| ${s.name} | ${scoped ? 'alarm-scoped' : 'whole graph'} | ${cells.join(' | ')} |`);
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
    const loaded = sets.filter((s) => s.cases.length > 0);
    console.log('\n## What changed: the change sets, with the changes against graph only\n');
    console.log(changeSetTable(loaded));
    console.log('\n## Confidence calibration per set: engine top-1, whole graph (share right, answers)\n');
    console.log(calibrationTable(all));
    console.log('\n## Leave one set out: weights and confidence scale fitted on the other sets\n');
    console.log(leaveOneOutTable(loaded));
  }
  return all;
}
