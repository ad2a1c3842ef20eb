// The command line as users start it, `node bin/cascade-analyzer.mjs …` (the compiled CLI, no npx):
// `help` (the CLI's own start), `demo` end to end (after one warm-up run, which fills the synth
// cache), and `analyze` on the 10,000-service estate against its parse floor — reading the same
// file and JSON.parse, in a fresh process — with the peak RSS of each. Medians; fresh processes.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateSyntheticSnapshot } from './synthetic.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const CLI = join(ROOT, 'bin/cascade-analyzer.mjs');
/** Prints the process's peak RSS (KiB) and CPU time (µs) to stderr on exit. */
const RSS_HOOK = `data:text/javascript,process.on("exit",()=>{const u=process.resourceUsage();process.stderr.write("\\nmaxrss="+u.maxRSS+" cpu="+(u.userCPUTime+u.systemCPUTime)+"\\n")})`;

export interface Timing {
  readonly label: string;
  readonly ms: number[];
  /** CPU time (user + system) of each run: steadier than wall time on a shared machine. */
  readonly cpuMs: number[];
  readonly peakRssMiB: number;
}

export interface CliSpeed {
  readonly help: Timing;
  readonly demo: Timing;
  readonly floor: Timing;
  readonly analyze: Timing;
  readonly services: number;
  readonly bytes: number;
  readonly rootCauseRight: boolean;
}

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? (s[m] as number) : ((s[m - 1] as number) + (s[m] as number)) / 2;
};

function time(label: string, args: readonly string[], runs: number): Timing & { stdout: string } {
  const ms: number[] = [];
  const cpuMs: number[] = [];
  let rss = 0;
  let stdout = '';
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    const r = spawnSync(process.execPath, ['--import', RSS_HOOK, ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      maxBuffer: 1 << 28,
      env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    });
    ms.push(performance.now() - t);
    if (r.status !== 0) throw new Error(`${label} failed (${r.status}): ${r.stderr.slice(-2000)}`);
    rss = Math.max(rss, Number(/maxrss=(\d+)/.exec(r.stderr)?.[1] ?? 0) / 1024);
    cpuMs.push(Number(/cpu=(\d+)/.exec(r.stderr)?.[1] ?? 0) / 1000);
    stdout = r.stdout;
  }
  return { label, ms, cpuMs, peakRssMiB: rss, stdout };
}

export function measureCli(runs = 5): CliSpeed {
  const dir = mkdtempSync(join(tmpdir(), 'cascade-cli-speed-'));
  try {
    const help = time('help', [CLI, 'help'], runs);
    const demoArgs = [CLI, 'demo', '--no-sns', '--data-dir', join(dir, 'data')];
    time('demo warm-up', demoArgs, 1);
    const demo = time('demo', demoArgs, Math.min(runs, 3));

    const services = 10_000;
    const gen = generateSyntheticSnapshot(services, 1);
    const text = JSON.stringify({ incident: gen.incident, baseline: gen.baseline });
    const file = join(dir, '10k.json');
    writeFileSync(file, text);
    const floor = time(
      'read + JSON.parse',
      [
        '--input-type=module',
        '-e',
        // Read as bytes, then decoded: on Node 20 readFileSync(file, 'utf8') is the slower way
        // (about twice as long for this file), and the floor is the fastest plain read.
        `import { readFileSync } from 'node:fs'; JSON.parse(readFileSync(${JSON.stringify(file)}).toString('utf8'));`,
      ],
      3,
    );
    const analyze = time('analyze', [CLI, 'analyze', '--graph', file, '--format', 'json'], 3);
    const finding = JSON.parse(analyze.stdout) as { rootCauses: { service: string }[] };
    return {
      help,
      demo,
      floor,
      analyze,
      services,
      bytes: Buffer.byteLength(text),
      rootCauseRight: finding.rootCauses[0]?.service === gen.rootCause,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function cliTable(s: CliSpeed): string {
  const ms = (t: Timing) => `${Math.round(median(t.ms))} ms | ${Math.round(median(t.cpuMs))} ms`;
  const ratio = median(s.analyze.ms) / median(s.floor.ms);
  const cpuRatio = median(s.analyze.cpuMs) / median(s.floor.cpuMs);
  return [
    '| what (fresh process each run) | runs | median wall | median CPU | peak RSS |',
    '|---|---|---|---|---|',
    `| \`node bin/cascade-analyzer.mjs help\` | ${s.help.ms.length} | ${ms(s.help)} | ${s.help.peakRssMiB.toFixed(0)} MiB |`,
    `| \`node bin/cascade-analyzer.mjs demo --no-sns\` (warm: synth cached) | ${s.demo.ms.length} | ${ms(s.demo)} | ${s.demo.peakRssMiB.toFixed(0)} MiB |`,
    `| ${s.services.toLocaleString('en')} services, ${(s.bytes / 2 ** 20).toFixed(0)} MiB: read + \`JSON.parse\` (the floor) | ${s.floor.ms.length} | ${ms(s.floor)} | ${s.floor.peakRssMiB.toFixed(0)} MiB |`,
    `| ${s.services.toLocaleString('en')} services: \`analyze --format json\` | ${s.analyze.ms.length} | ${ms(s.analyze)} | ${s.analyze.peakRssMiB.toFixed(0)} MiB |`,
    '',
    `10k analyze ÷ its parse floor: ${ratio.toFixed(1)} × wall, ${cpuRatio.toFixed(1)} × CPU; root cause found: ${s.rootCauseRight ? 'yes' : '**no**'}`,
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(cliTable(measureCli()));
}
