// The SNS message of a finding, rendered once for every kind of subscriber (Publish with
// MessageStructure "json"): e-mail gets the plain-text summary (email.ts); queues, Lambdas and other
// HTTP subscribers get that summary, a `---` line and the key facts as JSON; and, when enabled, AWS
// Chatbot (an HTTPS subscriber) gets its custom-notification JSON, the only form it forwards to a
// chat channel. Attributes are for filter policies. Pure: the SNS adapter only delivers what this
// renders (lambdas/adapters/notifier.ts).

import type { Finding } from '../core/model.ts';
import { formatChatbotNotification } from './chat.ts';
import { emailText, formatEmailText, TEXT_LEVELS, type TextCaps, truncateBytes } from './email.ts';
import { cascadeSize, neutralizeFinding } from './format.ts';
import type { IncidentNote } from './incident-text.ts';

/** SNS subjects: ASCII text without line breaks or control characters, under 100 characters. */
export const MAX_SUBJECT_CHARS = 99;
/** SNS's message size limit, which the subject and the message attributes count against too. */
export const MAX_MESSAGE_BYTES = 256 * 1024;
/** The line between the readable text and the JSON facts. */
export const FACTS_SEPARATOR = '\n---\n';
/** The e-mail variant's share of the budget: a long mail is read no better. */
export const MAX_EMAIL_BYTES = 48 * 1024;
/** Room SNS's own accounting may take beyond what we count. */
const SLACK_BYTES = 1024;

export interface NotificationOptions {
  /** Add the AWS Chatbot custom notification for HTTPS subscribers. @default false */
  readonly chatbot?: boolean;
  /** The incident this message is sent for: its subject, a preface and identifying attributes. */
  readonly note?: IncidentNote;
}

export interface Notification {
  readonly subject: string;
  /** The default message: readable summary, `---`, JSON facts. */
  readonly message: string;
  /** What e-mail subscribers get: the readable summary alone. */
  readonly email: string;
  /** The AWS Chatbot custom notification (JSON), when enabled. */
  readonly chatbot?: string;
  /** The Publish `Message` with `MessageStructure: 'json'`: every variant above, keyed by protocol. */
  readonly structured: string;
  /** SNS String attributes. */
  readonly attributes: Readonly<Record<string, string>>;
}

/** What SNS delivers: the subject, the Publish message (every variant, keyed by protocol), the attributes. */
export type SnsMessage = Pick<Notification, 'subject' | 'structured' | 'attributes'>;

/** Every variant of the notification, together within SNS's size limit. */
export function formatNotification(
  unsafe: Finding,
  reportPath: string,
  options: NotificationOptions = {},
): Notification {
  // Names come from applications: no control character reaches a subject, attribute or text.
  const finding = neutralizeFinding(unsafe);
  const note = options.note;
  const subject =
    note?.subject !== undefined
      ? asciiLine(note.subject).slice(0, MAX_SUBJECT_CHARS)
      : formatSubject(finding);
  const attributes = {
    ...messageAttributes(finding),
    // The id subscribers de-duplicate on (SNS is at-least-once): the incident message's, else the analysis'.
    ...(note
      ? { incidentId: note.incidentId, notificationId: note.notificationId, notificationKind: note.kind }
      : { notificationId: finding.analysisId }),
  };
  const preface = note?.preface ?? '';
  const attrBytes = Object.entries(attributes).reduce(
    (sum, [k, v]) => sum + bytes(k) + bytes(v) + bytes('String'),
    0,
  );
  const limit = MAX_MESSAGE_BYTES - attrBytes - bytes(subject) - SLACK_BYTES;
  const email = preface + formatEmailText(finding, reportPath, MAX_EMAIL_BYTES - bytes(preface));
  const chatbot = options.chatbot
    ? JSON.stringify(formatChatbotNotification(finding, reportPath, note?.consoleUrl))
    : undefined;
  const build = (message: string): string =>
    JSON.stringify({ default: message, email, ...(chatbot !== undefined ? { https: chatbot } : {}) });
  // The default message takes what the others leave; JSON escaping (quotes, line breaks) grows
  // it, so shrink its budget by the overflow until the whole structure fits.
  let budget = limit - (bytes(build('')) - 0);
  let message = preface + formatMessage(finding, reportPath, budget - bytes(preface));
  let structured = build(message);
  for (let i = 0; i < 8 && bytes(structured) > limit; i++) {
    budget -= bytes(structured) - limit + 64;
    message = preface + formatMessage(finding, reportPath, Math.max(0, budget - bytes(preface)));
    structured = build(message);
  }
  return { subject, message, email, ...(chatbot !== undefined ? { chatbot } : {}), structured, attributes };
}

/**
 * Names the root cause and how many services the cascade holds, e.g.
 * `[cascade] payment-api: root cause of 3-service cascade (COMPLETED)`; ASCII, ≤ 99 characters.
 */
export function formatSubject(finding: Finding): string {
  const top = finding.rootCauses[0];
  const suffix = ` (${finding.status})`;
  let name: string;
  let what: string;
  if (finding.status === 'COMPLETED' && top !== undefined) {
    name = top.service;
    what = `root cause of ${cascadeSize(finding)}-service cascade`;
  } else {
    name = findingService(finding);
    what =
      finding.status === 'FAILED'
        ? 'analysis failed'
        : finding.status === 'NO_DATA'
          ? 'no X-Ray data in the window'
          : 'no cascade found';
  }
  const fixed = `[cascade] : ${what}${suffix}`;
  const room = MAX_SUBJECT_CHARS - fixed.length;
  const safeName = asciiLine(name) || 'unknown';
  const shortName = safeName.length <= room ? safeName : `${safeName.slice(0, Math.max(1, room - 3))}...`;
  return asciiLine(`[cascade] ${shortName}: ${what}${suffix}`).slice(0, MAX_SUBJECT_CHARS);
}

export function messageAttributes(finding: Finding): Record<string, string> {
  const value = (s: string | undefined, fallback: string): string => clip(s?.trim() || fallback, 256);
  return {
    analysisId: value(finding.analysisId, 'unknown'),
    status: finding.status,
    service: value(findingService(finding), 'unknown'),
    rootCause: value(finding.rootCauses[0]?.service, 'none'),
    systemHealth: String(finding.systemHealth),
  };
}

/** The readable summary, `---`, then the key facts as JSON; at most `maxBytes` UTF-8 bytes. */
export function formatMessage(finding: Finding, reportPath: string, maxBytes = MAX_MESSAGE_BYTES): string {
  let message = '';
  for (const caps of TEXT_LEVELS) {
    message = `${emailText(finding, reportPath, caps)}${FACTS_SEPARATOR}${JSON.stringify(facts(finding, reportPath, caps), null, 2)}`;
    if (bytes(message) <= maxBytes) return message;
  }
  // Only absurdly long identifiers get here: the bare facts, still valid JSON.
  const bare = {
    analysisId: clip(finding.analysisId, 200),
    status: finding.status,
    rootCause: finding.rootCauses[0] ? clip(finding.rootCauses[0].service, 200) : null,
    systemHealth: finding.systemHealth,
    truncated: true,
  };
  const tail = `${FACTS_SEPARATOR}${JSON.stringify(bare, null, 2)}`;
  return `${truncateBytes(`Cascade analysis ${bare.analysisId}: ${finding.status}`, Math.max(0, maxBytes - bytes(tail)))}${tail}`;
}

function facts(f: Finding, reportPath: string, caps: TextCaps): Record<string, unknown> {
  const t = (s: string): string => clip(s, caps.text);
  const list = Math.max(1, caps.rootCauses * 2);
  return {
    analysisId: t(f.analysisId),
    status: f.status,
    service: t(findingService(f)),
    trigger: {
      source: f.trigger.source,
      ...(f.trigger.service !== undefined ? { service: t(f.trigger.service) } : {}),
      ...(f.trigger.alarmName !== undefined ? { alarmName: t(f.trigger.alarmName) } : {}),
    },
    window: f.window,
    rootCause: f.rootCauses[0] ? t(f.rootCauses[0].service) : null,
    rootCauses: f.rootCauses.slice(0, list).map((rc) => ({
      rank: rc.rank,
      service: t(rc.service),
      type: t(rc.type),
      kind: rc.kind,
      ...(rc.via !== undefined ? { via: t(rc.via) } : {}),
      score: rc.score,
      confidence: rc.confidence,
      impactScore: rc.impactScore,
      affectedServices: rc.blastRadius.affected.length,
      entryTrafficShare: rc.blastRadius.entryTrafficShare,
    })),
    rootCauseCount: f.rootCauses.length,
    servicesInCascade: cascadeSize(f),
    systemHealth: f.systemHealth,
    recommendations: f.recommendations
      .slice(0, Math.max(caps.recommendations, 1) * 2)
      .map((r) => ({ service: t(r.service), action: r.action })),
    summary: t(f.summary),
    ...(f.error !== undefined ? { error: t(f.error) } : {}),
    reportPath: t(reportPath),
    engineVersion: f.engineVersion,
  };
}

/** Printable ASCII on one line: whitespace becomes a space, anything else outside 0x20–0x7E goes. */
function asciiLine(s: string): string {
  return s
    .replace(/\s+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '')
    .replace(/ {2,}/g, ' ')
    .trim();
}

function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1))}…`;
}

function bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

/** The service a finding is about, as the findings table names it: the alarmed one, else the root cause. */
function findingService(finding: Finding): string {
  return finding.trigger.service ?? finding.rootCauses[0]?.service ?? 'unknown';
}
