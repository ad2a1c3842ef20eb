// Where each demo run keeps its state, so that one scenario never shows another's incidents.

import { join } from 'node:path';
import { safeFileName } from '../../lambdas/local/notifications.ts';

/** The scenario `demo` runs without `--scenario` or `--graph`. */
export const DEFAULT_SCENARIO = 'shop';
/** Under the data folder: one folder per bundled scenario other than the default. */
export const SCENARIOS_FOLDER = 'scenarios';

/**
 * Where a demo run keeps its findings and incidents. Each bundled scenario is a system of its own:
 * in one table, two scenarios with a service of the same name (frontend, orders) would join each
 * other's incidents, and a demo would print another scenario's root cause. The default scenario and
 * `--graph` runs use the data folder itself; every other scenario a folder of its own under it.
 */
export function demoStateFolder(dataDir: string, scenario: string | undefined): string {
  return scenario === undefined || scenario === DEFAULT_SCENARIO
    ? dataDir
    : join(dataDir, SCENARIOS_FOLDER, safeFileName(scenario));
}
