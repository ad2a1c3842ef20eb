// Lambda bundle sizes as `cdk synth` produces them (esbuild, minified ESM, AWS SDK external).

import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App } from 'aws-cdk-lib';
import { CascadeAnalyzerStack } from '../lib/cascade-analyzer-stack.ts';
import { loadConfig } from '../lib/config.ts';

export interface BundleRow {
  function: string;
  bytes: number;
}

export function measureBundles(): BundleRow[] {
  const outdir = mkdtempSync(join(tmpdir(), 'cascade-bundles-'));
  const app = new App({ outdir });
  const config = loadConfig((key) => (key === 'watchedServices' ? [{ name: 'checkout' }] : undefined));
  const stack = new CascadeAnalyzerStack(app, 'Bundles', { config });
  app.synth();
  const template = JSON.parse(readFileSync(join(outdir, 'Bundles.template.json'), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties: { Code?: { S3Key?: string } } }>;
  };
  return Object.entries(stack.functions).map(([name, fn]) => {
    const id = stack.getLogicalId(fn.function.node.defaultChild as Parameters<typeof stack.getLogicalId>[0]);
    const key = template.Resources[id]?.Properties.Code?.S3Key ?? '';
    const hash = key.replace(/\.zip$/, '');
    return { function: name, bytes: statSync(join(outdir, `asset.${hash}`, 'index.mjs')).size };
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(JSON.stringify(measureBundles()));
}
