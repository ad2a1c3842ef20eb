// `cascade-analyzer findings feedback ID …`: an on-call verdict on a finding of the local store, or
// (without a verdict) the verdicts it has and their history — through `serve`'s API while it holds
// the folder. The same validation and answers as POST /findings/{id}/feedback (issue 21).

import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import type { FeedbackRecord, Verdict } from '../../lambdas/core/feedback.ts';
import { DEFAULT_DATA_DIR, dataDir } from '../../lambdas/local/data-dir.ts';
import { openFeedback } from '../../lambdas/local/feedback-access.ts';
import { quietSdkNodeWarning } from '../../lambdas/local/local-aws.ts';
import { escapeUnsafe, neutralizeText, utc } from '../../lambdas/report/format.ts';
import { BUSY, unlessBusy } from './data-dir-busy.ts';
import { argsProblem, UsageError } from './usage-error.ts';

export const FEEDBACK_HELP = `Usage: cascade-analyzer findings feedback ID --right | --wrong --actual NAME | --partly [options]
       cascade-analyzer findings feedback ID            (the verdicts it has, and their history)

Tells whether the analysis was right, as on-call found it. One verdict per person per finding: a
new one replaces that person's earlier one, and every change stays in the finding's history.
Verdicts are recorded beside the finding; they never change the ranking.

  --right            the first root cause was it
  --wrong            it was not in the first place: give the real one with --actual
  --partly           the real root cause was ranked 2nd or 3rd (name it with --actual, optional)
  --actual NAME      the real root cause: a service of the graph or a name you type (≤ 200 characters)
  --note TEXT        a short note (≤ 500 characters)
  --by NAME          who gives it (default: local:<your user name>)
  --json             the finding's verdict record as JSON
  --data-dir DIR     the data folder (default: ${DEFAULT_DATA_DIR}/)
  -h, --help         show this help

Exit status: 0 done, 1 no such finding or the folder is in use, 2 bad input.
`;

export async function runFeedback(args: readonly string[]): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(args);
  } catch (err) {
    throw new UsageError(`findings feedback: ${argsProblem(err)}`);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(FEEDBACK_HELP);
    return 0;
  }
  const [id, extra] = positionals;
  if (id === undefined)
    throw new UsageError('findings feedback: the analysis id is required: findings feedback ID --right');
  if (extra !== undefined) throw new UsageError(`findings feedback: unexpected argument "${extra}"`);
  const chosen = (['right', 'wrong', 'partly'] as const).filter((v) => values[v] === true);
  if (chosen.length > 1) {
    throw new UsageError(
      `findings feedback: give one of --right, --wrong, --partly, not ${chosen.map((c) => `--${c}`).join(' and ')}`,
    );
  }
  const verdict = chosen[0];
  if (verdict === undefined) {
    for (const key of ['actual', 'note', 'by'] as const) {
      if (values[key] !== undefined)
        throw new UsageError(`findings feedback: --${key} goes with --right, --wrong or --partly`);
    }
  }
  if (verdict === 'wrong' && values.actual === undefined) {
    throw new UsageError('findings feedback: --wrong needs --actual NAME, the real root cause');
  }
  quietSdkNodeWarning();
  const dir = dataDir(values['data-dir'] ?? DEFAULT_DATA_DIR);
  const access = await unlessBusy('findings feedback', () => openFeedback(dir, 'findings feedback'));
  if (access === BUSY) return 1;
  if (access === undefined) {
    process.stderr.write(
      `cascade-analyzer: findings feedback: no analysis ${escapeUnsafe(id)} (no findings in ${escapeUnsafe(dir.root)})\n`,
    );
    return 1;
  }
  try {
    const answer =
      verdict === undefined
        ? await access.show(id)
        : await access.give(id, {
            verdict,
            ...(values.actual !== undefined ? { actual: values.actual } : {}),
            ...(values.note !== undefined ? { note: values.note } : {}),
            by: values.by ?? `local:${userInfo().username}`,
          });
    const message = String((answer.body as { message?: unknown }).message ?? '');
    if (answer.statusCode === 400) throw new UsageError(`findings feedback: ${message}`);
    if (answer.statusCode !== 200) {
      process.stderr.write(
        `cascade-analyzer: findings feedback: ${escapeUnsafe(message)} in ${escapeUnsafe(access.source)}\n`,
      );
      return 1;
    }
    const record = answer.body as FeedbackRecord;
    process.stdout.write(
      values.json ? `${JSON.stringify(record, null, 2)}\n` : recordText(record, verdict !== undefined),
    );
    return 0;
  } finally {
    await access.close();
  }
}

function verdictLine(v: Verdict): string {
  const actual = v.actual !== undefined ? ` (actual root cause ${v.actual})` : '';
  const note = v.note !== undefined ? ` — "${v.note}"` : '';
  return neutralizeText(`${utc(v.at)}  ${v.verdict.toUpperCase().padEnd(6)} by ${v.by}${actual}${note}`);
}

function recordText(r: FeedbackRecord, recorded: boolean): string {
  const ranked = r.rootCauses
    .map((rc, i) => `${i + 1}. ${rc.service} (${Math.round(rc.confidence * 100)} %)`)
    .join('  ');
  const lines = [
    neutralizeText(`finding ${r.analysisId} · ${r.service} · ${r.at === '' ? '' : utc(r.at)}`),
    neutralizeText(`ranked: ${ranked || 'no root cause'}`),
    '',
    `current verdicts (${r.verdicts.length}, one per person; the latest counts):`,
    ...r.verdicts.map((v) => `  ${verdictLine(v)}`),
    '',
    `history (${r.history.length}):`,
    ...r.history.map((v) => `  ${verdictLine(v)}`),
  ];
  if (recorded) lines.push('', 'recorded. See it counted: npx cascade-analyzer accuracy');
  return `${lines.join('\n')}\n`;
}

function parse(args: readonly string[]) {
  return parseArgs({
    args: [...args],
    allowPositionals: true,
    strict: true,
    options: {
      right: { type: 'boolean' },
      wrong: { type: 'boolean' },
      partly: { type: 'boolean' },
      actual: { type: 'string' },
      note: { type: 'string' },
      by: { type: 'string' },
      json: { type: 'boolean' },
      'data-dir': { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}
