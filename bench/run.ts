// `npm run bench`: accuracy on the labelled public sets, PetShop and TraceRCA Train-Ticket (engine,
// seed and naive side by side, overall and by fault type, confidence calibration, cross-fit
// weights) and on the simulator's generated suite (per topology and per fault kind; with X-Ray
// trace summaries off and on; with drawn CloudTrail release batches off and on), speed on the
// simulator's 1k/10k/20k-service estates, the Lambda bundles (size, cold import), the compiled CLI
// (start, demo, 10k analyze against its parse floor, peak RSS). Prints Markdown tables, ready for
// docs/benchmarks.md. Numbers, not pass/fail.

import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { measurePipeline } from '../lambdas/local/measure.ts';
import { exampleScenarios, findScenario, scenarioFromGenerated } from '../lambdas/local/scenarios.ts';
import { ANALYZE_MEMORY_MB, analyzeMemoryMb, MEASURED_PEAK_RSS_MIB } from '../lib/sizing.ts';
import { printAccuracy } from './accuracy-report.ts';
import { changeSuiteTables, runChangeSuite } from './change-suite.ts';
import { cliTable, measureCli, median } from './cli-speed.ts';
import { evidenceTables, runEvidenceSuite } from './evidence-suite.ts';
import { buildSuite, runGeneratedSuite, suiteTables } from './generated-suite.ts';
import { measureReportSpeed, reportSpeedTable } from './report-speed.ts';
import { runSampled, SAMPLED_DRAWS, sampledTables } from './sampled.ts';
import { runSpeed, SPEED_SIZES, speedTable } from './speed.ts';
import { generateSyntheticSnapshot } from './synthetic.ts';

const started = new Date();
console.log(`# cascade-analyzer benchmark — ${started.toISOString().slice(0, 10)}`);
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n`,
);

printAccuracy();

const sampledStarted = Date.now();
const sampledRuns = runSampled(SAMPLED_DRAWS);
if (sampledRuns.some((r) => r.complete.length > 0)) {
  console.log(
    `\n## Accuracy: the public sets as X-Ray's default sampling would record them (${((Date.now() - sampledStarted) / 1000).toFixed(0)} s)\n`,
  );
  console.log(sampledTables(sampledRuns, SAMPLED_DRAWS));
}

const suiteStarted = Date.now();
const cases = buildSuite();
const suite = runGeneratedSuite(cases);
const engineSuite = suite.filter((r) => r.method === 'engine');
console.log(
  `\n## Accuracy: generated suite (${cases.length} simulated incidents, fixed seeds; ${((Date.now() - suiteStarted) / 1000).toFixed(0)} s)`,
);
console.log(suiteTables(suite));
const suiteMisses = engineSuite.filter((r) => r.rank !== 1);
console.log(`\nEngine misses at top-1: ${suiteMisses.length} of ${engineSuite.length}`);
const byId = new Map(cases.map((c) => [c.id, c]));
for (const m of suiteMisses) {
  console.log(
    `- ${m.caseId}: ${byId.get(m.caseId)?.faults.join(' + ')}: truth at rank ${m.rank || '>5'}; ranked ${m.top.slice(0, 3).join(', ') || 'nothing'}`,
  );
}

const evidenceStarted = Date.now();
const evidenceRuns = runEvidenceSuite(cases, 0.2);
console.log(
  `\n## Accuracy: generated suite with X-Ray trace summaries off and on (${((Date.now() - evidenceStarted) / 1000).toFixed(0)} s)`,
);
console.log(evidenceTables(evidenceRuns, 0.2));
console.log(evidenceTables(runEvidenceSuite(cases, 0.5), 0.5));

const changesStarted = Date.now();
const changeRuns = runChangeSuite(cases);
console.log(
  `\n## Accuracy: generated suite with what changed (a drawn CloudTrail release batch per incident; ${((Date.now() - changesStarted) / 1000).toFixed(0)} s)`,
);
console.log(changeSuiteTables(changeRuns));

console.log(
  `\n## Speed: simulated estates (one failing shared back end), median of 3 runs, each size in its own process\n`,
);
const rows = runSpeed(SPEED_SIZES, 3);
console.log(speedTable(rows));
const k1 = rows.find((r) => r.services === 1000);
const k10 = rows.find((r) => r.services === 10_000);
const k20 = rows.find((r) => r.services === 20_000);
if (k1 && k10 && k20) {
  console.log(
    `\nanalyze time ratio: 10k/1k ${(k10.analyzeMs / k1.analyzeMs).toFixed(1)}, 20k/10k ${(k20.analyzeMs / k10.analyzeMs).toFixed(1)}; total 10k/1k ${(k10.totalMs / k1.totalMs).toFixed(1)}, 20k/10k ${(k20.totalMs / k10.totalMs).toFixed(1)}`,
  );
}
console.log(
  "\n## Lambda bundles (cdk synth: esbuild, minified ESM, AWS SDK v3 from the runtime); a fresh process imports index.mjs, median of 5, with Lambda's init (its template environment: clients built, SDK loaded) and the import alone\n",
);
console.log(
  '| function | bundle | target | import + init | import alone | target | AWS SDK clients it loads |',
);
console.log('|---|---|---|---|---|---|---|');
// In a process of its own: the CDK app is type-checked and loaded apart from the engine.
const bundles = spawnSync(
  process.execPath,
  ['--import', 'tsx', new URL('./bundles.ts', import.meta.url).pathname],
  {
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  },
);
if (bundles.status !== 0) throw new Error(`bundle measurement failed: ${bundles.stderr}`);
// bundles.ts's BundleRow (that module is type-checked with the CDK code).
const bundleRows = JSON.parse(bundles.stdout.trim().split('\n').pop() as string) as {
  function: string;
  bytes: number;
  importMs: number[];
  importOnlyMs: number[];
  sdk: string[];
}[];
/** Issue 12's budgets: the functions without the engine or the report are the small ones. */
const SMALL = new Set(['prepare', 'store', 'notify', 'recordFailure']);
for (const b of bundleRows) {
  const small = SMALL.has(b.function);
  const sizeLimit = (small ? 250 : 500) * 1024;
  const importLimit = small ? 100 : 200;
  const ok = (ms: number) => `${ms.toFixed(0)} ms ${ms <= importLimit ? '✓' : '**✗**'}`;
  console.log(
    `| ${b.function} | ${(b.bytes / 1024).toFixed(0)} KiB | ${b.bytes <= sizeLimit ? '✓' : '**✗**'} ≤ ${sizeLimit / 1024} KiB | ${ok(median(b.importMs))} | ${ok(median(b.importOnlyMs))} | ≤ ${importLimit} ms | ${b.sdk.map((p) => p.replace('@aws-sdk/client-', '')).join(', ') || 'none'} |`,
  );
}

console.log('\n## Command line: the compiled CLI (`npm ci` builds it), fresh process each run\n');
const cli = measureCli(5);
console.log(cliTable(cli));
console.log(
  `\nAnalyze Lambda memory: ${ANALYZE_MEMORY_MB} MB in the stack, from ${MEASURED_PEAK_RSS_MIB} MiB measured when lib/sizing.ts was last set; this run measured ${cli.analyze.peakRssMiB.toFixed(0)} MiB → ${analyzeMemoryMb(cli.analyze.peakRssMiB)} MB${analyzeMemoryMb(cli.analyze.peakRssMiB) > ANALYZE_MEMORY_MB ? ' — **raise MEASURED_PEAK_RSS_MIB in lib/sizing.ts**' : ''}`,
);

console.log('\n## HTML report: 500-service simulated incident (layout by Graphviz WebAssembly included)\n');
console.log(reportSpeedTable([await measureReportSpeed(500, 5)]));

console.log(
  '\n## Local pipeline: alarm → notification through the synthesized state machine (demo runtime)\n',
);
const shopTiming = await measurePipeline({ scenario: await findScenario(exampleScenarios, 'shop'), runs: 5 });
const big = generateSyntheticSnapshot(10_000, 1);
const bigTiming = await measurePipeline({
  label: '10k',
  scenario: scenarioFromGenerated({ name: '10k', ...big }),
  runs: 3,
});
console.log(
  '| scenario | services | runs | median alarm → notification | setup | largest state payload | root cause right |',
);
console.log('|---|---|---|---|---|---|---|');
for (const t of [shopTiming, bigTiming]) {
  console.log(
    `| ${t.label} | ${t.services.toLocaleString('en')} | ${t.runsMs.length} | ${t.medianMs.toFixed(0)} ms | ${(t.setupMs / 1000).toFixed(1)} s | ${(t.largestPayloadBytes / 1024).toFixed(1)} KiB | ${t.correct ? 'yes' : 'no'} |`,
  );
}

console.log(`\nbenchmark took ${((Date.now() - started.getTime()) / 1000).toFixed(0)} s`);
