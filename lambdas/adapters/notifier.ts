// SNS notification of a finding: a subject that names the root cause, a plain-text summary for
// people, then a `---` line and the key facts as JSON for machines; attributes for filter policies.
// The formatting is pure and exported so that it is tested without SNS.

import { PublishCommand, type SNSClient } from '@aws-sdk/client-sns';
import type { Finding, RootCause } from '../core/model.ts';
import { findingService } from './findings-table-schema.ts';
import type { Notifier } from './ports.ts';

/** SNS subjects: ASCII text without line breaks or control characters, under 100 characters. */
export const MAX_SUBJECT_CHARS = 99;
/** SNS's message size limit, which the message attributes count against too. */
export const MAX_MESSAGE_BYTES = 256 * 1024;
/** The line between the readable text and the JSON facts. */
export const FACTS_SEPARATOR = '\n---\n';

export interface Notification {
  readonly subject: string;
  readonly message: string;
  /** SNS String attributes. */
  readonly attributes: Readonly<Record<string, string>>;
}

export interface SnsNotifierOptions {
  /** Create it once per cold start (`createSnsClient`). */
  readonly client: SNSClient;
  readonly topicArn: string;
}

export class SnsNotifier implements Notifier {
  private readonly client: SNSClient;
  private readonly topicArn: string;

  constructor(options: SnsNotifierOptions) {
    if (options.topicArn.trim() === '') throw new Error('topicArn must not be empty');
    this.client = options.client;
    this.topicArn = options.topicArn;
  }

  async publish(finding: Finding, reportPath: string): Promise<{ messageId: string }> {
    const n = formatNotification(finding, reportPath);
    const out = await this.client.send(
      new PublishCommand({
        TopicArn: this.topicArn,
        Subject: n.subject,
        Message: n.message,
        MessageAttributes: Object.fromEntries(
          Object.entries(n.attributes).map(([k, v]) => [k, { DataType: 'String', StringValue: v }]),
        ),
      }),
    );
    if (out.MessageId === undefined) throw new Error('SNS Publish returned no MessageId');
    return { messageId: out.MessageId };
  }
}

export function formatNotification(finding: Finding, reportPath: string): Notification {
  const subject = formatSubject(finding);
  const attributes = messageAttributes(finding);
  // Attributes count against the 256 KB too; 1 KB of slack covers SNS's own accounting.
  const attrBytes = Object.entries(attributes).reduce(
    (sum, [k, v]) => sum + bytes(k) + bytes(v) + bytes('String'),
    0,
  );
  const message = formatMessage(finding, reportPath, MAX_MESSAGE_BYTES - attrBytes - bytes(subject) - 1024);
  return { subject, message, attributes };
}

/** E.g. `[cascade] payment-api: root cause of 3-service cascade (COMPLETED)`; ASCII, ≤ 99 characters. */
export function formatSubject(finding: Finding): string {
  const top = finding.rootCauses[0];
  const suffix = ` (${finding.status})`;
  let name: string;
  let what: string;
  if (finding.status === 'COMPLETED' && top !== undefined) {
    name = top.service;
    what = `root cause of ${affectedCount(finding)}-service cascade`;
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

interface Caps {
  readonly rootCauses: number;
  readonly evidence: number;
  readonly names: number;
  readonly recommendations: number;
  readonly text: number;
}

/** Tried in order until the message fits; lists are cut, the JSON always stays whole and valid. */
const LEVELS: readonly Caps[] = [
  { rootCauses: 5, evidence: 5, names: 20, recommendations: 5, text: 4000 },
  { rootCauses: 3, evidence: 3, names: 10, recommendations: 3, text: 1000 },
  { rootCauses: 1, evidence: 2, names: 5, recommendations: 2, text: 300 },
  { rootCauses: 1, evidence: 1, names: 2, recommendations: 1, text: 100 },
  { rootCauses: 0, evidence: 0, names: 0, recommendations: 0, text: 40 },
];

/** The readable summary, `---`, then the key facts as JSON; at most `maxBytes` UTF-8 bytes. */
export function formatMessage(finding: Finding, reportPath: string, maxBytes = MAX_MESSAGE_BYTES): string {
  let message = '';
  for (const caps of LEVELS) {
    message = `${readable(finding, reportPath, caps)}${FACTS_SEPARATOR}${JSON.stringify(facts(finding, reportPath, caps), null, 2)}`;
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
  return `Cascade analysis ${bare.analysisId}: ${finding.status}${FACTS_SEPARATOR}${JSON.stringify(bare, null, 2)}`;
}

function readable(f: Finding, reportPath: string, caps: Caps): string {
  const t = (s: string): string => clip(s, caps.text);
  const lines: string[] = [];
  lines.push(`Cascade analysis ${t(f.analysisId)}: ${f.status}`);
  const alarmed = f.trigger.service ?? '(whole graph)';
  lines.push(
    `Alarmed service: ${t(alarmed)}${f.trigger.alarmName ? ` (alarm ${t(f.trigger.alarmName)})` : ''}`,
  );
  if (f.window) lines.push(`Window: ${f.window.start} to ${f.window.end}`);
  lines.push(`System health: ${pct(f.systemHealth)}`);
  lines.push('', t(f.summary));
  if (f.error) lines.push('', `Error: ${t(f.error)}`);

  const top = f.rootCauses[0];
  if (top && caps.rootCauses > 0) {
    lines.push('', `Root cause: ${describeCause(top, t)}`);
    if (top.evidence.length > 0 && caps.evidence > 0) {
      lines.push('Evidence:');
      for (const e of top.evidence.slice(0, caps.evidence)) lines.push(`  - ${t(e.text)}`);
      more(lines, top.evidence.length, caps.evidence, 'more');
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
    const others = f.rootCauses.slice(1, caps.rootCauses);
    if (others.length > 0) {
      lines.push('', 'Other candidates:');
      for (const rc of others) lines.push(`  ${rc.rank}. ${describeCause(rc, t)}`);
      more(lines, f.rootCauses.length - 1, caps.rootCauses - 1, 'more candidates');
    }
  }
  if (f.recommendations.length > 0 && caps.recommendations > 0) {
    lines.push('', 'Recommendations:');
    for (const r of f.recommendations.slice(0, caps.recommendations)) {
      lines.push(`  - [${r.action}] ${t(r.service)}: ${t(r.text)}`);
    }
    more(lines, f.recommendations.length, caps.recommendations, 'more in the report');
  }
  lines.push('', `Report: ${t(reportPath)}`);
  return lines.join('\n');
}

function facts(f: Finding, reportPath: string, caps: Caps): Record<string, unknown> {
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
    servicesInCascade: affectedCount(f),
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

function describeCause(rc: RootCause, t: (s: string) => string): string {
  const via = rc.via ? ` on calls from ${t(rc.via)}` : '';
  return `${t(rc.service)} (${rc.kind}${via}; confidence ${pct(rc.confidence)}, impact ${Math.round(rc.impactScore)}/100)`;
}

/** Services in the cascade: every one that is not healthy, at least the root cause itself. */
function affectedCount(f: Finding): number {
  return Math.max(f.rootCauses.length > 0 ? 1 : 0, f.services.filter((s) => s.role !== 'healthy').length);
}

function listNames(names: readonly string[], max: number, sep: string, t: (s: string) => string): string {
  const shown = names.slice(0, max).map(t).join(sep);
  return names.length > max ? `${shown}${sep}… (${names.length - max} more)` : shown;
}

function more(lines: string[], total: number, shown: number, what: string): void {
  if (total > shown) lines.push(`  … ${total - shown} ${what}`);
}

function pct(x: number): string {
  return `${Math.round(x * 100)} %`;
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
