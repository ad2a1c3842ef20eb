// `cascade-analyzer incidents list|get|export`: the incidents the local pipeline (demo, serve)
// stored, read from the data folder's table — or through `serve`'s API while it has the folder open.

import { parseArgs } from 'node:util';
import { DEFAULT_DATA_DIR, dataDir } from '../../lambdas/local/data-dir.ts';
import { openIncidents } from '../../lambdas/local/incidents-reader.ts';
import { quietSdkNodeWarning } from '../../lambdas/local/local-aws.ts';
import { exportPostmortem, POSTMORTEM_FORMATS } from '../../lambdas/local/postmortem-export.ts';
import { escapeUnsafe, neutralizeText } from '../../lambdas/report/format.ts';
import { renderIncidentText } from '../../lambdas/report/incident-text.ts';
import type { Command } from './command.ts';
import { BUSY, unlessBusy } from './data-dir-busy.ts';
import { argsProblem, UsageError } from './usage-error.ts';

export const INCIDENTS_HELP = `Usage: cascade-analyzer incidents list [--service NAME] [--limit N] [--json]
       cascade-analyzer incidents get ID [--json]
       cascade-analyzer incidents export ID [--format markdown|json]

The incidents that "demo" and "serve" stored beside their findings in the data folder: alarms of
one cascade grouped into one incident, with its analyses, messages and timeline. "export" writes
a postmortem draft of one: summary, impact, a UTC timeline, the evidence, what was recommended,
and headings for what only people can write (docs/postmortems.md).

options:
  --service NAME     incidents with an alarm on this service (default: every incident)
  --limit N          at most N incidents, newest first (1–100, default 20)
  --json             JSON instead of text
  --format FORMAT    export: markdown (default; renders on GitHub, pastes into Confluence) or json
  --data-dir DIR     the data folder (default: ${DEFAULT_DATA_DIR}/)
  -h, --help         show this help

Exit status: 0 done, 1 no such incident or the folder is in use, 2 bad input.
`;

async function runIncidents(args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(INCIDENTS_HELP);
    return 0;
  }
  if (sub !== 'list' && sub !== 'get' && sub !== 'export') {
    throw new UsageError(
      'incidents: give a subcommand: "incidents list", "incidents get ID" or "incidents export ID"',
    );
  }
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(rest);
  } catch (err) {
    throw new UsageError(`incidents ${sub}: ${argsProblem(err)}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(INCIDENTS_HELP);
    return 0;
  }
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new UsageError(
      `incidents list: --limit must be a whole number from 1 to 100, got "${values.limit}"`,
    );
  }
  const id = positionals[0];
  if (sub !== 'list' && (id === undefined || positionals.length > 1)) {
    throw new UsageError(`incidents ${sub}: give one incident id: incidents ${sub} ID`);
  }
  const format = values.format ?? (values.json && sub === 'export' ? 'json' : 'markdown');
  if (!(POSTMORTEM_FORMATS as readonly string[]).includes(format)) {
    throw new UsageError(
      `incidents ${sub}: --format must be ${POSTMORTEM_FORMATS.join(' or ')}, got "${escapeUnsafe(format)}"`,
    );
  }
  if (values.format !== undefined && sub !== 'export') {
    throw new UsageError(`incidents ${sub}: --format is for "incidents export"; use --json`);
  }
  if (sub === 'list' && positionals.length > 0) {
    throw new UsageError(`incidents list: unexpected argument "${positionals[0]}"`);
  }
  quietSdkNodeWarning();
  const dir = dataDir(values['data-dir'] ?? DEFAULT_DATA_DIR);
  if (sub === 'export') {
    const draft = await unlessBusy('incidents', () =>
      exportPostmortem(dir, id as string, format as (typeof POSTMORTEM_FORMATS)[number]),
    );
    if (draft === BUSY) return 1;
    if (draft === undefined) {
      process.stderr.write(`cascade-analyzer: incidents export: no incident ${escapeUnsafe(id as string)}\n`);
      return 1;
    }
    process.stdout.write(draft);
    return 0;
  }
  const reader = await unlessBusy('incidents', () => openIncidents(dir, `incidents ${sub}`));
  if (reader === BUSY) return 1;
  try {
    if (sub === 'list') {
      if (reader !== undefined && !reader.listsEveryService && values.service === undefined) {
        throw new UsageError(
          `incidents list: reading through ${reader.source}, which lists one service at a time: give --service NAME`,
        );
      }
      const items = reader === undefined ? [] : await reader.list(values.service, limit);
      if (values.json) {
        process.stdout.write(`${JSON.stringify({ items }, null, 2)}\n`);
      } else if (items.length === 0) {
        process.stdout.write(
          `no incidents in ${escapeUnsafe(reader?.source ?? dir.root)} yet: run "npx cascade-analyzer demo --scenario storm"\n`,
        );
      } else {
        // The root cause is a name from X-Ray: neutralised, so that it cannot forge a line.
        for (const i of items) {
          process.stdout.write(
            `${neutralizeText(`${i.incidentId}  ${i.status.padEnd(8)} opened ${i.openedAt}  ${String(i.alarmCount).padStart(3)} ${i.alarmCount === 1 ? 'alarm event ' : 'alarm events'}  root cause ${i.rootCause ?? 'undetermined'}`)}\n`,
          );
        }
      }
      return 0;
    }
    const incident = reader === undefined ? undefined : await reader.get(id as string);
    if (incident === undefined) {
      process.stderr.write(`cascade-analyzer: incidents get: no incident ${escapeUnsafe(id as string)}\n`);
      return 1;
    }
    process.stdout.write(
      values.json
        ? `${JSON.stringify(incident, null, 2)}\n`
        : renderIncidentText(incident, incident.confirmedRootCause),
    );
    return 0;
  } finally {
    await reader?.close();
  }
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    options: {
      service: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
      format: { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

export const incidentsCommand: Command = {
  name: 'incidents',
  summary: 'list, show and export (postmortem draft) the incidents of the local store',
  help: INCIDENTS_HELP,
  run: runIncidents,
};
