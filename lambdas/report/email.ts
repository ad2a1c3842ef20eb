// The e-mail summary of a Finding: plain text that reads well in a mail client or a pager, root
// cause first, then the path to the users, the evidence, what to do and where the full report is.
// Lists and long texts are cut in steps (`TEXT_LEVELS`) until the text fits a byte budget.

import type { Finding, RootCause } from '../core/model.ts';
import { describeKinds } from '../core/summary.ts';
import { confidenceWords, typeWords } from './answer.ts';
import { changeSentence, exceptionsText, exemplarSentence, tracesSentence } from './evidence.ts';
import { feedbackHint, seenBeforeText } from './feedback-text.ts';
import { causedText, clip, neutralizeFinding, triggerText, utcRange } from './format.ts';
import { percent } from './numbers.ts';

/** How much of each list and text one rendering keeps. */
export interface TextCaps {
  readonly rootCauses: number;
  readonly evidence: number;
  readonly names: number;
  readonly recommendations: number;
  /** Longest single text (a summary, a recommendation, a service name). */
  readonly text: number;
}

/** Tried in order until the text fits; the last one always fits a few hundred bytes per identifier. */
export const TEXT_LEVELS: readonly TextCaps[] = [
  { rootCauses: 5, evidence: 5, names: 20, recommendations: 5, text: 4000 },
  { rootCauses: 3, evidence: 3, names: 10, recommendations: 3, text: 1000 },
  { rootCauses: 1, evidence: 2, names: 5, recommendations: 2, text: 300 },
  { rootCauses: 1, evidence: 1, names: 2, recommendations: 1, text: 100 },
  { rootCauses: 0, evidence: 0, names: 0, recommendations: 0, text: 40 },
];

/** The e-mail body, at most `maxBytes` UTF-8 bytes. */
export function formatEmailText(unsafe: Finding, reportPath: string, maxBytes = 64 * 1024): string {
  const finding = neutralizeFinding(unsafe);
  let text = '';
  for (const caps of TEXT_LEVELS) {
    text = emailText(finding, reportPath, caps);
    if (Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  }
  // Only absurdly long identifiers get here.
  return truncateBytes(text, maxBytes);
}

/** The e-mail body with the given caps. */
export function emailText(unsafe: Finding, reportPath: string, caps: TextCaps): string {
  const f = neutralizeFinding(unsafe);
  const t = (s: string): string => clip(s, caps.text);
  const lines: string[] = [headline(f, t), ''];
  if (f.seenBefore !== undefined) lines.push(t(seenBeforeText(f.seenBefore)), '');
  lines.push(`What fired: ${t(triggerText(f))}`);
  if (f.window) {
    const base = f.baselineWindow
      ? ` (baseline ${utcRange(f.baselineWindow.start, f.baselineWindow.end)})`
      : '';
    lines.push(`When: ${t(utcRange(f.window.start, f.window.end))}${t(base)}`);
  }
  lines.push(`System health: ${pct(f.systemHealth)}`);
  if (f.error) lines.push('', `Error: ${t(f.error)}`);

  const top = f.rootCauses[0];
  if (top && caps.rootCauses > 0) {
    lines.push('', `Root cause: ${describeCause(top, t)}`);
    if (top.evidence.length > 0 && caps.evidence > 0) {
      lines.push('Evidence:');
      for (const e of top.evidence.slice(0, caps.evidence)) lines.push(`  - ${t(e.text)}`);
      more(lines, top.evidence.length, caps.evidence, 'more');
    }
    if (top.traces && caps.evidence > 0) {
      lines.push(`X-Ray traces: ${t(tracesSentence(top.traces, f))}`);
      lines.push(`  exceptions: ${t(exceptionsText(top.traces, caps.evidence))}`);
      for (const x of top.traces.exemplars.slice(0, caps.evidence))
        lines.push(`  exemplar: ${t(x.url ?? x.traceId)}`);
      const detail = exemplarSentence(top.traces);
      if (detail) lines.push(`  ${t(detail)}`);
    }
    const path = f.cascade.paths.find((p) => p.rank === top.rank) ?? f.cascade.paths[0];
    if (path && caps.names > 0) {
      lines.push(`Path to users: ${listNames(path.services, caps.names, ' -> ', t)}`);
    }
    const br = top.blastRadius;
    if (br.entryPoints.length > 0 && caps.names > 0) {
      lines.push(
        `Entry points reached: ${listNames(br.entryPoints, caps.names, ', ', t)} (${pct(br.entryTrafficShare)} of entry traffic)`,
      );
    }
    if (br.affected.length > 0 && caps.names > 0) {
      lines.push(`Affected callers (${br.affected.length}): ${listNames(br.affected, caps.names, ', ', t)}`);
    }
  }
  if (f.evidenceNotes && f.evidenceNotes.length > 0 && caps.evidence > 0) {
    lines.push('');
    for (const n of f.evidenceNotes) lines.push(t(n.text));
  }
  if (f.changes && f.changes.length > 0 && caps.names > 0) {
    lines.push('', 'Changes near the start (newest first):');
    for (const c of f.changes.slice(0, caps.evidence)) lines.push(`  - ${t(changeSentence(c))}`);
    more(lines, f.changes.length, caps.evidence, 'more changes');
  }
  if (f.recommendations.length > 0 && caps.recommendations > 0) {
    lines.push('', 'What to do:');
    f.recommendations.slice(0, caps.recommendations).forEach((r, i) => {
      lines.push(`  ${i + 1}. [${r.action}] ${t(r.service)}: ${t(r.text)}`);
    });
    more(lines, f.recommendations.length, caps.recommendations, 'more in the report');
  }
  const others = f.rootCauses.slice(1, caps.rootCauses);
  if (others.length > 0) {
    lines.push('', 'Other candidates:');
    for (const rc of others) lines.push(`  ${rc.rank}. ${describeCause(rc, t)}`);
    more(lines, f.rootCauses.length - 1, caps.rootCauses - 1, 'more candidates');
  }
  // With a root cause the lines above say it all; otherwise the engine's sentences explain why not.
  if (!top || caps.rootCauses === 0) lines.push('', `Summary: ${t(f.summary)}`);
  lines.push('', `Report: ${t(reportPath)}`);
  if (top) lines.push(t(feedbackHint(f.analysisId)));
  lines.push(`Analysis ${t(f.analysisId)} · ${f.status} · engine ${t(f.engineVersion)}`);
  return lines.join('\n');
}

/** One sentence: what the analysis found. */
export function headline(f: Finding, t: (s: string) => string = (s) => s): string {
  const top = f.rootCauses[0];
  const alarmed = f.trigger.service ?? 'the whole graph';
  if (f.status === 'FAILED') return `The cascade analysis of ${t(alarmed)} failed.`;
  if (f.status === 'NO_DATA') return `X-Ray had no data for ${t(alarmed)} in the window: nothing to analyze.`;
  if (!top) return `No cascade found in ${t(alarmed)}: nothing is anomalous against the baseline.`;
  const where = top.via ? `the calls from ${t(top.via)} to ${t(top.service)}` : t(top.service);
  return `${where} is the most likely root cause of ${causedText(f, t(top.service))}.`;
}

function describeCause(rc: RootCause, t: (s: string) => string): string {
  const via = rc.via ? ` on calls from ${t(rc.via)}` : '';
  return `${t(rc.service)}${t(typeWords(rc.type))}: ${describeKinds(rc)}${via}, ${confidenceWords(rc.confidence)}`;
}

function listNames(names: readonly string[], max: number, sep: string, t: (s: string) => string): string {
  const shown = names.slice(0, max).map(t).join(sep);
  return names.length > max ? `${shown}${sep}… (${names.length - max} more)` : shown;
}

function more(lines: string[], total: number, shown: number, what: string): void {
  if (total > shown) lines.push(`  … ${total - shown} ${what}`);
}

function pct(x: number): string {
  return percent(x, 0);
}

/** Cuts `s` to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function truncateBytes(s: string, maxBytes: number): string {
  if (Buffer.byteLength(s, 'utf8') <= maxBytes) return s;
  let out = Buffer.from(s, 'utf8').subarray(0, Math.max(0, maxBytes)).toString('utf8');
  // A cut inside a character decodes to U+FFFD, which may be longer than the bytes it replaced.
  while (Buffer.byteLength(out, 'utf8') > maxBytes) out = out.slice(0, -1);
  return out;
}
