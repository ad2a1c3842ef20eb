#!/usr/bin/env node
// Launcher for `npx cascade-analyzer`: runs the compiled CLI in dist/cli/, which `npm ci` builds
// (the `prepare` script). When a source is newer than that build (code changed since, not rebuilt)
// or there is no build, it runs the TypeScript sources through tsx instead, so the CLI never runs
// stale code; `npm run build` makes it fast again.
import { readFileSync, statSync } from 'node:fs';

const ROOT = new URL('../', import.meta.url);
const BUILT = new URL('dist/cli/', ROOT);

function buildIsCurrent() {
  try {
    const { builtAt, inputs } = JSON.parse(readFileSync(new URL('inputs.json', BUILT), 'utf8'));
    return inputs.every((path) => statSync(new URL(path, ROOT)).mtimeMs <= builtAt);
  } catch {
    return false;
  }
}

let main;
if (buildIsCurrent()) {
  ({ main } = await import(new URL('cascade-analyzer.mjs', BUILT).href));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('./cascade-analyzer.ts'));
}
process.exitCode = await main(process.argv.slice(2));
