// The compiled CLI's cache of synthesized apps. Synthesizing loads aws-cdk-lib and builds the whole
// stack (about 1–2 s); the result depends only on the CDK code, which is fixed in a build, and on
// the context (cdk.json and the overrides), which keys the cache. It lives in the build's folder
// (dist/cli/synth-cache/), so a rebuild clears it; running from sources never uses it.

import { createHash, randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import type { ContextOverrides, SynthesizedApp } from './app-model.ts';

/** True in the compiled CLI (dist/cli/*.mjs), false when running the TypeScript sources. */
export const COMPILED = !import.meta.url.endsWith('.ts');
const CACHE_DIR = new URL('./synth-cache/', import.meta.url);
const CDK_JSON = new URL('../../cdk.json', import.meta.url);

async function cacheFile(overrides: ContextOverrides): Promise<URL> {
  const cdkJson = await readFile(CDK_JSON, 'utf8');
  const key = createHash('sha256')
    .update(cdkJson)
    .update('\0')
    .update(JSON.stringify(overrides))
    .digest('hex');
  return new URL(`${key.slice(0, 32)}.json`, CACHE_DIR);
}

/** The app synthesized earlier with this context by this build, if any. */
export async function readCachedApp(overrides: ContextOverrides): Promise<SynthesizedApp | undefined> {
  try {
    return JSON.parse(await readFile(await cacheFile(overrides), 'utf8')) as SynthesizedApp;
  } catch {
    return undefined;
  }
}

/** Keeps `app` for later runs; concurrent writers each rename a whole file into place. */
export async function cacheApp(overrides: ContextOverrides, app: SynthesizedApp): Promise<void> {
  const file = await cacheFile(overrides);
  await mkdir(CACHE_DIR, { recursive: true });
  const tmp = new URL(`${file.pathname}.${randomUUID()}.tmp`, 'file://');
  await writeFile(tmp, JSON.stringify(app));
  await rename(tmp, file);
}
