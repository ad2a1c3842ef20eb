// `cascade-analyzer findings list|get`: the findings the local pipeline (demo, serve) stored, read
// from the data folder's table — or through `serve`'s API while it has the folder open.

import { parseArgs } from 'node:util';
import { BadRequestError, type FindingSummary } from '../../lambdas/adapters/ports.ts';
import { AnalysisIdSchema } from '../../lambdas/handlers/contracts.ts';
import { renderReportHtml } from '../../lambdas/handlers/report-html.ts';
import { DEFAULT_DATA_DIR, dataDir } from '../../lambdas/local/data-dir.ts';
import { type FindingsReader, listAll, openFindings } from '../../lambdas/local/findings-reader.ts';
import { quietSdkNodeWarning } from '../../lambdas/local/local-aws.ts';
import { escapeUnsafe, neutralizeText } from '../../lambdas/report/format.ts';
import { renderText } from '../../lambdas/report/text.ts';
import type { Command } from './command.ts';
import { BUSY, unlessBusy } from './data-dir-busy.ts';
import { runFeedback } from './feedback.ts';
import { OutputFileError, shellArg, textWidth, writeOutputFile } from './output.ts';
import { argsProblem, UsageError } from './usage-error.ts';

export const FINDINGS_HELP = `Usage: cascade-analyzer findings list [--service NAME] [options]
       cascade-analyzer findings get ID [--format text|json|html] [--out FILE]
       cascade-analyzer findings feedback ID --right | --wrong --actual NAME | --partly  (see "findings feedback --help")

The findings that "demo" and "serve" stored in the local DynamoDB table (the data folder). While
"serve" runs, it has the folder open and these commands read through its API instead.

list options:
  --service NAME     one service's findings (default: every service's)
  --from ISO         only findings at or after this time (the incident window's end)
  --to ISO           only findings at or before this time
  --limit N          at most N findings, newest first (1–100, default 20)
  --next TOKEN       the next page of one service's list (printed when there is one)
  --json             {"items": [...], "next": …} instead of a table
get options:
  --format FMT       text (default) | json (the Finding) | html (the report)
  --out FILE         write it to FILE instead of standard output
both:
  --data-dir DIR     the data folder (default: ${DEFAULT_DATA_DIR}/)
  -h, --help         show this help

Exit status: 0 done, 1 no such finding or the folder is in use, 2 bad input.
`;

async function runFindings(args: readonly string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === undefined)
    throw new UsageError('findings: give a subcommand: "findings list" or "findings get ID"');
  if (sub === '--help' || sub === '-h' || sub === 'help') {
    process.stdout.write(FINDINGS_HELP);
    return 0;
  }
  if (sub === 'feedback') return runFeedback(rest);
  if (sub !== 'list' && sub !== 'get') {
    throw new UsageError(
      `findings: unknown subcommand "${sub}"; use "findings list", "findings get ID" or "findings feedback ID"`,
    );
  }
  let parsed: ReturnType<typeof parseFindingsArgs>;
  try {
    parsed = parseFindingsArgs(rest);
  } catch (err) {
    throw new UsageError(`findings ${sub}: ${argsProblem(err)}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(FINDINGS_HELP);
    return 0;
  }
  quietSdkNodeWarning();
  const dir = dataDir(values['data-dir'] ?? DEFAULT_DATA_DIR);
  const check = sub === 'list' ? checkList(values, positionals) : checkGet(values, positionals);

  const reader = await unlessBusy('findings', () => openFindings(dir, `findings ${sub}`));
  if (reader === BUSY) return 1;
  if (reader === undefined) {
    if (sub === 'list') {
      process.stdout.write(
        values.json
          ? '{"items":[],"next":null}\n'
          : `no findings in ${escapeUnsafe(dir.root)} yet: run "npx cascade-analyzer demo"\n`,
      );
      return 0;
    }
    process.stderr.write(
      `cascade-analyzer: findings get: no analysis ${positionals[0] ?? ''} (no findings in ${escapeUnsafe(dir.root)})\n`,
    );
    return 1;
  }
  try {
    return sub === 'list' ? await list(reader, check as ListArgs) : await get(reader, check as GetArgs);
  } finally {
    await reader.close();
  }
}

interface ListArgs {
  readonly service: string | undefined;
  readonly from: string | undefined;
  readonly to: string | undefined;
  readonly limit: number;
  readonly next: string | undefined;
  readonly json: boolean;
}

interface GetArgs {
  readonly id: string;
  readonly format: 'text' | 'json' | 'html';
  readonly out: string | undefined;
}

type Values = ReturnType<typeof parseFindingsArgs>['values'];

function checkList(values: Values, positionals: readonly string[]): ListArgs {
  if (positionals.length > 0) throw new UsageError(`findings list: unexpected argument "${positionals[0]}"`);
  for (const key of ['format', 'out'] as const) {
    if (values[key] !== undefined)
      throw new UsageError(`findings list: --${key} is an option of "findings get"`);
  }
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) {
    throw new UsageError(
      `findings list: --limit must be a whole number from 1 to 100, got "${values.limit}"`,
    );
  }
  for (const key of ['from', 'to'] as const) {
    const v = values[key];
    if (v !== undefined && Number.isNaN(Date.parse(v))) {
      throw new UsageError(`findings list: --${key} must be an ISO-8601 time, got "${v}"`);
    }
  }
  if (
    values.from !== undefined &&
    values.to !== undefined &&
    Date.parse(values.from) > Date.parse(values.to)
  ) {
    throw new UsageError(`findings list: --from ${values.from} is later than --to ${values.to}`);
  }
  if (values.next !== undefined && values.service === undefined) {
    throw new UsageError('findings list: --next pages through one service: give --service too');
  }
  return {
    service: values.service,
    from: values.from,
    to: values.to,
    limit,
    next: values.next,
    json: values.json === true,
  };
}

function checkGet(values: Values, positionals: readonly string[]): GetArgs {
  const [id, extra] = positionals;
  if (id === undefined) throw new UsageError('findings get: the analysis id is required: findings get ID');
  if (extra !== undefined) throw new UsageError(`findings get: unexpected argument "${extra}"`);
  for (const key of ['service', 'from', 'to', 'limit', 'next', 'json'] as const) {
    if (values[key] !== undefined)
      throw new UsageError(`findings get: --${key} is an option of "findings list"`);
  }
  if (!AnalysisIdSchema.safeParse(id).success)
    throw new UsageError(`findings get: "${id}" is not an analysis id`);
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json' && format !== 'html') {
    throw new UsageError(`findings get: --format must be text, json or html, got "${format}"`);
  }
  return { id, format, out: values.out };
}

async function list(reader: FindingsReader, a: ListArgs): Promise<number> {
  const query = {
    limit: a.limit,
    ...(a.from !== undefined ? { from: a.from } : {}),
    ...(a.to !== undefined ? { to: a.to } : {}),
  };
  try {
    return await listOrRefuse(reader, a, query);
  } catch (err) {
    // A --next token this list never printed (or one of another service's list): the store says so.
    if (err instanceof BadRequestError) throw new UsageError(`findings list: ${err.message}`);
    throw err;
  }
}

async function listOrRefuse(
  reader: FindingsReader,
  a: ListArgs,
  query: { limit: number; from?: string; to?: string },
): Promise<number> {
  let items: readonly FindingSummary[];
  let next: string | undefined;
  if (a.service !== undefined) {
    const page = await reader.listByService({
      ...query,
      service: a.service,
      ...(a.next !== undefined ? { next: a.next } : {}),
    });
    items = page.items;
    next = page.next;
  } else {
    const services = await reader.services();
    if (services === undefined) {
      throw new UsageError(
        `findings list: reading through ${reader.source}, which lists one service at a time: give --service NAME`,
      );
    }
    items = await listAll(reader, query, services);
  }
  if (a.json) {
    process.stdout.write(`${JSON.stringify({ items, next: next ?? null }, null, 2)}\n`);
    return 0;
  }
  if (items.length === 0) {
    process.stdout.write(
      `no findings${a.service !== undefined ? ` for ${escapeUnsafe(a.service)}` : ''} in ${escapeUnsafe(reader.source)}\n`,
    );
    return 0;
  }
  // Names come from X-Ray: neutralised, as in every text report, so that none can forge a row.
  const rows = items.map((f) =>
    [
      f.at.replace('T', ' ').replace(/\.\d+Z$/, 'Z'),
      f.service,
      f.status,
      f.rootCause ?? '—',
      `${Math.round(f.systemHealth * 100)} %`,
      f.analysisId,
    ].map(neutralizeText),
  );
  const header = ['AT (window end)', 'SERVICE', 'STATUS', 'ROOT CAUSE', 'HEALTH', 'ID'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    `${cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ')}\n`;
  process.stdout.write(line(header));
  for (const r of rows) process.stdout.write(line(r));
  if (next !== undefined)
    process.stdout.write(`\nmore: --service ${shellArg(a.service ?? '')} --next ${shellArg(next)}\n`);
  return 0;
}

async function get(reader: FindingsReader, a: GetArgs): Promise<number> {
  const finding = await reader.get(a.id);
  if (finding === undefined) {
    process.stderr.write(
      `cascade-analyzer: findings get: no analysis ${a.id} in ${escapeUnsafe(reader.source)}\n`,
    );
    return 1;
  }
  const output =
    a.format === 'json'
      ? `${JSON.stringify(finding, null, 2)}\n`
      : a.format === 'html'
        ? await renderReportHtml(finding)
        : renderText(finding, { width: textWidth(a.out) });
  if (a.out !== undefined) {
    try {
      writeOutputFile(a.out, output);
    } catch (err) {
      if (!(err instanceof OutputFileError)) throw err;
      throw new UsageError(`findings get: cannot write --out file "${a.out}": ${err.message}`);
    }
    process.stderr.write(`cascade-analyzer: wrote ${a.format} of ${a.id} to ${escapeUnsafe(a.out)}\n`);
  } else {
    process.stdout.write(output);
  }
  return 0;
}

function parseFindingsArgs(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      service: { type: 'string' },
      from: { type: 'string' },
      to: { type: 'string' },
      limit: { type: 'string' },
      next: { type: 'string' },
      json: { type: 'boolean' },
      format: { type: 'string' },
      out: { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

export const findingsCommand: Command = {
  name: 'findings',
  summary: 'list or show the findings the local pipeline stored (findings list | findings get ID)',
  help: FINDINGS_HELP,
  run: runFindings,
};
