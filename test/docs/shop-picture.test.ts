// The README's picture shows the current report (issue 19: it said 95 % where the report says
// 99 %). `npm run screenshot` records in docs/shop-report.png the hash of the part of the HTML it
// photographs; this test makes that report again, as the screenshot does, and compares. No browser
// and no timing: the report's bytes are deterministic.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  photographedPart,
  readTextChunk,
  SOURCE_KEYWORD,
  sourceHash,
  withTextChunk,
} from '../../examples/shop-picture.ts';

const ROOT = resolve(import.meta.dirname, '../..');

describe('Docs: the picture of the shop report', () => {
  const work = mkdtempSync(join(tmpdir(), 'shop-picture-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('should show the current report (run "npm run screenshot" when this fails)', () => {
    // Prepare: the report made as examples/screenshot-shop-report.ts makes it.
    const page = join(work, 'shop-report.html');
    const run = spawnSync(
      process.execPath,
      [
        join(ROOT, 'bin/cascade-analyzer.mjs'),
        'analyze',
        '--graph',
        'examples/shop-incident.json',
        '--format',
        'html',
        '--out',
        page,
      ],
      { cwd: ROOT, encoding: 'utf8' },
    );
    expect(run.status, run.stderr).toBe(0);
    // Act
    const shown = readTextChunk(readFileSync(join(ROOT, 'docs/shop-report.png')), SOURCE_KEYWORD);
    // Assess
    expect(shown, 'docs/shop-report.png records no source: run "npm run screenshot"').toBeDefined();
    expect(shown, 'docs/shop-report.png is older than the report: run "npm run screenshot"').toBe(
      sourceHash(readFileSync(page, 'utf8')),
    );
  }, 60_000);

  it('should tell a changed number in the photographed part from the same report', () => {
    // Prepare
    const html = `<html><head><style>x</style></head><body><section id="verdict">confidence 99 %</section><section id="picture"><svg/></section><section id="rest">a</section></body></html>`;
    // Act
    const same = sourceHash(html.replace('<section id="rest">a', '<section id="rest">b'));
    const changed = sourceHash(html.replace('99 %', '95 %'));
    // Assess
    expect(photographedPart(html).endsWith('<svg/></section>')).toBe(true);
    expect(same).toBe(sourceHash(html));
    expect(changed).not.toBe(sourceHash(html));
  });

  it('should write and read back the text chunk and keep the PNG readable', () => {
    // Prepare
    const png = readFileSync(join(ROOT, 'docs/shop-report.png'));
    // Act
    const once = withTextChunk(png, SOURCE_KEYWORD, 'a'.repeat(64));
    const twice = withTextChunk(once, SOURCE_KEYWORD, 'b'.repeat(64));
    // Assess
    expect(readTextChunk(twice, SOURCE_KEYWORD)).toBe('b'.repeat(64));
    expect(twice.length).toBe(once.length);
    expect(twice.subarray(twice.length - 12, twice.length - 8).readUInt32BE(0)).toBe(0);
    expect(twice.subarray(twice.length - 8, twice.length - 4).toString('latin1')).toBe('IEND');
  });
});
