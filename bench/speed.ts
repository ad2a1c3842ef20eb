// Speed benchmark: parse and analysis time (median of several runs) and peak memory on
// generated graphs of 100, 1,000 and 10,000 services. Each size runs in its own process so that
// peak memory belongs to that size alone.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { analyze } from '../lambdas/core/analyze.ts';
import { parseSnapshot } from '../lambdas/core/parse.ts';
import { generateSyntheticSnapshot } from './synthetic.ts';

export interface SpeedRow {
  services: number;
  edges: number;
  bytes: number;
  parseMs: number;
  analyzeMs: number;
  peakRssMb: number;
  correct: boolean;
  runs: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** Runs one size in this process. */
export function measure(services: number, runs: number): SpeedRow {
  const gen = generateSyntheticSnapshot(services, 1);
  const text = JSON.stringify({ incident: gen.incident, baseline: gen.baseline });
  const parseTimes: number[] = [];
  const analyzeTimes: number[] = [];
  let correct = false;
  let edges = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const snapshot = parseSnapshot(JSON.parse(text));
    const t1 = performance.now();
    const finding = analyze(snapshot);
    const t2 = performance.now();
    parseTimes.push(t1 - t0);
    analyzeTimes.push(t2 - t1);
    correct = finding.rootCauses[0]?.service === gen.rootCause;
    edges = snapshot.incident.nodes.reduce((s, n) => s + n.edges.length, 0);
  }
  return {
    services,
    edges,
    bytes: text.length,
    parseMs: median(parseTimes),
    analyzeMs: median(analyzeTimes),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    correct,
    runs,
  };
}

/** Runs every size in a child process of its own. */
export function runSpeed(sizes = [100, 1000, 10000], runs = 5): SpeedRow[] {
  const self = fileURLToPath(import.meta.url);
  return sizes.map((n) => {
    const r = spawnSync(
      process.execPath,
      ['--import', 'tsx', self, '--size', String(n), '--runs', String(runs)],
      {
        encoding: 'utf8',
        maxBuffer: 1 << 24,
      },
    );
    if (r.status !== 0) throw new Error(`speed run for ${n} services failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop() as string) as SpeedRow;
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--size');
  if (at >= 0) {
    const runsAt = process.argv.indexOf('--runs');
    const runs = runsAt >= 0 ? Number(process.argv[runsAt + 1]) : 5;
    console.log(JSON.stringify(measure(Number(process.argv[at + 1]), runs)));
  } else {
    console.table(runSpeed());
  }
}
