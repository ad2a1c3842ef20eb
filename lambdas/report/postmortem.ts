// A postmortem draft of an incident (issue 20 §3): what the analyzer knows, laid out the way a
// postmortem is written — summary, impact, a UTC timeline, the evidence, what was recommended —
// and the sections only people can fill left as headings. Pure: the incident and the finding of
// its current analysis in, a document (JSON) or GitHub-flavoured Markdown out.

import { describeKind, durationText } from '../core/incidents/lifecycle.ts';
import type { Incident } from '../core/incidents/model.ts';
import type { Finding } from '../core/model.ts';
import { describeKinds } from '../core/summary.ts';
import { changeSentence, exceptionsText, exemplarSentence, tracesSentence } from './evidence.ts';
import { causedText, neutralizeFinding, neutralizeText, pct, shortType } from './format.ts';

/** The kinds of timeline rows, in the order rows of one instant are listed. */
export const POSTMORTEM_EVENT_KINDS = ['change', 'alarm', 'analysis', 'message', 'resolution'] as const;
export type PostmortemEventKind = (typeof POSTMORTEM_EVENT_KINDS)[number];

export interface PostmortemEvent {
  /** ISO-8601, UTC. */
  readonly at: string;
  readonly kind: PostmortemEventKind;
  readonly text: string;
}

export interface PostmortemAlarm {
  readonly alarmName: string;
  readonly service: string;
  /** When it first went to ALARM in this incident. */
  readonly firstFiredAt: string;
  /** Times it went to ALARM in this incident (of the alarm events the incident still lists). */
  readonly fired: number;
  readonly state: 'ALARM' | 'OK';
  readonly okAt?: string;
}

export interface PostmortemLink {
  readonly text: string;
  readonly url: string;
}

/** The draft as data: `--format json` and `?format=json` give it as it is. */
export interface PostmortemDraft {
  readonly incidentId: string;
  readonly status: Incident['status'];
  readonly title: string;
  readonly summary: {
    readonly rootCause: string | null;
    /** `server errors`, `latency + server errors`… of the root cause; null without one. */
    readonly kind: string | null;
    readonly confidence: number | null;
    readonly impact: string;
    readonly start: string;
    /** When it ended (resolution, expiry or merge); null while it is open. */
    readonly end: string | null;
    readonly duration: string;
  };
  readonly impact: {
    /** The alarmed services and the cascade's affected ones, root cause first. */
    readonly services: readonly string[];
    readonly entryPoints: readonly string[];
    /** Share (0–1) of the entry traffic that passes through the root cause; null without one. */
    readonly entryTrafficShare: number | null;
    readonly alarms: readonly PostmortemAlarm[];
    /** Every alarm event that joined, including those the incident no longer lists. */
    readonly alarmEvents: number;
  };
  readonly timeline: readonly PostmortemEvent[];
  readonly evidence: {
    readonly analysisId: string | null;
    readonly lines: readonly string[];
    readonly exemplars: readonly PostmortemLink[];
    readonly changes: readonly string[];
  };
  readonly recommendations: readonly {
    readonly action: string;
    readonly service: string;
    readonly text: string;
  }[];
  /** Headings left for the people who handled it. */
  readonly toFill: readonly string[];
  /** Extra links (the console's view of the incident), when the caller knows them. */
  readonly links: readonly PostmortemLink[];
}

export interface PostmortemOptions {
  /** Links to add (e.g. the incident in the AWS console), shown under the title. */
  readonly links?: readonly PostmortemLink[];
}

export const TO_FILL = ['What was done', 'What went well', 'What went wrong', 'Action items'] as const;

/**
 * The draft of `incident`. `findings` are the stored findings of its analyses (any of them may be
 * missing): the evidence comes from the one that saw most of the cascade among those naming the
 * incident's root cause, the current one on a tie. With none, the draft still holds the timeline
 * and the alarms.
 */
export function postmortemDraft(
  rawIncident: Incident,
  findings: readonly Finding[],
  options: PostmortemOptions = {},
): PostmortemDraft {
  const incident = neutralizeIncident(rawIncident);
  const raw = evidenceFinding(rawIncident, findings);
  const finding = raw === undefined ? undefined : neutralizeFinding(raw);
  const top = finding?.status === 'COMPLETED' ? finding.rootCauses[0] : undefined;
  const rootCause = top?.service ?? incident.rootCause;
  const affected = unique(
    findings.flatMap((f) =>
      f.status === 'COMPLETED' && f.rootCauses[0]?.service === rawIncident.rootCause
        ? f.rootCauses[0].blastRadius.affected.map(neutralizeText)
        : [],
    ),
  );
  const alarms = alarmsOf(incident);
  const alarmEvents = Math.max(incident.alarmCount ?? 0, incident.alarms.length);
  const end = endOf(incident);
  const services = unique([
    ...(rootCause !== null ? [rootCause] : []),
    ...alarms.map((a) => a.service),
    ...affected,
  ]);
  const hurt = services.length - (rootCause !== null ? 1 : 0);
  const alarmedServices = new Set(alarms.map((a) => a.service)).size;
  const share = top?.blastRadius.entryTrafficShare ?? null;
  const impact = [
    `${alarms.length} ${plural(alarms.length, 'alarm')} on ${alarmedServices} ${plural(alarmedServices, 'service')}`,
    ...(rootCause !== null && hurt > 0
      ? [`${hurt} ${plural(hurt, 'service')} hurt besides ${rootCause}`]
      : []),
    ...(share !== null ? [`${pct(share)} of entry traffic passes through ${rootCause}`] : []),
  ].join('; ');
  return {
    incidentId: incident.incidentId,
    status: incident.status,
    title:
      rootCause === null
        ? `Incident ${incident.incidentId}: root cause undetermined`
        : `Incident ${incident.incidentId}: ${rootCause}${top ? ` (${describeKinds(top)})` : ''}`,
    summary: {
      rootCause,
      kind: top ? describeKinds(top) : null,
      confidence: top?.confidence ?? null,
      impact,
      start: incident.openedAt,
      end: end?.at ?? null,
      duration:
        end === undefined
          ? incident.lastActivityAt > incident.openedAt
            ? `still open; last activity ${durationText(incident.openedAt, incident.lastActivityAt)} after the first alarm`
            : 'still open'
          : `${durationText(incident.openedAt, end.at)} (${end.how})`,
    },
    impact: {
      services,
      entryPoints: top?.blastRadius.entryPoints ?? [],
      entryTrafficShare: share,
      alarms,
      alarmEvents,
    },
    timeline: timelineOf(incident, finding, alarms),
    evidence: evidenceOf(finding, top),
    recommendations: (finding?.recommendations ?? []).map((r) => ({
      action: r.action,
      service: r.service,
      text: r.text,
    })),
    toFill: [...TO_FILL],
    links: (options.links ?? []).filter((l) => isWebUrl(l.url)),
  };
}

/** The draft as Markdown that renders on GitHub and pastes into Confluence (headings, lists, tables). */
export function renderPostmortemMarkdown(draft: PostmortemDraft): string {
  const s = draft.summary;
  const out: string[] = [`# Postmortem (draft): ${md(draft.title)}`, ''];
  out.push(
    `> A draft written by cascade-analyzer from incident \`${draft.incidentId}\` (${draft.status}).`,
    '> Check every line; the sections at the end are for the people who handled it.',
    '',
  );
  for (const l of draft.links) out.push(`[${md(l.text)}](${linkUrl(l.url)})`, '');
  out.push('## Summary', '');
  out.push(
    `- **Root cause:** ${s.rootCause === null ? 'undetermined' : md(s.rootCause)}${s.kind ? `, ${md(s.kind)}` : ''}${s.confidence !== null ? ` (confidence ${pct(s.confidence, 0)})` : ''}`,
    `- **Impact:** ${md(s.impact)}`,
    `- **Duration:** ${md(s.duration)}, ${s.end !== null ? utcSpan(s.start, s.end) : `since ${utcTime(s.start)} UTC`}`,
    '',
  );
  const i = draft.impact;
  out.push('## Impact', '');
  out.push(`- **Services:** ${i.services.length > 0 ? i.services.map(md).join(', ') : 'none named'}`);
  if (i.entryPoints.length > 0) {
    out.push(
      `- **Entry points reached:** ${i.entryPoints.map(md).join(', ')}${i.entryTrafficShare !== null ? ` (${pct(i.entryTrafficShare)} of entry traffic)` : ''}`,
    );
  }
  const listed = i.alarms.reduce((n, a) => n + a.fired, 0);
  out.push(
    `- **Alarms:** ${i.alarms.length}${i.alarmEvents > listed ? ` (the incident lists the latest ${listed} of ${i.alarmEvents} alarm events)` : ''}`,
    '',
  );
  if (i.alarms.length > 0) {
    out.push('| alarm | service | first ALARM (UTC) | times | back to OK (UTC) |', '|---|---|---|---|---|');
    for (const a of i.alarms) {
      out.push(
        `| ${cell(a.alarmName)} | ${cell(a.service)} | ${utcTime(a.firstFiredAt)} | ${a.fired} | ${a.state === 'OK' && a.okAt ? utcTime(a.okAt) : 'still in ALARM'} |`,
      );
    }
    out.push('');
  }
  out.push('## Timeline (UTC)', '');
  if (draft.timeline.length === 0) out.push('Nothing recorded.', '');
  else {
    out.push('| time (UTC) | what happened |', '|---|---|');
    for (const e of draft.timeline) out.push(`| ${utcTime(e.at)} | ${cell(e.text)} |`);
    out.push('');
  }
  const ev = draft.evidence;
  out.push('## Evidence', '');
  if (ev.lines.length === 0 && ev.changes.length === 0) {
    out.push(
      ev.analysisId === null
        ? 'No analysis of this incident is stored.'
        : `The finding of analysis \`${ev.analysisId}\` holds no evidence.`,
      '',
    );
  } else {
    if (ev.analysisId !== null) out.push(`From analysis \`${ev.analysisId}\`:`, '');
    for (const l of ev.lines) out.push(`- ${md(l)}`);
    if (ev.exemplars.length > 0) {
      out.push(
        `- Exemplar traces: ${ev.exemplars.map((x) => `[${md(x.text)}](${linkUrl(x.url)})`).join(', ')}`,
      );
    }
    if (ev.changes.length > 0) {
      out.push('', 'Changes near the start (CloudTrail, newest first):', '');
      for (const c of ev.changes) out.push(`- ${md(c)}`);
    }
    out.push('');
  }
  out.push('## What was recommended', '');
  if (draft.recommendations.length === 0) out.push('Nothing: the analysis recommended no action.', '');
  else {
    draft.recommendations.forEach((r, n) => {
      out.push(`${n + 1}. **${md(r.action)}** on ${md(r.service)}: ${md(r.text)}`);
    });
    out.push('');
  }
  for (const heading of draft.toFill) out.push(`## ${heading}`, '', '_To be written._', '');
  return `${out.join('\n').trimEnd()}\n`;
}

/** One row per alarm, in the order they first fired, however many times each went to ALARM. */
function alarmsOf(incident: Incident): PostmortemAlarm[] {
  const byKey = new Map<string, PostmortemAlarm>();
  const sorted = [...incident.alarms].sort((a, b) => cmp(a.firedAt, b.firedAt));
  for (const a of sorted) {
    const seen = byKey.get(a.alarmKey);
    if (seen === undefined) {
      byKey.set(a.alarmKey, {
        alarmName: a.alarmName,
        service: a.service,
        firstFiredAt: a.firedAt,
        fired: 1,
        state: a.state,
        ...(a.okAt !== undefined ? { okAt: a.okAt } : {}),
      });
    } else {
      // Its last state is that of its latest firing.
      byKey.set(a.alarmKey, {
        ...seen,
        fired: seen.fired + 1,
        state: a.state,
        ...(a.okAt !== undefined ? { okAt: a.okAt } : {}),
      });
    }
  }
  return [...byKey.values()];
}

function endOf(incident: Incident): { at: string; how: string } | undefined {
  switch (incident.status) {
    case 'RESOLVED':
      return { at: incident.resolvedAt ?? incident.lastActivityAt, how: 'every alarm back to OK' };
    case 'EXPIRED':
      return { at: incident.lastActivityAt, how: 'closed while idle, its alarms never back to OK' };
    case 'MERGED':
      return { at: incident.lastActivityAt, how: `merged into ${incident.mergedInto ?? 'another incident'}` };
    case 'OPEN':
      return undefined;
  }
}

function timelineOf(
  incident: Incident,
  finding: Finding | undefined,
  alarms: readonly PostmortemAlarm[],
): PostmortemEvent[] {
  const events: PostmortemEvent[] = [];
  for (const c of finding?.changes ?? []) {
    events.push({
      at: c.at,
      kind: 'change',
      text: `Change: ${c.what} (${c.eventName}) by ${c.who}${touched(c)}`,
    });
  }
  alarms.forEach((a, n) => {
    const times = a.fired > 1 ? ` (${a.fired} times)` : '';
    const ok = a.okAt !== undefined && a.state === 'OK' ? `, back to OK ${clock(a.okAt)}` : '';
    events.push({
      at: a.firstFiredAt,
      kind: 'alarm',
      text: `${n === 0 ? 'First alarm' : 'Alarm'}: ${a.alarmName} on ${a.service} went to ALARM${times}${ok}`,
    });
  });
  // An analysis is listed when it gave a new answer: the first, and each that changed the root cause.
  const analyses = [...incident.analyses].sort((a, b) => cmp(a.at, b.at));
  let said: string | null | undefined;
  let same = 0;
  for (const a of analyses) {
    const answer = a.status === 'FAILED' ? 'FAILED' : a.rootCause;
    if (said !== undefined && answer === said) {
      same++;
      continue;
    }
    const what =
      a.status === 'FAILED'
        ? `failed${a.error ? ` (${a.error})` : ''}`
        : a.rootCause === null
          ? 'found no root cause'
          : said === undefined || said === null || said === 'FAILED'
            ? `root cause ${a.rootCause}`
            : `root cause changed from ${said} to ${a.rootCause}`;
    events.push({ at: a.at, kind: 'analysis', text: `Analysis ${a.analysisId}: ${what}` });
    said = answer;
  }
  for (const n of incident.notifications) {
    events.push({
      at: n.decidedAt,
      kind: 'message',
      text: `Message ${n.id} (${describeKind(n.kind)}) ${n.sent ? 'sent' : 'decided, not sent yet'}`,
    });
  }
  const end = endOf(incident);
  if (end !== undefined) {
    events.push({
      at: end.at,
      kind: 'resolution',
      text: `${incident.status === 'RESOLVED' ? 'Resolved' : incident.status === 'EXPIRED' ? 'Expired' : 'Merged'}: ${end.how}, ${durationText(incident.openedAt, end.at)} after the first alarm`,
    });
  }
  const order = (k: PostmortemEventKind) => POSTMORTEM_EVENT_KINDS.indexOf(k);
  const sorted = events
    .map((e, n) => ({ e, n }))
    .sort((x, y) => cmp(x.e.at, y.e.at) || order(x.e.kind) - order(y.e.kind) || x.n - y.n)
    .map(({ e }) => e);
  if (same > 0) {
    // Said once, at the end of the analyses: the rows above would repeat the same answer.
    const last = analyses[analyses.length - 1] as (typeof analyses)[number];
    const at = sorted.findLastIndex((e) => e.kind === 'analysis');
    sorted.splice(at + 1, 0, {
      at: sorted[at]?.at ?? last.at,
      kind: 'analysis',
      text: `${same} later ${plural(same, 'analysis', 'analyses')}, one per alarm, gave the same root cause (${analyses.length} in all; the last: ${last.analysisId})`,
    });
  }
  return sorted;
}

function evidenceOf(
  finding: Finding | undefined,
  top: Finding['rootCauses'][number] | undefined,
): PostmortemDraft['evidence'] {
  if (finding === undefined) return { analysisId: null, lines: [], exemplars: [], changes: [] };
  const lines: string[] = [];
  if (top) {
    const via = top.via ? `, on the calls from ${top.via}` : '';
    lines.push(
      `${top.service} (${shortType(top.type)}) is the most likely root cause of ${causedText(finding, top.service)}${via}`,
    );
    for (const e of top.evidence) lines.push(e.text);
    if (top.traces) {
      lines.push(`${tracesSentence(top.traces, finding)}; exceptions: ${exceptionsText(top.traces)}`);
      const detail = exemplarSentence(top.traces);
      if (detail) lines.push(`Exemplar ${detail}`);
    }
    const path = finding.cascade.paths.find((p) => p.rank === top.rank) ?? finding.cascade.paths[0];
    if (path) lines.push(`Path to the users: ${path.services.join(' → ')}`);
  } else if (finding.status !== 'COMPLETED' || finding.rootCauses.length === 0) {
    lines.push(finding.error ? `${finding.status}: ${finding.error}` : finding.summary);
  }
  for (const n of finding.evidenceNotes ?? []) lines.push(n.text);
  const exemplars = (top?.traces?.exemplars ?? []).flatMap((x) =>
    x.url !== undefined && isWebUrl(x.url) ? [{ text: x.traceId, url: x.url }] : [],
  );
  return {
    analysisId: finding.analysisId,
    lines,
    exemplars,
    changes: (finding.changes ?? []).map(changeSentence),
  };
}

/** The finding the evidence is read from: the widest view of the incident's root cause. */
function evidenceFinding(incident: Incident, findings: readonly Finding[]): Finding | undefined {
  const current = findings.find((f) => f.analysisId === incident.currentAnalysisId);
  const width = (f: Finding): number =>
    f.status === 'COMPLETED' && f.rootCauses[0]?.service === incident.rootCause
      ? f.rootCauses[0].blastRadius.affected.length
      : -1;
  let best = current;
  for (const f of findings) if (best === undefined || width(f) > width(best)) best = f;
  return best;
}

function touched(c: NonNullable<Finding['changes']>[number]): string {
  return c.services.length > 0
    ? ` → ${c.services.join(', ')}`
    : c.resources.length > 0
      ? ` (${c.resources.join(', ')})`
      : '';
}

function neutralizeIncident(i: Incident): Incident {
  const n = neutralizeText;
  return {
    ...i,
    ...(i.mergedInto !== undefined ? { mergedInto: n(i.mergedInto) } : {}),
    rootCause: i.rootCause === null ? null : n(i.rootCause),
    alarms: i.alarms.map((a) => ({
      ...a,
      alarmName: n(a.alarmName),
      service: n(a.service),
      alarmKey: n(a.alarmKey),
    })),
    analyses: i.analyses.map((a) => ({
      ...a,
      rootCause: a.rootCause === null ? null : n(a.rootCause),
      ...(a.error !== undefined ? { error: n(a.error) } : {}),
    })),
  };
}

/** `2026-11-20 03:00:05`: the seconds count in a timeline of one storm. */
function utcTime(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? md(iso) : new Date(t).toISOString().slice(0, 19).replace('T', ' ');
}

/** `2026-11-20 03:15:00 to 03:41:00 UTC`, both dates when they differ. */
function utcSpan(start: string, end: string): string {
  const a = utcTime(start);
  const b = utcTime(end);
  return a.slice(0, 10) === b.slice(0, 10) ? `${a} to ${b.slice(11)} UTC` : `${a} to ${b} UTC`;
}

function clock(iso: string): string {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? iso : `${new Date(t).toISOString().slice(11, 19)}`;
}

/**
 * Text from X-Ray, CloudWatch or CloudTrail as Markdown text: every character Markdown (or HTML
 * inside it) could read as syntax is escaped, so a name never becomes a link, a heading or markup.
 */
export function md(s: string): string {
  return neutralizeText(s).replace(/[\\`*_[\]<>|~&]/g, (c) => `\\${c}`);
}

/** A table cell: Markdown text on one line (the pipe is escaped by `md`). */
function cell(s: string): string {
  return md(s);
}

function isWebUrl(u: string): boolean {
  try {
    const url = new URL(u);
    return url.protocol === 'https:' || url.protocol === 'http:';
  } catch {
    return false;
  }
}

/** A URL inside `(…)` of a Markdown link: what would end it or break the line is percent-encoded. */
function linkUrl(u: string): string {
  return u.replace(/[\s()<>\\]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

function unique(xs: readonly string[]): string[] {
  return [...new Set(xs)];
}

function plural(n: number, one: string, many = `${one}s`): string {
  return n === 1 ? one : many;
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
