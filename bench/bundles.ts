// Lambda bundles as `cdk synth` produces them (esbuild, minified ESM, AWS SDK external): the size
// of each function's index.mjs and its cold import — a fresh Node.js process importing the bundle
// as Lambda's init does: with the function's template environment (intrinsics resolved to
// placeholders) and AWS_LAMBDA_FUNCTION_NAME set, so its cold start builds its clients, and only the
// AWS SDK v3 resolvable beside it, as in Lambda's runtime. Median of `runs`.

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { App } from 'aws-cdk-lib';
import { resolver } from '../lambdas/local/intrinsics.ts';
import { CascadeAnalyzerStack } from '../lib/cascade-analyzer-stack.ts';
import { loadConfig } from '../lib/config.ts';

export interface BundleRow {
  function: string;
  bytes: number;
  /** Cold start in a fresh process, each run, milliseconds: import with Lambda's init (clients built). */
  importMs: number[];
  /** The import alone (outside Lambda the handler defers building its clients), each run. */
  importOnlyMs: number[];
  /** The bundle's @aws-sdk packages (external: the Lambda runtime supplies them). */
  sdk: string[];
}

const IMPORT = `const t = performance.now(); await import(process.argv[1]); console.log(performance.now() - t);`;

export function measureBundles(runs = 5): BundleRow[] {
  const outdir = mkdtempSync(join(tmpdir(), 'cascade-bundles-'));
  try {
    const app = new App({ outdir });
    const config = loadConfig((key) => (key === 'watchedServices' ? [{ name: 'checkout' }] : undefined));
    const stack = new CascadeAnalyzerStack(app, 'Bundles', { config });
    app.synth();
    const template = JSON.parse(readFileSync(join(outdir, 'Bundles.template.json'), 'utf8')) as {
      Resources: Record<
        string,
        { Type: string; Properties: { Code?: { S3Key?: string }; Environment?: { Variables?: object } } }
      >;
    };
    const resolve = resolver(template.Resources, {
      region: 'us-east-1',
      account: '000000000000',
      stackName: 'Bundles',
    });
    // As in Lambda's Node.js runtime: the AWS SDK v3 resolves, nothing else outside the bundle does.
    mkdirSync(join(outdir, 'node_modules'));
    symlinkSync(
      fileURLToPath(new URL('../node_modules/@aws-sdk', import.meta.url)),
      join(outdir, 'node_modules/@aws-sdk'),
    );
    return Object.entries(stack.analyzer.functions).map(([name, fn]) => {
      const id = stack.getLogicalId(
        fn.function.node.defaultChild as Parameters<typeof stack.getLogicalId>[0],
      );
      const hash = (template.Resources[id]?.Properties.Code?.S3Key ?? '').replace(/\.zip$/, '');
      const entry = join(outdir, `asset.${hash}`, 'index.mjs');
      const variables = template.Resources[id]?.Properties.Environment?.Variables ?? {};
      const env: Record<string, string> = {
        PATH: process.env.PATH ?? '',
        AWS_LAMBDA_FUNCTION_NAME: id,
        AWS_REGION: 'us-east-1',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      };
      for (const [k, v] of Object.entries(variables)) env[k] = String(resolve(v));
      const timeImport = (environment: Record<string, string>): number => {
        const r = spawnSync(
          process.execPath,
          ['--input-type=module', '-e', IMPORT, pathToFileURL(entry).href],
          { cwd: join(outdir, `asset.${hash}`), env: environment, encoding: 'utf8' },
        );
        if (r.status !== 0) throw new Error(`importing the ${name} bundle failed: ${r.stderr}`);
        return Number(r.stdout.trim());
      };
      const { AWS_LAMBDA_FUNCTION_NAME: _inLambda, ...outsideLambda } = env;
      const importMs: number[] = [];
      const importOnlyMs: number[] = [];
      for (let i = 0; i < runs; i++) {
        importMs.push(timeImport(env));
        importOnlyMs.push(timeImport(outsideLambda));
      }
      const sdk = [
        ...new Set(
          [...readFileSync(entry, 'utf8').matchAll(/["'](@aws-sdk\/client-[a-z0-9-]+)["']/g)].map(
            (m) => m[1] as string,
          ),
        ),
      ].sort();
      return { function: name, bytes: statSync(entry).size, importMs, importOnlyMs, sdk };
    });
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(measureBundles()));
}
