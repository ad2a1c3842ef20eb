// `npm run lint` checks the project's files only (issue 19): a report written next to the checkout
// as docs/reports.md shows (`analyze … --format html --out shop-report.html`) must not fail it.

import { execFile } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { renderHtml } from '../../lambdas/report/html.ts';
import { shopIncident } from '../report/fixtures.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const BIOME = join(ROOT, 'node_modules/.bin/biome');
const run = promisify(execFile);

describe("Lint: the project's files only", () => {
  const dir = mkdtempSync(join(tmpdir(), 'lint-scope-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('should leave a report written beside the code alone and still check the code', async () => {
    // Prepare: the lint configuration, a report and a finding written by the CLI at the root, and
    // one badly formatted source file.
    await run('git', ['init', '-q'], { cwd: dir });
    copyFileSync(join(ROOT, 'biome.json'), join(dir, 'biome.json'));
    const { finding } = shopIncident();
    writeFileSync(join(dir, 'shop-report.html'), await renderHtml(finding));
    writeFileSync(join(dir, 'finding.json'), JSON.stringify(finding));
    mkdirSync(join(dir, 'lambdas'));
    writeFileSync(join(dir, 'lambdas', 'bad.ts'), 'export const x = {a:1}\n');
    // Act
    const out = await run(BIOME, ['check', '.', '--max-diagnostics=200'], { cwd: dir }).then(
      (r) => ({ code: 0, text: `${r.stdout}${r.stderr}` }),
      (e: { code: number; stdout: string; stderr: string }) => ({
        code: e.code,
        text: `${e.stdout}${e.stderr}`,
      }),
    );
    // Assess
    expect(out.code).not.toBe(0);
    expect(out.text).toContain('lambdas/bad.ts');
    expect(out.text).not.toContain('shop-report.html');
    expect(out.text).not.toContain('finding.json');
  }, 60_000);
});
