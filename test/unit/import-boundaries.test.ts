import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/cli.ts';

// Which folder may import which (CONTRIBUTING.md, "The layout"). Dependencies point down to the
// engine: a handler may use an adapter, never the other way round, and lib/ (the CDK app) names
// handler files by path instead of importing Lambda code.
const ALLOWED: Readonly<Record<string, readonly string[]>> = {
  'lambdas/core': [],
  'lambdas/report': ['lambdas/core'],
  'lambdas/simulator': ['lambdas/core'],
  'lambdas/adapters': ['lambdas/core', 'lambdas/report'],
  'lambdas/handlers': ['lambdas/adapters', 'lambdas/core', 'lambdas/report'],
  'lambdas/local': [
    'lambdas/handlers',
    'lambdas/adapters',
    'lambdas/core',
    'lambdas/report',
    'lambdas/simulator',
    'lib',
  ],
  lib: [],
};

/** The folder of ALLOWED a repository path belongs to, if any. */
function areaOf(path: string): string | undefined {
  return Object.keys(ALLOWED).find((area) => path === area || path.startsWith(`${area}/`));
}

function sources(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sources(join(dir, e.name)) : /\.(ts|mjs)$/.test(e.name) ? [join(dir, e.name)] : [],
  );
}

/** Relative specifiers of static imports, re-exports and dynamic `import('…')` calls. */
function relativeImports(source: string): string[] {
  const found = [
    ...source.matchAll(/\b(?:import|export)\s[^'"]*?from\s*'(\.[^']+)'/g),
    ...source.matchAll(/\bimport\(\s*'(\.[^']+)'\s*\)/g),
    ...source.matchAll(/^import\s+'(\.[^']+)'/gm),
  ];
  return found.map((m) => m[1] ?? '');
}

/** Every import that crosses into a folder its own folder may not use. */
function violations(): string[] {
  const out: string[] = [];
  for (const area of Object.keys(ALLOWED)) {
    for (const file of sources(area)) {
      for (const spec of relativeImports(readFileSync(join(ROOT, file), 'utf8'))) {
        const target = relative(ROOT, join(ROOT, dirname(file), spec))
          .split(sep)
          .join('/');
        const targetArea = areaOf(target) ?? target.split('/')[0] ?? target;
        if (targetArea !== area && !ALLOWED[area]?.includes(targetArea))
          out.push(`${file} imports ${target}`);
      }
    }
  }
  return out;
}

describe('Layout: which folder may import which', () => {
  it('should keep every import of lambdas/ and lib/ within the folders CONTRIBUTING.md allows', () => {
    expect(violations()).toEqual([]);
  });

  it('should see static, re-exported and dynamic imports (so a crossing cannot hide)', () => {
    // Act
    const specs = relativeImports(
      [
        "import type { Finding } from '../core/model.ts';",
        "export { x } from './x.ts';",
        "const m = await import('../adapters/s3.ts');",
        "import './polyfills.ts';",
        "import { z } from 'zod';",
      ].join('\n'),
    );

    // Assess
    expect(specs).toEqual(['../core/model.ts', './x.ts', '../adapters/s3.ts', './polyfills.ts']);
  });
});
