// The lines an incident message puts before the finding it reports: which incident, what changed
// (opened, root cause changed, grew, resolved) and, on resolution, its duration, its alarms and
// the final root cause. Pure; every name from X-Ray or CloudWatch goes through `oneLine`.

import { describeKind, durationText } from '../core/incidents/lifecycle.ts';
import type { Incident, IncidentNotification } from '../core/incidents/model.ts';
import { neutralizeText, utc } from './format.ts';

/** What the notifier adds to a finding's message when it is an incident's. */
export interface IncidentNote {
  readonly incidentId: string;
  readonly notificationId: string;
  readonly kind: IncidentNotification['kind'];
  /** Replaces the finding's subject (ASCII, one line); the first message keeps the finding's own. */
  readonly subject?: string;
  /** Printed before the finding's own text. */
  readonly preface: string;
}

/** A name on one line: it cannot forge a line of the message. */
export function oneLine(s: string): string {
  return neutralizeText(s).trim();
}

export function incidentNote(incident: Incident, n: IncidentNotification): IncidentNote {
  const services = [...new Set(incident.alarms.map((a) => oneLine(a.service)))];
  const root = incident.rootCause === null ? 'undetermined' : oneLine(incident.rootCause);
  // An incident lists its latest alarms only; alarmCount counts every alarm that joined.
  const count = Math.max(incident.alarmCount ?? 0, incident.alarms.length);
  const alarms = `${count} alarm${count === 1 ? '' : 's'} on ${services.length} service${services.length === 1 ? '' : 's'}`;
  const lines = [`Incident ${incident.incidentId} — ${describeKind(n.kind)}`];
  let subject: string | undefined;
  switch (n.kind) {
    case 'opened':
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
        `Alarms (${count}${count > incident.alarms.length ? `, the latest ${incident.alarms.length} listed` : ''}):`,
        ...incident.alarms.map(
          (a) =>
            `  - ${oneLine(a.alarmName)} on ${oneLine(a.service)}: ALARM ${utc(a.firedAt)}${a.okAt ? `, OK ${utc(a.okAt)}` : ''}`,
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
  };
}

/** An incident for the terminal: what it is, its alarms, its analyses and its timeline. */
export function renderIncidentText(incident: Incident): string {
  const end = incident.resolvedAt ?? incident.lastActivityAt;
  const lines = [
    `incident ${incident.incidentId} · ${incident.status} · opened ${utc(incident.openedAt)} · ${durationText(incident.openedAt, end)}`,
    `root cause: ${incident.rootCause === null ? 'undetermined' : oneLine(incident.rootCause)} (analysis ${incident.currentAnalysisId ?? 'none'})`,
    '',
    `alarms (${incident.alarms.length}):`,
    ...incident.alarms.map(
      (a) =>
        `  ${a.state.padEnd(5)} ${oneLine(a.alarmName)} on ${oneLine(a.service)} · fired ${utc(a.firedAt)}`,
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
