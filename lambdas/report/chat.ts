// The chat rendering of a Finding: an AWS Chatbot (Amazon Q Developer in chat applications)
// custom notification. Chatbot forwards only messages in this schema to Slack, Teams or Chime and
// drops anything else without an error, so the payload is checked field by field in the tests.
// Text is Slack-flavoured markdown (`textType: client-markdown`); names go in code spans.

import type { Finding, RootCause } from '../core/model.ts';
import { describeKinds } from '../core/summary.ts';
import { confidenceWords } from './answer.ts';
import { headline } from './email.ts';
import { changeSentence, exceptionsText, exemplarSentence, tracesSentence } from './evidence.ts';
import { feedbackHint, seenBeforeText } from './feedback-text.ts';
import { causedText, clip, neutralizeFinding, pct, triggerText, utcRange } from './format.ts';

export interface ChatbotNotification {
  readonly version: '1.0';
  readonly source: 'custom';
  readonly id: string;
  readonly content: {
    readonly textType: 'client-markdown';
    readonly title: string;
    readonly description: string;
    readonly nextSteps: readonly string[];
    readonly keywords: readonly string[];
  };
  readonly metadata: {
    /** Notifications about the same alarmed service go to one thread. */
    readonly threadId: string;
    readonly summary: string;
    readonly eventType: string;
    readonly additionalContext: Readonly<Record<string, string>>;
  };
}

/**
 * Our own limits, kept well inside what chat clients show: Slack cuts a message section at 3,000
 * characters, and a notification people scroll past helps nobody.
 */
export const CHAT_LIMITS = {
  title: 250,
  description: 3000,
  nextSteps: 4,
  nextStep: 300,
  keywords: 5,
  keyword: 40,
  name: 80,
} as const;

const TITLE_ICON: Readonly<Record<string, string>> = {
  cascade: ':rotating_light:',
  calm: ':white_check_mark:',
  NO_DATA: ':grey_question:',
  FAILED: ':x:',
};

/**
 * The chat card of `finding`. `consoleUrl` (the incident in the AWS console) becomes the card's
 * last line and its first next step: the one click from the chat to the picture.
 */
export function formatChatbotNotification(
  finding: Finding,
  reportPath: string,
  consoleUrl?: string,
): ChatbotNotification {
  const f = neutralizeFinding(finding);
  const top = f.rootCauses[0];
  const alarmed = f.trigger.service ?? top?.service ?? 'whole graph';
  const report = `GET ${reportPath}`;
  const icon =
    f.status === 'COMPLETED' ? (top ? TITLE_ICON.cascade : TITLE_ICON.calm) : (TITLE_ICON[f.status] ?? '');
  const title = top
    ? `${icon} Cascade: ${code(top.service)} is the root cause of ${md(causedText(f, top.service, 'short'))}`
    : `${icon} ${md(headline(f, name))}`;

  const lines: string[] = [];
  if (top) {
    lines.push(`*Root cause:* ${cause(top)}`);
    if (f.seenBefore)
      lines.push(
        `*Seen before:* ${md(clip(seenBeforeText(f.seenBefore).replace(/^seen before: /, ''), 300))}`,
      );
    for (const e of top.evidence.slice(0, 3)) lines.push(`• ${md(clip(e.text, 300))}`);
    if (top.traces) {
      lines.push(
        `*X-Ray:* ${md(tracesSentence(top.traces, f))} · ${md(clip(exceptionsText(top.traces, 3), 300))}`,
      );
      const links = top.traces.exemplars.map((x) =>
        x.url ? `<${x.url}|${md(x.traceId)}>` : code(x.traceId),
      );
      if (links.length > 0) lines.push(`*Exemplar traces:* ${links.join(', ')}`);
      const detail = exemplarSentence(top.traces, 200);
      if (detail) lines.push(`• ${md(detail)}`);
    }
    for (const n of f.evidenceNotes ?? []) lines.push(`*Evidence:* ${md(clip(n.text, 300))}`);
    for (const c of (f.changes ?? []).slice(0, 2))
      lines.push(`*Changed:* ${md(clip(changeSentence(c), 300))}`);
    const path = f.cascade.paths.find((p) => p.rank === top.rank) ?? f.cascade.paths[0];
    if (path) lines.push(`*Path to users:* ${names(path.services, 8, ' → ')}`);
    const br = top.blastRadius;
    lines.push(
      `*Blast radius:* ${pct(br.entryTrafficShare, 0)} of entry traffic · ${br.affected.length} affected · entry points: ${names(br.entryPoints, 5, ', ')}`,
    );
    if (f.rootCauses.length > 1) {
      lines.push(
        `*Other candidates:* ${names(
          f.rootCauses.slice(1, 4).map((r) => r.service),
          3,
          ', ',
        )}`,
      );
    }
  } else {
    lines.push(md(clip(f.summary, 600)));
  }
  if (f.error) lines.push(`*Error:* ${md(clip(f.error, 300))}`);
  lines.push(`*System health:* ${pct(f.systemHealth, 0)}`);
  const fired = `*What fired:* ${md(clip(triggerText(f), 200))}`;
  lines.push(f.window ? `*When:* ${md(utcRange(f.window.start, f.window.end))} · ${fired}` : fired);
  const link = consoleUrl !== undefined && isConsoleUrl(consoleUrl) ? consoleUrl : undefined;
  lines.push(
    link !== undefined
      ? `*Open:* <${link}|the incident in the AWS console> · *Report:* ${code(report)}`
      : `*Report:* ${code(report)}`,
  );
  const description = fitLines(lines, CHAT_LIMITS.description);

  const nextSteps = f.recommendations
    .slice(0, CHAT_LIMITS.nextSteps - (link !== undefined && link.length < 240 ? 2 : 1) - (top ? 1 : 0))
    .map((r) => clip(`[${r.action}] ${md(name(r.service))}: ${md(r.text)}`, CHAT_LIMITS.nextStep));
  // The link is never clipped (a cut URL opens nothing): too long for a step, it is in the description.
  const step = link === undefined ? '' : `Open the incident in the AWS console: <${link}|cascade report>`;
  if (step !== '' && step.length <= CHAT_LIMITS.nextStep) nextSteps.unshift(step);
  nextSteps.push(clip(`Open the full report: ${code(report)}`, CHAT_LIMITS.nextStep));
  // How on-call tells whether it was right (issue 21), as every message says.
  if (top) nextSteps.push(clip(md(feedbackHint(name(f.analysisId))), CHAT_LIMITS.nextStep));

  const keywords = [f.status, ...(top ? [top.kind] : []), alarmed]
    .map((k) => clip(plain(k), CHAT_LIMITS.keyword))
    .filter((k, i, all) => k !== '' && all.indexOf(k) === i)
    .slice(0, CHAT_LIMITS.keywords);

  return {
    version: '1.0',
    source: 'custom',
    id: clip(plain(f.analysisId), 128),
    content: {
      textType: 'client-markdown',
      title: clip(title, CHAT_LIMITS.title),
      description,
      nextSteps,
      keywords,
    },
    metadata: {
      threadId: clip(`cascade-analyzer-${plain(alarmed)}`, 128),
      summary: clip(plain(headline(f, name)), CHAT_LIMITS.title),
      eventType: 'CascadeAnalysis',
      additionalContext: {
        analysisId: clip(plain(f.analysisId), 128),
        status: f.status,
        rootCause: clip(plain(top?.service ?? 'none'), 256),
        systemHealth: String(f.systemHealth),
        reportPath: clip(plain(reportPath), 512),
        ...(link !== undefined ? { consoleUrl: link } : {}),
      },
    },
  };
}

/** An https console URL that Slack's `<url|text>` form cannot misread (no `|`, `>`, space). */
function isConsoleUrl(u: string): boolean {
  return /^https:\/\/[^\s|<>]+$/.test(u) && u.length <= 2000;
}

function cause(r: RootCause): string {
  const via = r.via ? ` on calls from ${code(r.via)}` : '';
  return `${code(r.service)} (${md(name(r.type))}) — ${describeKinds(r)}${via}, ${confidenceWords(r.confidence)}`;
}

function names(xs: readonly string[], max: number, sep: string): string {
  if (xs.length === 0) return 'none';
  const shown = xs.slice(0, max).map(code).join(sep);
  return xs.length > max ? `${shown}${sep}… (+${xs.length - max})` : shown;
}

function name(s: string): string {
  return clip(s, CHAT_LIMITS.name);
}

/** A name in a code span: backticks cannot appear inside, and it is clipped. */
function code(s: string): string {
  const body = md(name(s)).replace(/`/g, "'");
  return `\`${body}\``;
}

/** Slack's three escapes, and no control characters or line breaks inside a value. */
function md(s: string): string {
  return plain(s).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** One line, without control characters. */
function plain(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
  return s.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** Joins lines, dropping whole lines from the end (but keeping the last, the report) to fit `max`. */
function fitLines(lines: readonly string[], max: number): string {
  const last = lines[lines.length - 1] ?? '';
  const body = lines.slice(0, -1);
  while (body.length > 0 && [...body, last].join('\n').length > max) body.pop();
  return clip([...body, last].join('\n'), max);
}
