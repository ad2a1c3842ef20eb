// The words of issue 21 wherever a finding is read: the line that says how to give a verdict, the
// "seen before" line, the root cause on-call confirmed, and the live accuracy for the terminal.
// Pure; every name from X-Ray or a person goes through `neutralizeText`.

import type { AccuracyReport, ConfirmedCause, Tally } from '../core/feedback.ts';
import type { SeenBefore } from '../core/seen-before.ts';
import { clip, neutralizeText, utc } from './format.ts';

const name = (s: string) => clip(neutralizeText(s).trim(), 200);

/** The line every message carries: how on-call tells whether the analysis was right. */
export function feedbackHint(analysisId: string): string {
  const id = name(analysisId);
  return `Was this right? npx cascade-analyzer findings feedback ${id} --right | --wrong --actual NAME | --partly (API: POST /findings/${id}/feedback)`;
}

/** `seen before: 2026-11-20 03:00 UTC, root cause X (confirmed right by on-call), resolved in 42 min`. */
export function seenBeforeText(seen: SeenBefore): string {
  const judged =
    seen.verdict === undefined
      ? 'not confirmed by on-call'
      : `confirmed ${seen.verdict} by ${seen.confirmedBy !== undefined ? name(seen.confirmedBy) : 'on-call'}${seen.analysisSaid !== undefined ? `; the analysis had said ${name(seen.analysisSaid)}` : ''}`;
  const resolved =
    seen.resolvedMinutes === undefined
      ? ''
      : seen.resolvedMinutes < 1
        ? ', resolved within a minute'
        : `, resolved in ${seen.resolvedMinutes} min`;
  const which =
    seen.incidentId !== undefined ? `incident ${name(seen.incidentId)}` : `analysis ${name(seen.analysisId)}`;
  const why = seen.match === 'root-cause' ? 'same root cause' : 'same alarmed service, overlapping cascade';
  return `seen before: ${utc(seen.at)}, root cause ${name(seen.rootCause)} (${judged})${resolved} — ${which}, ${why}`;
}

/** `payment-service, confirmed by arn:… (wrong: the analysis said X), 2026-…`. */
export function confirmedText(c: ConfirmedCause): string {
  const said = c.verdict === 'right' ? 'right' : `${c.verdict}: the analysis said ${name(c.analysisSaid)}`;
  return `${name(c.service)}, confirmed by ${name(c.by)} (${said}) ${utc(c.at)}`;
}

const pct = (x: number | null) => (x === null ? '–' : `${Math.round(x * 100)} %`);

function tallyText(t: Tally): string {
  return `P@1 ${pct(t.precisionAt1).padStart(5)}  P@3 ${pct(t.precisionAt3).padStart(5)}  (${t.verdicts} verdicts: ${t.right} right, ${t.partly} partly, ${t.wrong} wrong)`;
}

/** The live accuracy for the terminal: plain tables, the warnings first. */
export function renderAccuracyText(r: AccuracyReport): string {
  const lines = [`live accuracy, findings ${utc(r.from)} → ${utc(r.to)}`, ''];
  for (const w of r.warnings) lines.push(`WARNING: ${w}`, '');
  lines.push(
    `findings that named a root cause: ${r.findings} · with a verdict: ${r.overall.verdicts} (${pct(r.verdictShare)})`,
  );
  if (r.demoVerdicts > 0) {
    lines.push(`of these verdicts, ${r.demoVerdicts} came with the demo's seeded history, not from a person`);
  }
  lines.push(`overall  ${tallyText(r.overall)}`, '', 'per week (Monday, UTC):');
  for (const w of r.weeks)
    lines.push(`  ${w.week}  ${String(w.findings).padStart(4)} findings  ${tallyText(w)}`);
  if (r.weeks.length === 0) lines.push('  none');
  lines.push('', 'by kind of root cause:');
  for (const k of r.byKind) lines.push(`  ${name(k.kind).padEnd(18)} ${tallyText(k)}`);
  if (r.byKind.length === 0) lines.push('  none');
  lines.push('', 'by watched service:');
  for (const s of r.byService) lines.push(`  ${name(s.service).padEnd(30)} ${tallyText(s)}`);
  if (r.byService.length === 0) lines.push('  none');
  lines.push('', 'confidence against verdicts (first root cause right):');
  lines.push('  confidence   verdicts  right  right-rate  mean confidence');
  for (const b of r.calibration) {
    lines.push(
      `  ${b.bin.padEnd(12)} ${String(b.verdicts).padStart(8)}  ${String(b.right).padStart(5)}  ${pct(b.rightRate).padStart(10)}  ${pct(b.meanConfidence).padStart(15)}`,
    );
  }
  lines.push('', 'Verdicts are recorded beside the findings; they never change the ranking.');
  return `${lines.join('\n')}\n`;
}
