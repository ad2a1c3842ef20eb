// Where the published package keeps its prebuilt Lambda code. In this repository the handlers are
// bundled from their TypeScript sources at synth (esbuild, through NodejsFunction). The package
// (scripts/build-package.mjs) ships the same bundles, built once, and sets the folder they are in
// at build time, so that a consumer's synth needs neither the sources nor esbuild nor tsx.

import { existsSync } from 'node:fs';
import { join } from 'node:path';

/** Replaced by the package build with the path of the package's `assets/` folder. */
declare const __CASCADE_ANALYZER_ASSETS__: string | undefined;

/** The package's folder of prebuilt assets; undefined when running from this repository's sources. */
export function prebuiltAssetsDir(): string | undefined {
  return typeof __CASCADE_ANALYZER_ASSETS__ === 'string' ? __CASCADE_ANALYZER_ASSETS__ : undefined;
}

/**
 * The folder of one prebuilt asset (a handler's bundle, the Graphviz layer), or undefined from
 * the sources. Inside the package a missing folder is an error: the package is incomplete.
 */
export function prebuiltAsset(name: string): string | undefined {
  const dir = prebuiltAssetsDir();
  if (dir === undefined) return undefined;
  const path = join(dir, name);
  if (!existsSync(path)) {
    throw new Error(
      `cascade-analyzer: the prebuilt asset "${name}" is missing from the package (${path}); reinstall the package`,
    );
  }
  return path;
}
