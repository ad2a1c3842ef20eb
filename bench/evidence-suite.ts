// The generated suite with X-Ray trace summaries off and on: each incident is simulated once, its
// trace summaries drawn from the same simulation (X-Ray blames the faulted service, or one of its
// callers in `misattributed` of the traces), and the engine ranks it with and without them. Also
// the incidents where the graph alone is ambiguous: its top two candidates within 20 % of each
// other, or no baseline window at all.
//
//   npx tsx bench/evidence-suite.ts

import { fileURLToPath } from 'node:url';
import { analyze } from '../lambdas/core/analyze.ts';
import { parseTraceSummaries, type TraceSummaries } from '../lambdas/core/evidence/trace-summaries.ts';
import type { Finding, GraphSnapshot } from '../lambdas/core/model.ts';
import { parseSnapshot } from '../lambdas/core/parse.ts';
import { simulateTraceSummaries, traceSummaryJson } from '../lambdas/simulator/trace-summaries.ts';
import { score } from './accuracy.ts';
import { buildSuite, type SuiteCase, simulation } from './generated-suite.ts';

/** A graph whose top two distinct candidates score within this ratio of each other is ambiguous. */
export const AMBIGUOUS_RATIO = 0.8;

export interface EvidenceRun {
  readonly caseId: string;
  readonly group: string;
  /** 1-based rank of the first faulted service among distinct services; 0 when not in the top 5. */
  readonly off: number;
  readonly on: number;
  /** Same, analysing the incident window alone (no baseline). */
  readonly offNoBaseline: number;
  readonly onNoBaseline: number;
  /** score #2 ÷ score #1 of the graph-only ranking (0 with fewer than two candidates). */
  readonly closeness: number;
  /** The same with trace summaries. */
  readonly closenessOn: number;
}

function rankOf(f: Finding, truth: ReadonlySet<string>): number {
  const top: string[] = [];
  for (const r of f.rootCauses) if (!top.includes(r.service)) top.push(r.service);
  return top.slice(0, 5).findIndex((s) => truth.has(s)) + 1;
}

function closenessOf(f: Finding): number {
  const seen = new Map<string, number>();
  for (const r of f.rootCauses) if (!seen.has(r.service)) seen.set(r.service, r.score);
  const [a, b] = [...seen.values()];
  return a !== undefined && b !== undefined && a > 0 ? b / a : 0;
}

export function runEvidenceSuite(
  cases: readonly SuiteCase[] = buildSuite(),
  misattributed = 0.2,
): EvidenceRun[] {
  return cases.map((c) => {
    const sim = simulation(c);
    const snapshot: GraphSnapshot = parseSnapshot(sim.snapshot);
    const alone: GraphSnapshot = { incident: snapshot.incident, baseline: undefined };
    const traces: TraceSummaries = parseTraceSummaries({
      TraceSummaries: simulateTraceSummaries(sim, { misattributed }).map(traceSummaryJson),
    });
    const truth = new Set(c.truth);
    const run = (s: GraphSnapshot, withTraces: boolean) =>
      analyze(s, { config: { maxRootCauses: 10 }, ...(withTraces ? { evidence: { traces } } : {}) });
    const graphOnly = run(snapshot, false);
    const withTraces = run(snapshot, true);
    return {
      caseId: c.id,
      group: c.group,
      off: rankOf(graphOnly, truth),
      on: rankOf(withTraces, truth),
      closenessOn: closenessOf(withTraces),
      offNoBaseline: rankOf(run(alone, false), truth),
      onNoBaseline: rankOf(run(alone, true), truth),
      closeness: closenessOf(graphOnly),
    };
  });
}

const f2 = (x: number) => x.toFixed(2);
const cell = (ranks: readonly number[]) => {
  const s = score(ranks.map((rank) => ({ rank }) as Parameters<typeof score>[0][number]));
  const top1 = ranks.filter((r) => r === 1).length;
  return `${top1}/${ranks.length} · ${f2(s.ac1)} / ${f2(s.ac3)} / ${f2(s.ac5)}`;
};
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : (s[Math.floor((s.length - 1) / 2)] as number);
};

/** Markdown: AC@1 / AC@3 / AC@5 with trace summaries off and on, overall and where the graph is ambiguous. */
export function evidenceTables(runs: readonly EvidenceRun[], misattributed: number): string {
  const ambiguous = runs.filter((r) => r.closeness >= AMBIGUOUS_RATIO);
  const rows: [string, readonly EvidenceRun[], (r: EvidenceRun) => number, (r: EvidenceRun) => number][] = [
    ['all incidents', runs, (r) => r.off, (r) => r.on],
    [
      `graph ambiguous (#2 within ${Math.round((1 - AMBIGUOUS_RATIO) * 100)} % of #1)`,
      ambiguous,
      (r) => r.off,
      (r) => r.on,
    ],
    ['no baseline window (incident graph alone)', runs, (r) => r.offNoBaseline, (r) => r.onNoBaseline],
  ];
  const out = [
    `\nTrace summaries: 40 faulty or slow traces per incident, ${Math.round(misattributed * 100)} % of them blaming a caller of the faulted service instead.\n`,
    'Cells: top-1 hits · AC@1 / AC@3 / AC@5. Margin: median of 1 − score(#2) ÷ score(#1), how clearly the first candidate leads.\n',
    '| incidents | n | graph only | graph + traces | changed at top-1 (fixed / broken) | margin graph only → + traces |',
    '|---|---|---|---|---|---|',
  ];
  rows.forEach(([name, rs, off, on], i) => {
    const fixed = rs.filter((r) => off(r) !== 1 && on(r) === 1).length;
    const broken = rs.filter((r) => off(r) === 1 && on(r) !== 1).length;
    // Margins are measured on the runs with a baseline (rows 1 and 2).
    const margin =
      i === 2
        ? '—'
        : `${f2(median(rs.map((r) => 1 - r.closeness)))} → ${f2(median(rs.map((r) => 1 - r.closenessOn)))}`;
    out.push(
      `| ${name} | ${rs.length} | ${cell(rs.map(off))} | **${cell(rs.map(on))}** | ${fixed} / ${broken} | ${margin} |`,
    );
  });
  return out.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const t0 = performance.now();
  const cases = buildSuite();
  for (const misattributed of [0.2, 0.5]) {
    const runs = runEvidenceSuite(cases, misattributed);
    console.log(evidenceTables(runs, misattributed));
  }
  console.log(`\n${cases.length} incidents in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
}
