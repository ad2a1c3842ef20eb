// `cascade-analyzer demo --scenario storm`: an alarm storm. Twenty alarms on the eight services of
// one cascade reach the workflow at once and out of order; they make one incident with one
// root-cause message. Then every alarm goes back to OK and the incident resolves with one message.

import { rm } from 'node:fs/promises';
import { relative } from 'node:path';
import {
  currentHolder,
  DataDirBusyError,
  DEFAULT_DATA_DIR,
  dataDir as layoutOf,
} from '../../lambdas/local/data-dir.ts';
import type { PublishedNotification } from '../../lambdas/local/notifications.ts';
import { LocalPipeline } from '../../lambdas/local/pipeline.ts';
import { duration } from '../../lambdas/local/progress.ts';
import { SEARCH_CASCADE, STORM_CASCADE, stormScenario } from '../../lambdas/local/storm-scenario.ts';
import { renderIncidentText } from '../../lambdas/report/incident-text.ts';
import { mulberry32 } from '../../lambdas/simulator/graph-builder.ts';
import { BUSY, unlessBusy } from './data-dir-busy.ts';
import { type DemoPaging, pageLine } from './demo-pages.ts';
import { demoStateFolder } from './demo-state.ts';

export interface StormOptions {
  /** The data folder; the storm keeps its state in scenarios/storm/ under it, emptied first. */
  readonly dataDir: string | undefined;
  readonly snsEndpoint: string | undefined;
  readonly write: (text: string) => void;
  /** `--page-to`: where the incident's messages are also paged. */
  readonly paging?: DemoPaging;
}

export async function runStorm(options: StormOptions): Promise<number> {
  const out = options.write;
  const scenario = stormScenario();
  out('cascade-analyzer demo: an alarm storm through the deployed workflow, run on this machine\n\n');
  out(`scenario   storm: ${scenario.description}\n`);
  // Its own folder, emptied: the storm shows one incident, resolved, whatever ran before — an
  // earlier storm stopped halfway, or another scenario's open incident on a service of the same name.
  const dir = layoutOf(demoStateFolder(options.dataDir ?? DEFAULT_DATA_DIR, 'storm'));
  const notifications: PublishedNotification[] = [];
  const pipeline = await unlessBusy('demo', async () => {
    const holder = await currentHolder(dir);
    if (holder !== undefined) throw new DataDirBusyError(dir.root, holder);
    await rm(dir.root, { recursive: true, force: true });
    return LocalPipeline.start({
      dataDir: dir.root,
      xray: { replay: scenario.snapshot },
      watch: [...STORM_CASCADE, ...SEARCH_CASCADE],
      ...(options.snsEndpoint !== undefined ? { snsEndpoint: options.snsEndpoint } : {}),
      onNotification: (n) => notifications.push(n),
      command: 'demo',
      ...(options.paging ? { paging: options.paging.paging } : {}),
    });
  });
  if (pipeline === BUSY) return 1;
  out(`state      a clean table in ${show(dir.root)}/, emptied before each storm\n`);
  try {
    const t0 = Date.now() - 90_000;
    const fired = STORM_CASCADE.flatMap((service, i) => [
      { service, kind: 'fault-rate' as const, at: new Date(t0 + i * 4_000) },
      { service, kind: 'p99' as const, at: new Date(t0 + i * 4_000 + 1_500) },
    ]);
    const again = fired.slice(0, 4).map((a) => ({ ...a, at: new Date(a.at.getTime() + 20_000) }));
    const random = mulberry32(20);
    const storm = [...fired, ...again]
      .map((a) => ({ a, k: random() }))
      .sort((x, y) => x.k - y.k)
      .map(({ a }) => a);
    out(`\nALARM  ${stormAlarmLine(fired.length, again.length, STORM_CASCADE)}\n`);
    const started = Date.now();
    const reports = await Promise.all(
      storm.map((a) => pipeline.run(pipeline.alarmEvent(a.service, a.at, a.kind))),
    );
    const ids = new Set(reports.map((r) => (r.output as { incidentId?: string } | undefined)?.incidentId));
    const failed = reports.filter((r) => r.status !== 'SUCCEEDED').length;
    out(
      `       ${reports.length} executions in ${duration(Date.now() - started)}: ${reports.length - failed} succeeded, ${failed} failed · ${ids.size} incident(s) · ${notifications.length} message(s)\n`,
    );
    for (const n of notifications) out(`       message: ${n.subject}\n`);

    out(`\nOK     the ${fired.length} alarms go back to OK, once each\n`);
    const before = notifications.length;
    await Promise.all(
      fired.map((a) => pipeline.run(pipeline.okEvent(a.service, new Date(t0 + 80_000), a.kind))),
    );
    for (const n of notifications.slice(before)) out(`       message: ${n.subject}\n`);

    if (options.paging) {
      out(`\nPAGES (${options.paging.pages.length}) ${options.paging.description}\n`);
      for (const p of options.paging.pages) out(`       ${pageLine(p)}\n`);
    }

    const [incidentId] = [...ids];
    const incident = incidentId === undefined ? undefined : await pipeline.incidents.get(incidentId);
    if (incident !== undefined) out(`\nINCIDENT\n${renderIncidentText(incident)}`);
    out(
      `\nsee it again: npx cascade-analyzer incidents get ${incidentId ?? ''} --data-dir ${show(dir.root)}\n`,
    );
    return failed === 0 && ids.size === 1 ? 0 : 1;
  } finally {
    await pipeline.stop();
  }
}

/**
 * The storm in the numbers the rest of the output uses: alarms (which go back to OK later), and
 * the state changes to ALARM, one execution each, some alarms firing twice.
 */
export function stormAlarmLine(alarms: number, again: number, services: readonly string[]): string {
  return `${alarms} alarms on ${services.length} services (${services.join(', ')}) go to ALARM, ${again} of them twice: ${alarms + again} state changes reach EventBridge at once, out of order`;
}

/** A path relative to the working directory when it is inside it. */
function show(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') ? rel : path;
}
