// `cascade-analyzer accuracy`: the live accuracy of the findings of the local store, from on-call's
// verdicts (issue 21) — the same answer as GET /accuracy, through `serve`'s API while it holds the
// folder.

import { parseArgs } from 'node:util';
import type { AccuracyReport } from '../../lambdas/core/feedback.ts';
import { DEFAULT_DATA_DIR, dataDir } from '../../lambdas/local/data-dir.ts';
import { openFeedback } from '../../lambdas/local/feedback-access.ts';
import { quietSdkNodeWarning } from '../../lambdas/local/local-aws.ts';
import { renderAccuracyText } from '../../lambdas/report/feedback-text.ts';
import { escapeUnsafe } from '../../lambdas/report/format.ts';
import type { Command } from './command.ts';
import { BUSY, unlessBusy } from './data-dir-busy.ts';
import { argsProblem, UsageError } from './usage-error.ts';

export const ACCURACY_HELP = `Usage: cascade-analyzer accuracy [--from ISO] [--to ISO] [--service NAME] [--format text|json]

How often the analyses were right, from the verdicts on-call gave ("findings feedback"): precision
at 1 and at 3 per week, by kind of root cause and by watched service, the share of findings with a
verdict, and the confidence against the verdicts (the calibration table of docs/benchmarks.md, from
your own incidents). It says so plainly where the verdicts disagree with the confidence (a bin of
at least 30 verdicts right more than 15 points away from its confidence). Verdicts never change
the ranking.

options:
  --from ISO         findings at or after this time (default: 12 weeks before --to)
  --to ISO           findings at or before this time (default: now); at most 366 days in all
  --service NAME     one watched service's findings only
  --format FMT       text (default) | json (what GET /accuracy answers)
  --data-dir DIR     the data folder (default: ${DEFAULT_DATA_DIR}/)
  -h, --help         show this help

Exit status: 0 done, 1 the folder is in use, 2 bad input.
`;

async function runAccuracy(args: readonly string[]): Promise<number> {
  let values: ReturnType<typeof parse>['values'];
  try {
    const parsed = parse(args);
    if (parsed.positionals.length > 0) throw new Error(`unexpected argument "${parsed.positionals[0]}"`);
    values = parsed.values;
  } catch (err) {
    throw new UsageError(`accuracy: ${argsProblem(err)}`);
  }
  if (values.help) {
    process.stdout.write(ACCURACY_HELP);
    return 0;
  }
  const format = values.format ?? 'text';
  if (format !== 'text' && format !== 'json') {
    throw new UsageError(`accuracy: --format must be text or json, got "${format}"`);
  }
  const query: Record<string, string> = {};
  for (const key of ['from', 'to', 'service'] as const) {
    const v = values[key];
    if (v !== undefined) query[key] = v;
  }
  quietSdkNodeWarning();
  const dir = dataDir(values['data-dir'] ?? DEFAULT_DATA_DIR);
  const access = await unlessBusy('accuracy', () => openFeedback(dir, 'accuracy'));
  if (access === BUSY) return 1;
  if (access === undefined) {
    process.stdout.write(
      format === 'json'
        ? '{"findings":0,"verdictShare":null}\n'
        : `no findings in ${escapeUnsafe(dir.root)} yet: run "npx cascade-analyzer demo"\n`,
    );
    return 0;
  }
  try {
    const answer = await access.accuracy(query);
    const message = String((answer.body as { message?: unknown }).message ?? '');
    if (answer.statusCode === 400) throw new UsageError(`accuracy: ${message}`);
    if (answer.statusCode !== 200) {
      process.stderr.write(`cascade-analyzer: accuracy: ${escapeUnsafe(message)}\n`);
      return 1;
    }
    const report = answer.body as AccuracyReport & { truncated?: boolean };
    process.stdout.write(
      format === 'json'
        ? `${JSON.stringify(report, null, 2)}\n`
        : `${renderAccuracyText(report)}  (from ${escapeUnsafe(access.source)})\n`,
    );
    return 0;
  } finally {
    await access.close();
  }
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      from: { type: 'string' },
      to: { type: 'string' },
      service: { type: 'string' },
      format: { type: 'string' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

export const accuracyCommand: Command = {
  name: 'accuracy',
  summary: "how often the analyses were right, from on-call's verdicts (precision per week, calibration)",
  help: ACCURACY_HELP,
  run: runAccuracy,
};
