// Debian's chromium driven by playwright-core (never a downloaded browser). In CI a missing
// /usr/bin/chromium is a failure (.ci/run installs it); elsewhere the browser tests are skipped
// with a message naming the path.

import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium } from 'playwright-core';

export const CHROMIUM_PATH = '/usr/bin/chromium';

/** Flags for a quiet, offline-friendly headless browser in a container. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function chromiumAvailable(): boolean {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI) {
    throw new Error(
      `${CHROMIUM_PATH} is missing: CI must install Debian chromium (apt-get install chromium)`,
    );
  }
  console.warn(`skipping browser tests: ${CHROMIUM_PATH} is not installed (apt-get install chromium)`);
  return false;
}

export interface Browser {
  readonly context: BrowserContext;
  close(): Promise<void>;
}

/** A browser with a fresh profile of its own, removed on close. */
export async function launchChromium(
  viewport = { width: 1280, height: 900 },
  deviceScaleFactor = 1,
): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'cascade-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [...CHROMIUM_ARGS],
    viewport,
    deviceScaleFactor,
  });
  return {
    context,
    async close() {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
