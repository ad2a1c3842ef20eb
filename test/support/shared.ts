// Locates ../shared (real captures and the labelled benchmark). CI always has it beside the
// checkout, so there a missing folder is a failure; a user's clone may not, and then the tests
// that read it are skipped with a message naming the folder.

import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const SHARED_DIR = resolve(import.meta.dirname, '../../../shared');

export function sharedAvailable(sub: string): boolean {
  const dir = resolve(SHARED_DIR, sub);
  if (existsSync(dir)) return true;
  if (process.env.CI) throw new Error(`${dir} is missing: CI must run with ../shared beside the checkout`);
  console.warn(`skipping tests that need ${dir}: the folder is not beside this checkout`);
  return false;
}
