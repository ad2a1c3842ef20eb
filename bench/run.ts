// `npm run bench`: accuracy on the labelled PetShop incidents (engine, seed and naive side by side,
// whole graph and alarm-scoped, overall and by fault type) and on the simulator's generated suite
// (per topology and per fault kind; and with X-Ray trace summaries off and on), speed on the simulator's 1k/10k/20k-service estates, and the
// Lambda bundle sizes. Prints Markdown tables, ready for the README. Numbers, not pass/fail.

import { spawnSync } from 'node:child_process';
import { cpus, totalmem } from 'node:os';
import { METHODS } from '../lambdas/core/analyze.ts';
import { measurePipeline } from '../lambdas/local/measure.ts';
import { exampleScenarios, findScenario, scenarioFromGenerated } from '../lambdas/local/scenarios.ts';
import { type CaseResult, PETSHOP_DIR, runAccuracy, score } from './accuracy.ts';
import { evidenceTables, runEvidenceSuite } from './evidence-suite.ts';
import { buildSuite, runGeneratedSuite, suiteTables } from './generated-suite.ts';
import { measureReportSpeed, reportSpeedTable } from './report-speed.ts';
import { runSpeed, SPEED_SIZES, speedTable } from './speed.ts';
import { generateSyntheticSnapshot } from './synthetic.ts';

const f2 = (x: number) => x.toFixed(2);

function accuracyTables(results: CaseResult[]): string {
  const out: string[] = [];
  const faultTypes = [...new Set(results.map((r) => r.faultType))].sort();
  for (const scoped of [false, true]) {
    out.push(
      `\n**${scoped ? 'Alarm-scoped (`--service` = the symptom service)' : 'Whole graph'}** — AC@1 / AC@3 / AC@5 / Avg@5\n`,
    );
    out.push(`| cases | n | ${METHODS.join(' | ')} |`);
    out.push(`|---|---|${METHODS.map(() => '---').join('|')}|`);
    for (const group of ['all', ...faultTypes]) {
      const cells = METHODS.map((m) => {
        const rs = results.filter(
          (r) => r.method === m && r.scoped === scoped && (group === 'all' || r.faultType === group),
        );
        const s = score(rs);
        return `${f2(s.ac1)} / ${f2(s.ac3)} / ${f2(s.ac5)} / ${f2(s.avg5)}`;
      });
      const n = results.filter(
        (r) => r.method === 'engine' && r.scoped === scoped && (group === 'all' || r.faultType === group),
      ).length;
      out.push(`| ${group} | ${n} | ${cells.join(' | ')} |`);
    }
  }
  return out.join('\n');
}

const started = new Date();
console.log(`# cascade-analyzer benchmark — ${started.toISOString().slice(0, 10)}`);
console.log(
  `machine: ${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}\n`,
);

console.log('## Accuracy: PetShop (68 labelled fault injections)');
const results = runAccuracy();
if (results.length === 0) {
  console.log(`\nskipped: ${PETSHOP_DIR} is not beside this checkout`);
} else {
  console.log(accuracyTables(results));
  const misses = results.filter((r) => r.method === 'engine' && !r.scoped && r.rank !== 1);
  console.log(`\nEngine misses at top-1 (whole graph): ${misses.length}`);
  for (const m of misses)
    console.log(
      `- ${m.caseId} (${m.faultType}): truth at rank ${m.rank || '>5'}; ranked ${m.top.slice(0, 3).join(', ')}`,
    );
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
console.log('\n## Lambda bundles (cdk synth: esbuild, minified ESM, AWS SDK v3 from the runtime)\n');
console.log('| function | bundle | within 1 MB |');
console.log('|---|---|---|');
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
const bundleRows = JSON.parse(bundles.stdout.trim().split('\n').pop() as string) as {
  function: string;
  bytes: number;
}[];
for (const b of bundleRows) {
  console.log(
    `| ${b.function} | ${(b.bytes / 1024).toFixed(0)} KiB | ${b.bytes <= 1024 * 1024 ? 'yes' : '**no**'} |`,
  );
}

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
