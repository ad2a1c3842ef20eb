// What the docs say about Node.js agrees with the code (issue 19): the Lambda runtime, `engines`,
// and every dependency that asks for a newer Node than `engines` allows is named with its reason.

import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');
const major = (range: string): number => Number(/(\d+)/.exec(range)?.[1] ?? Number.NaN);

/** The "Node.js versions" section of the getting-started page. */
function section(): string {
  const page = read('docs/getting-started.md');
  const start = page.indexOf('## Node.js versions');
  expect(start, 'docs/getting-started.md has a "Node.js versions" section').toBeGreaterThanOrEqual(0);
  const next = page.indexOf('\n## ', start + 1);
  return page.slice(start, next < 0 ? undefined : next);
}

describe('Docs: Node.js versions', () => {
  it('should name the Lambda runtime and the oldest Node that `engines` accepts', () => {
    // Prepare
    const runtime = /Runtime\.NODEJS_(\d+)_X/.exec(read('lib/constructs/analyzer-function.ts'))?.[1];
    const oldest = major((JSON.parse(read('package.json')) as { engines: { node: string } }).engines.node);
    // Act
    const text = section();
    // Assess
    expect(text).toContain(`NODEJS_${runtime}_X`);
    expect(text).toMatch(new RegExp(`deployed Lambda functions \\| ${runtime} \\|`));
    expect(text).toContain(`on Node ${oldest}`);
    expect(text).toContain(`\`>=${oldest}\``);
  });

  it('should name every dependency that wants a newer Node than `engines` allows', () => {
    // Prepare
    const pkg = JSON.parse(read('package.json')) as {
      engines: { node: string };
      dependencies: Record<string, string>;
      devDependencies: Record<string, string>;
    };
    const oldest = major(pkg.engines.node);
    const newer = Object.keys({ ...pkg.dependencies, ...pkg.devDependencies }).filter((name) => {
      const dep = JSON.parse(read(`node_modules/${name}/package.json`)) as { engines?: { node?: string } };
      return dep.engines?.node !== undefined && major(dep.engines.node) > oldest;
    });
    expect(newer).toContain('aws-local-stepfunctions');
    // Act
    const text = section();
    // Assess
    for (const name of newer) expect(text, name).toContain(`\`${name}\``);
  });

  it('should lead to that section wherever a page says which Node to install', () => {
    for (const [page, link] of [
      ['README.md', 'docs/getting-started.md#nodejs-versions'],
      ['CONTRIBUTING.md', 'docs/getting-started.md#nodejs-versions'],
      ['docs/deploy.md', 'getting-started.md#nodejs-versions'],
    ] as const) {
      expect(read(page), page).toContain(`(${link})`);
    }
  });
});
