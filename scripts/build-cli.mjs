// Compiles the CLI to JavaScript so that `npx cascade-analyzer` starts without compiling TypeScript.
// npm runs it as `prepare` (on `npm ci` and `npm install`); `npm run build` runs it by hand. Only
// this repository's TypeScript is bundled: dependencies stay in node_modules. The output, dist/cli/,
// is two folders deep like the sources (bin/commands, lambdas/local…), so that paths the modules
// resolve against import.meta.url (`../../cdk.json`, the examples) land on the repository root
// either way. dist/cli/inputs.json lists the sources it was built from, for the launcher's check
// that the build is current (bin/cascade-analyzer.mjs).

import { rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** Left in node_modules: big, loaded on demand, or resolving files next to their own code. */
const EXTERNAL = [
  'aws-cdk-lib',
  'aws-cdk-lib/*',
  'constructs',
  'cdk-nag',
  'dynalite',
  '@viz-js/viz',
  'tsx',
  'esbuild',
];

export const CLI_OUTDIR = `${ROOT}dist/cli`;

export async function buildCli() {
  // Sources changed after this instant are newer than the build, even if saved during it.
  const builtAt = Date.now();
  rmSync(CLI_OUTDIR, { recursive: true, force: true });
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: {
      'cascade-analyzer': 'bin/cascade-analyzer.ts',
      // Loaded on demand by lambdas/local/state-machine.ts: the CDK app, synthesized in-process.
      'synth-app': 'lambdas/local/synth-app.ts',
    },
    outdir: CLI_OUTDIR,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    // Each command's module is its own chunk, loaded when that command runs.
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    mainFields: ['module', 'main'],
    external: EXTERNAL,
    // CommonJS dependencies bundled into ESM still call require().
    banner: {
      js: "import { createRequire as __cliRequire } from 'node:module'; const require = __cliRequire(import.meta.url);",
    },
    sourcemap: true,
    metafile: true,
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs)
    .filter((p) => !p.includes('node_modules/'))
    .sort();
  writeFileSync(`${CLI_OUTDIR}/inputs.json`, `${JSON.stringify({ builtAt, inputs })}\n`);
  return { inputs: inputs.length };
}

/** vitest's globalSetup: the CLI tests run a build of the very sources under test. */
export async function setup() {
  await buildCli();
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { inputs } = await buildCli();
  console.log(`cascade-analyzer: CLI compiled to dist/cli/ from ${inputs} source files`);
}
