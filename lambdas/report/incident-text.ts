// The lines an incident message puts before the finding it reports: which incident, what changed
// (opened, root cause changed, grew, resolved) and, on resolution, its duration, its alarms and
// the final root cause. Pure; every name from X-Ray or CloudWatch goes through `oneLine`.

import type { ConfirmedCause } from '../core/feedback.ts';
import { describeKind, durationText } from '../core/incidents/lifecycle.ts';
import type { Incident, IncidentAlarm, IncidentNotification } from '../core/incidents/model.ts';
import { confirmedText } from './feedback-text.ts';
import { clip, neutralizeText, utc } from './format.ts';

/** What the notifier adds to a finding's message when it is an incident's. */
export interface IncidentNote {
  readonly incidentId: string;
  readonly notificationId: string;
  readonly kind: IncidentNotification['kind'];
  /** Replaces the finding's subject (ASCII, one line); the first message keeps the finding's own only while the root cause is undetermined. */
  readonly subject?: string;
  /** Printed before the finding's own text. */
  readonly preface: string;
  /** The incident in the AWS console (lambdas/report/console-link.ts), when the stack has the dashboard. */
  readonly consoleUrl?: string;
}

/** A name on one line: it cannot forge a line of the message. */
export function oneLine(s: string): string {
  return neutralizeText(s).trim();
}

/** One alarm of an incident, however many times it went to ALARM. */
export interface DistinctAlarm {
  readonly alarmName: string;
  readonly service: string;
  /** The last time it went to ALARM. */
  readonly firedAt: string;
  /** Times it went to ALARM in this incident. */
  readonly fired: number;
  /** Its state at its last change. */
  readonly state: IncidentAlarm['state'];
  readonly okAt?: string;
}

/**
 * The incident's alarms as the reader counts them: one per alarm, in the order they first fired.
 * The incident keeps one entry per state change to ALARM, so an alarm that fired twice would
 * count twice ("20 alarms", then "the 16 alarms go back to OK").
 */
export function distinctAlarms(incident: Incident): DistinctAlarm[] {
  const byKey = new Map<string, DistinctAlarm>();
  for (const a of incident.alarms) {
    const seen = byKey.get(a.alarmKey);
    const latest = seen === undefined || a.firedAt >= seen.firedAt;
    const base = latest ? a : (seen as DistinctAlarm);
    byKey.set(a.alarmKey, {
      alarmName: base.alarmName,
      service: base.service,
      firedAt: base.firedAt,
      fired: (seen?.fired ?? 0) + 1,
      state: base.state,
      ...(base.okAt !== undefined ? { okAt: base.okAt } : {}),
    });
  }
  return [...byKey.values()];
}

/** `16 alarms on 8 services`. */
export function alarmsText(incident: Incident): string {
  const alarms = distinctAlarms(incident);
  const services = new Set(alarms.map((a) => oneLine(a.service))).size;
  return `${alarms.length} alarm${alarms.length === 1 ? '' : 's'} on ${services} service${services === 1 ? '' : 's'}`;
}

/** The line of a message that links to the incident in the AWS console. */
export function consoleLine(url: string): string {
  return `Open in the AWS console (your console sign-in): ${url}`;
}

/**
 * `consoleUrl`: the incident in the AWS console; `confirmed` (issue 21): the root cause as on-call
 * confirmed it, which the closing message names.
 */
export function incidentNote(
  incident: Incident,
  n: IncidentNotification,
  consoleUrl?: string,
  confirmed?: ConfirmedCause,
): IncidentNote {
  const services = [...new Set(incident.alarms.map((a) => oneLine(a.service)))];
  const root = incident.rootCause === null ? 'undetermined' : oneLine(incident.rootCause);
  const alarms = alarmsText(incident);
  // An incident keeps its latest alarm events only; alarmCount counts every one that joined.
  const events = Math.max(incident.alarmCount ?? 0, incident.alarms.length);
  const listed = distinctAlarms(incident);
  const lines = [`Incident ${incident.incidentId} — ${describeKind(n.kind)}`];
  // Second line: one click from the message to the picture (issue 19 §1).
  if (consoleUrl !== undefined) lines.push(consoleLine(consoleUrl));
  let subject: string | undefined;
  switch (n.kind) {
    case 'opened':
      // The finding's own subject counts the services of one analysis; the incident's message
      // counts the alarms the reader is paged for.
      if (incident.rootCause !== null) subject = `${clip(root, 48)}: root cause of ${alarms}`;
      lines.push(`Opened ${utc(incident.openedAt)} by ${alarms}.`);
      break;
    case 'root-cause-changed':
      subject = `root cause now ${root}`;
      lines.push(`The root cause is now ${root} (${alarms} so far).`);
      break;
    case 'update':
      subject = `incident grew to ${alarms}`;
      lines.push(`The incident grew: ${alarms} (${services.join(', ')}). Root cause: ${root}.`);
      break;
    case 'resolved': {
      const end = incident.resolvedAt ?? incident.lastActivityAt;
      subject = `resolved after ${durationText(incident.openedAt, end)}, root cause ${root}`;
      lines.push(
        `Resolved ${utc(end)}: every alarm is back to OK after ${durationText(incident.openedAt, end)}.`,
        `Final root cause: ${root}.`,
        ...(confirmed !== undefined
          ? [`Root cause as on-call confirmed it: ${confirmedText(confirmed)}.`]
          : []),
        `Alarms (${listed.length}${events > incident.alarms.length ? `; the latest ${incident.alarms.length} of ${events} alarm events listed` : ''}):`,
        ...listed.map(
          (a) =>
            `  - ${oneLine(a.alarmName)} on ${oneLine(a.service)}: ALARM ${utc(a.firedAt)}${firedTimes(a)}${a.okAt ? `, OK ${utc(a.okAt)}` : ''}`,
        ),
      );
      break;
    }
  }
  return {
    incidentId: incident.incidentId,
    notificationId: n.id,
    kind: n.kind,
    ...(subject !== undefined ? { subject: `[cascade] ${subject}` } : {}),
    preface: `${lines.join('\n')}\n\n`,
    ...(consoleUrl !== undefined ? { consoleUrl } : {}),
  };
}

function firedTimes(a: DistinctAlarm): string {
  return a.fired > 1 ? ` (went to ALARM ${a.fired} times)` : '';
}

/** An incident for the terminal: what it is, its alarms, its analyses and its timeline. */
export function renderIncidentText(incident: Incident, confirmed?: ConfirmedCause): string {
  const end = incident.resolvedAt ?? incident.lastActivityAt;
  const lines = [
    `incident ${incident.incidentId} · ${incident.status} · opened ${utc(incident.openedAt)} · ${durationText(incident.openedAt, end)}`,
    `root cause: ${incident.rootCause === null ? 'undetermined' : oneLine(incident.rootCause)} (analysis ${incident.currentAnalysisId ?? 'none'})`,
    ...(confirmed !== undefined ? [`confirmed root cause: ${confirmedText(confirmed)}`] : []),
    '',
    `alarms (${distinctAlarms(incident).length}):`,
    ...distinctAlarms(incident).map(
      (a) =>
        `  ${a.state.padEnd(5)} ${oneLine(a.alarmName)} on ${oneLine(a.service)} · fired ${utc(a.firedAt)}${firedTimes(a)}`,
    ),
    '',
    `analyses (${incident.analyses.length}):`,
    ...incident.analyses.map(
      (a) => `  ${a.analysisId} ${a.status}${a.rootCause ? ` · root cause ${oneLine(a.rootCause)}` : ''}`,
    ),
    '',
    `messages (${incident.notifications.length}):`,
    ...incident.notifications.map(
      (n) => `  ${n.id} ${describeKind(n.kind)} · ${n.sent ? 'sent' : 'pending'}`,
    ),
    '',
    'timeline:',
    ...incident.timeline
      .map((t, i) => ({ t, i }))
      .sort((a, b) => (a.t.at < b.t.at ? -1 : a.t.at > b.t.at ? 1 : a.i - b.i))
      .map(({ t }) => `  ${utc(t.at)}  ${oneLine(t.text)}`),
  ];
  return `${lines.join('\n')}\n`;
}
