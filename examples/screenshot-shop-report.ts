// `npm run screenshot`: the README's picture of the shop report, made the way a user makes the
// report (`cascade-analyzer analyze --format html`) and photographed in Debian's chromium.
// Writes docs/shop-report.png: the top of the page down to the end of the cascade picture, with
// the hash of that part of the HTML in a text chunk (examples/shop-picture.ts).

import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHROMIUM_PATH, chromiumAvailable, launchChromium } from '../test/browser/chromium.ts';
import { SOURCE_KEYWORD, sourceHash, withTextChunk } from './shop-picture.ts';

const ROOT = resolve(import.meta.dirname, '..');

/** The page's window, for code that `evaluate` runs in the browser (tsconfig has no DOM lib). */
declare const window: { readonly scrollY: number };
const OUT = join(ROOT, 'docs/shop-report.png');

if (!chromiumAvailable()) {
  console.error(`screenshot: needs Debian chromium at ${CHROMIUM_PATH} (apt-get install chromium)`);
  process.exit(1);
}

const work = mkdtempSync(join(tmpdir(), 'cascade-screenshot-'));
const page = join(work, 'shop-report.html');
const args = ['analyze', '--graph', 'examples/shop-incident.json', '--format', 'html', '--out', page];
const run = spawnSync(process.execPath, [join(ROOT, 'bin/cascade-analyzer.mjs'), ...args], {
  cwd: ROOT,
  encoding: 'utf8',
});
if (run.status !== 0) {
  console.error(`screenshot: cascade-analyzer ${args.join(' ')} failed:\n${run.stderr}`);
  process.exit(1);
}

const browser = await launchChromium({ width: 1200, height: 900 }, 2);
try {
  const tab = await browser.context.newPage();
  await tab.goto(pathToFileURL(page).href, { waitUntil: 'load' });
  const bottom = await tab
    .locator('#picture')
    .evaluate((el) => el.getBoundingClientRect().bottom + window.scrollY);
  mkdirSync(join(ROOT, 'docs'), { recursive: true });
  await tab.screenshot({
    path: OUT,
    fullPage: true,
    clip: { x: 0, y: 0, width: 1200, height: Math.ceil(bottom) + 16 },
  });
  // What the picture shows, so that a test can tell when the report has moved on from it.
  writeFileSync(
    OUT,
    withTextChunk(readFileSync(OUT), SOURCE_KEYWORD, sourceHash(readFileSync(page, 'utf8'))),
  );
  console.log(
    `screenshot: wrote ${relative(ROOT, OUT)} (from cascade-analyzer ${args.slice(0, -2).join(' ')})`,
  );
} finally {
  await browser.close();
  rmSync(work, { recursive: true, force: true });
}
