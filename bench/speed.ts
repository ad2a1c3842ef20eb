// Speed benchmark on the simulator's generated estates (1,000, 10,000 and 20,000 services, one
// failing shared back end): time to generate the snapshot (simulate, then serialize to JSON), to
// parse it (JSON.parse and the engine's parser) and to analyze it, median of several runs, and peak
// memory. Each size runs in its own process so that peak memory belongs to that size alone.

import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { analyze } from '../lambdas/core/analyze.ts';
import { parseSnapshot } from '../lambdas/core/parse.ts';
import { generateSyntheticSnapshot } from './synthetic.ts';

export const SPEED_SIZES = [100, 1000, 10_000, 20_000] as const;

export interface SpeedRow {
  services: number;
  edges: number;
  bytes: number;
  simulateMs: number;
  serializeMs: number;
  parseMs: number;
  analyzeMs: number;
  totalMs: number;
  peakRssMb: number;
  correct: boolean;
  runs: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

/** Runs one size in this process: generate, parse, analyze, `runs` times. */
export function measure(services: number, runs: number): SpeedRow {
  const times = {
    simulate: [] as number[],
    serialize: [] as number[],
    parse: [] as number[],
    analyze: [] as number[],
  };
  const totals: number[] = [];
  let correct = true;
  let edges = 0;
  let bytes = 0;
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    const gen = generateSyntheticSnapshot(services, 1);
    const t1 = performance.now();
    const text = JSON.stringify({ incident: gen.incident, baseline: gen.baseline });
    const t2 = performance.now();
    const snapshot = parseSnapshot(JSON.parse(text));
    const t3 = performance.now();
    const finding = analyze(snapshot);
    const t4 = performance.now();
    times.simulate.push(t1 - t0);
    times.serialize.push(t2 - t1);
    times.parse.push(t3 - t2);
    times.analyze.push(t4 - t3);
    totals.push(t4 - t0);
    correct &&= finding.rootCauses[0]?.service === gen.rootCause;
    edges = snapshot.incident.nodes.reduce((s, n) => s + n.edges.length, 0);
    bytes = text.length;
  }
  return {
    services,
    edges,
    bytes,
    simulateMs: median(times.simulate),
    serializeMs: median(times.serialize),
    parseMs: median(times.parse),
    analyzeMs: median(times.analyze),
    totalMs: median(totals),
    peakRssMb: process.resourceUsage().maxRSS / 1024,
    correct,
    runs,
  };
}

/** Runs every size in a child process of its own. */
export function runSpeed(sizes: readonly number[] = SPEED_SIZES, runs = 3): SpeedRow[] {
  const self = fileURLToPath(import.meta.url);
  return sizes.map((n) => {
    const r = spawnSync(
      process.execPath,
      ['--max-old-space-size=8192', '--import', 'tsx', self, '--size', String(n), '--runs', String(runs)],
      { encoding: 'utf8', maxBuffer: 1 << 24 },
    );
    if (r.status !== 0) throw new Error(`speed run for ${n} services failed: ${r.stderr}`);
    return JSON.parse(r.stdout.trim().split('\n').pop() as string) as SpeedRow;
  });
}

/** The table in docs/benchmarks.md. */
export function speedTable(rows: readonly SpeedRow[]): string {
  const ms = (x: number) => (x >= 10_000 ? `${(x / 1000).toFixed(1)} s` : `${Math.round(x)} ms`);
  const lines = [
    '| services | edges | JSON size | simulate | serialize | parse | analyze | total | peak RSS | root cause found |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.services.toLocaleString('en')} | ${r.edges.toLocaleString('en')} | ${(r.bytes / 2 ** 20).toFixed(1)} MiB | ${ms(r.simulateMs)} | ${ms(r.serializeMs)} | ${ms(r.parseMs)} | ${ms(r.analyzeMs)} | **${ms(r.totalMs)}** | ${r.peakRssMb.toFixed(0)} MiB | ${r.correct ? 'yes' : 'no'} |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const at = process.argv.indexOf('--size');
  if (at >= 0) {
    const runsAt = process.argv.indexOf('--runs');
    const runs = runsAt >= 0 ? Number(process.argv[runsAt + 1]) : 3;
    console.log(JSON.stringify(measure(Number(process.argv[at + 1]), runs)));
  } else {
    console.log(speedTable(runSpeed()));
  }
}
