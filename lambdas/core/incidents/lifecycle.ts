// The incident lifecycle as pure reducers over the incidents a change involves: an analysed alarm is
// attached (opening or joining an incident, deciding the one message it warrants), an alarm back
// to OK may resolve its incident, a sent message is ticked off the outbox. Each reducer is
// idempotent, so a retried step that re-applies it changes nothing and decides nothing twice.

import { createHash } from 'node:crypto';
import type { FindingStatus } from '../model.ts';
import { type AlarmContext, relatedIncidents } from './correlate.ts';
import {
  type AlarmOk,
  INCIDENT_LIMITS,
  type Incident,
  type IncidentAlarm,
  type IncidentAnalysis,
  type IncidentConfig,
  type IncidentNotification,
  MAX_INCIDENT_BYTES,
  type NotificationKind,
  type OpenIncidents,
  type TimelineEntry,
} from './model.ts';

const MINUTE_MS = 60_000;

export interface AnalysedAlarm extends AlarmContext {
  readonly analysisId: string;
  readonly alarmKey: string;
  readonly alarmName: string;
  readonly status: FindingStatus;
  readonly rootCause: string | null;
  readonly error?: string;
}

export interface Attached {
  readonly doc: OpenIncidents;
  readonly incident: Incident;
  /** `duplicate`: this analysis was attached before (a retry or a second delivery); nothing changed. */
  readonly outcome: 'opened' | 'joined' | 'duplicate';
  /** The message this analysis warrants, already in the incident's outbox. */
  readonly notification: IncidentNotification | undefined;
  /**
   * Open incidents this analysis showed to be part of the same cascade (opened apart while their
   * analyses failed or raced): merged into `incident`, their final copies with status MERGED.
   */
  readonly absorbed: readonly Incident[];
}

/** The deterministic id of the incident an alarm opens: a retry opens the same one. */
export function incidentIdFor(analysisId: string): string {
  return `inc-${createHash('sha256').update(analysisId).digest('hex').slice(0, 24)}`;
}

export function attachAnalysis(
  doc: OpenIncidents,
  alarm: AnalysedAlarm,
  now: Date,
  config: IncidentConfig,
): Attached {
  const firedAt = iso(alarm.firedAt);
  const holder = doc.attached?.[alarm.analysisId];
  const known =
    (holder === undefined ? undefined : holderOf(doc, holder)) ??
    doc.incidents.find((i) => i.alarms.some((a) => a.analysisId === alarm.analysisId));
  if (known !== undefined) {
    const previous = known.notifications.find(
      (n) => n.analysisId === alarm.analysisId && n.kind !== 'resolved',
    );
    return { doc, incident: known, outcome: 'duplicate', notification: previous, absorbed: [] };
  }
  const early = doc.earlyOks.find((o) => o.alarmKey === alarm.alarmKey && o.at >= firedAt);
  const entry: IncidentAlarm = {
    analysisId: alarm.analysisId,
    alarmKey: alarm.alarmKey,
    alarmName: alarm.alarmName,
    service: alarm.service,
    firedAt,
    state: early ? 'OK' : 'ALARM',
    ...(early ? { okAt: early.at } : {}),
  };
  const analysis: IncidentAnalysis = {
    analysisId: alarm.analysisId,
    status: alarm.status,
    rootCause: alarm.rootCause,
    at: firedAt,
    ...(alarm.error !== undefined ? { error: alarm.error } : {}),
  };
  const earlyOks = early ? doc.earlyOks.filter((o) => o !== early) : doc.earlyOks;
  const nowIso = now.toISOString();
  const related = relatedIncidents(doc.incidents, { ...alarm, firedAt }, config);
  // Only a result knows the cascade well enough to say two incidents are one.
  const others = alarm.status === 'FAILED' ? [] : related.slice(1);
  const first = related[0];
  const target = first !== undefined && others.length > 0 ? mergeInto(first, others, nowIso) : first;
  const absorbed = others.map((o) => closedAsMerged(o, first?.incidentId ?? '', nowIso));
  if (others.length > 0) {
    doc = { ...doc, incidents: doc.incidents.filter((i) => !others.includes(i)) };
  }

  if (target === undefined) {
    const incidentId = incidentIdFor(alarm.analysisId);
    const notification = outboxEntry(incidentId, 0, 'opened', alarm.analysisId, nowIso);
    const incident: Incident = bounded({
      incidentId,
      status: 'OPEN',
      openedAt: firedAt,
      openedOn: alarm.service,
      lastActivityAt: firedAt,
      alarms: [entry],
      alarmCount: 1,
      analyses: [analysis],
      currentAnalysisId: alarm.analysisId,
      rootCause: alarm.rootCause,
      notifiedRootCause: rootCauseLabel(analysis),
      lastNotifiedAt: nowIso,
      reach: capped([...alarm.reach, alarm.service]),
      near: capped(alarm.near, INCIDENT_LIMITS.near),
      notifications: [notification],
      messageCount: 1,
      timeline: [
        line(firedAt, 'alarm', `${alarm.alarmName} on ${alarm.service} went to ALARM; incident opened`),
        line(nowIso, 'analysis', analysisText(analysis)),
        line(nowIso, 'notification', 'root cause sent'),
      ],
      revision: 1,
    });
    // An OK that came first: the incident opens and resolves at once (both messages decided).
    const settled = entry.state === 'OK' ? resolveIfAllOk(incident, nowIso) : incident;
    return {
      doc: withIncident({ ...doc, earlyOks }, settled),
      incident: settled,
      outcome: 'opened',
      notification,
      absorbed: [],
    };
  }

  const explained = target.reach.includes(alarm.service);
  const reach = capped([...target.reach, ...alarm.reach, alarm.service]);
  const grew = reach.length > target.reach.length;
  const analyses = keptAnalyses([...target.analyses, analysis]);
  const current = currentOf(analyses);
  const rootCause = current?.rootCause ?? null;
  const label = current ? rootCauseLabel(current) : null;
  const lastNotified = target.lastNotifiedAt === undefined ? 0 : Date.parse(target.lastNotifiedAt);
  let kind: NotificationKind | undefined;
  if (label !== (target.notifiedRootCause ?? null) && current?.analysisId === alarm.analysisId) {
    kind = 'root-cause-changed';
  } else if (!explained && grew && now.getTime() - lastNotified >= config.updateIntervalMinutes * MINUTE_MS) {
    kind = 'update';
  }
  const notification =
    kind === undefined
      ? undefined
      : outboxEntry(target.incidentId, nextSeq(target), kind, alarm.analysisId, nowIso);
  const events: TimelineEntry[] = [
    line(
      firedAt,
      'alarm',
      `${alarm.alarmName} on ${alarm.service} went to ALARM${explained ? ' (already in the cascade)' : ''}`,
    ),
    line(nowIso, 'analysis', analysisText(analysis)),
  ];
  if (notification) events.push(line(nowIso, 'notification', `${describeKind(notification.kind)} sent`));
  const incident: Incident = bounded({
    ...target,
    lastActivityAt: firedAt > target.lastActivityAt ? firedAt : target.lastActivityAt,
    alarms: keptAlarms([...target.alarms, entry]),
    alarmCount: alarmCountOf(target) + 1,
    analyses,
    currentAnalysisId: current?.analysisId ?? null,
    rootCause,
    ...(kind === 'root-cause-changed' ? { notifiedRootCause: label } : {}),
    ...(notification ? { lastNotifiedAt: nowIso } : {}),
    reach,
    near: capped([...target.near, ...alarm.near], INCIDENT_LIMITS.near),
    notifications: notification ? [...target.notifications, notification] : target.notifications,
    ...(notification ? { messageCount: nextSeq(target) + 1 } : {}),
    timeline: timeline(target.timeline, events),
    revision: target.revision + 1,
  });
  // An OK may have come first for an alarm of an incident whose other alarms are all OK already.
  const settled = entry.state === 'OK' ? resolveIfAllOk(incident, nowIso) : incident;
  return {
    doc: withIncident({ ...doc, earlyOks }, settled),
    incident: settled,
    outcome: 'joined',
    notification,
    absorbed,
  };
}

/** `target` with the alarms, analyses, messages and cascade of `others` (one cascade after all). */
function mergeInto(target: Incident, others: readonly Incident[], nowIso: string): Incident {
  const all = [target, ...others];
  const analyses = keptAnalyses(all.flatMap((i) => i.analyses));
  const current = currentOf(analyses);
  const latest = (xs: (string | undefined)[]) =>
    xs
      .filter((x): x is string => x !== undefined)
      .reduce<string | undefined>((a, b) => (a === undefined || b > a ? b : a), undefined);
  const lastNotifiedAt = latest(all.map((i) => i.lastNotifiedAt));
  return bounded({
    ...target,
    openedAt: all.map((i) => i.openedAt).reduce((a, b) => (b < a ? b : a)),
    lastActivityAt: all.map((i) => i.lastActivityAt).reduce((a, b) => (b > a ? b : a)),
    alarms: keptAlarms(all.flatMap((i) => i.alarms)),
    alarmCount: all.reduce((n, i) => n + alarmCountOf(i), 0),
    analyses,
    currentAnalysisId: current?.analysisId ?? null,
    rootCause: current?.rootCause ?? null,
    ...(lastNotifiedAt !== undefined ? { lastNotifiedAt } : {}),
    reach: capped(all.flatMap((i) => i.reach)),
    near: capped(
      all.flatMap((i) => i.near),
      INCIDENT_LIMITS.near,
    ),
    notifications: all.flatMap((i) => i.notifications),
    messageCount: nextSeq(target),
    mergedFrom: [
      ...(target.mergedFrom ?? []),
      ...others.flatMap((o) => [o.incidentId, ...(o.mergedFrom ?? [])]),
    ],
    timeline: timeline(
      all.flatMap((i) => i.timeline),
      others.map((o) => line(nowIso, 'merged', `incident ${o.incidentId} is part of this cascade: merged`)),
    ),
    revision: Math.max(...all.map((i) => i.revision)) + 1,
  });
}

/** The final copy of an incident merged into `into`: its alarms and messages now live there. */
function closedAsMerged(incident: Incident, into: string, nowIso: string): Incident {
  return {
    ...incident,
    status: 'MERGED',
    mergedInto: into,
    alarms: [],
    alarmCount: 0,
    notifications: [],
    timeline: timeline(incident.timeline, [line(nowIso, 'merged', `merged into incident ${into}`)]),
    revision: incident.revision + 1,
  };
}

/** The incident holding `incidentId`'s alarms and messages: itself, or the one it was merged into. */
function holderOf(doc: OpenIncidents, incidentId: string): Incident | undefined {
  return doc.incidents.find(
    (i) =>
      i.status !== 'MERGED' && (i.incidentId === incidentId || (i.mergedFrom ?? []).includes(incidentId)),
  );
}

/**
 * The current analysis: a COMPLETED (or NO_DATA) one supersedes a FAILED one whatever their order,
 * never the reverse; among equals the latest alarm wins.
 */
export function currentOf(analyses: readonly IncidentAnalysis[]): IncidentAnalysis | undefined {
  let best: IncidentAnalysis | undefined;
  for (const a of analyses) {
    if (best === undefined) best = a;
    else {
      const rank = (x: IncidentAnalysis) => (x.status === 'FAILED' ? 0 : 1);
      if (rank(a) > rank(best) || (rank(a) === rank(best) && a.at >= best.at)) best = a;
    }
  }
  return best;
}

export interface Resolved {
  readonly doc: OpenIncidents;
  /** The incidents the alarm belongs to, after the change; none when no incident holds it (yet). */
  readonly incidents: readonly Incident[];
  /** The closing messages, for each incident this OK resolved. */
  readonly notifications: readonly IncidentNotification[];
}

/** An alarm back to OK. An incident resolves when every alarm it holds is OK. */
export function alarmOk(doc: OpenIncidents, ok: AlarmOk, now: Date, config: IncidentConfig): Resolved {
  const at = iso(ok.at);
  const nowIso = now.toISOString();
  const holders = doc.incidents.filter((i) =>
    i.alarms.some((a) => a.alarmKey === ok.alarmKey && a.firedAt <= at),
  );
  if (holders.length === 0) {
    // Its ALARM is still being analysed, or never reached us: remember the OK for a while.
    const horizon = now.getTime() - config.windowMinutes * MINUTE_MS * 4;
    const earlyOks = [
      ...doc.earlyOks.filter((o) => Date.parse(o.at) >= horizon && o.alarmKey !== ok.alarmKey),
      { alarmKey: ok.alarmKey, at },
    ].slice(-INCIDENT_LIMITS.alarms);
    return { doc: { ...doc, earlyOks }, incidents: [], notifications: [] };
  }
  let next = doc;
  const incidents: Incident[] = [];
  const notifications: IncidentNotification[] = [];
  for (const target of holders) {
    let changed = false;
    const alarms = target.alarms.map((a) => {
      if (a.alarmKey !== ok.alarmKey || a.state === 'OK' || a.firedAt > at) return a;
      changed = true;
      return { ...a, state: 'OK' as const, okAt: at };
    });
    if (!changed) {
      incidents.push(target);
      continue;
    }
    const name = target.alarms.find((a) => a.alarmKey === ok.alarmKey)?.alarmName ?? ok.alarmKey;
    const settled = resolveIfAllOk(
      {
        ...target,
        alarms,
        timeline: timeline(target.timeline, [line(at, 'ok', `${name} back to OK`)]),
        revision: target.revision + 1,
      },
      nowIso,
    );
    const closing = settled.status === 'RESOLVED' ? settled.notifications.at(-1) : undefined;
    if (closing !== undefined) notifications.push(closing);
    incidents.push(settled);
    next = withIncident(next, settled);
  }
  return { doc: next, incidents, notifications };
}

function resolveIfAllOk(incident: Incident, nowIso: string): Incident {
  if (incident.status !== 'OPEN' || incident.alarms.some((a) => a.state !== 'OK')) return incident;
  const resolvedAt = incident.alarms.map((a) => a.okAt ?? a.firedAt).reduce((x, y) => (y > x ? y : x));
  const notification = outboxEntry(incident.incidentId, nextSeq(incident), 'resolved', null, nowIso);
  return {
    ...incident,
    status: 'RESOLVED',
    resolvedAt,
    notifications: [...incident.notifications, notification],
    messageCount: nextSeq(incident) + 1,
    timeline: timeline(incident.timeline, [
      line(
        resolvedAt,
        'resolved',
        `every alarm back to OK; resolved after ${durationText(incident.openedAt, resolvedAt)}`,
      ),
    ]),
  };
}

/**
 * Ticks a message off the outbox. A resolved incident whose messages are all sent leaves the
 * document (its stored copy stays for the API); `removed` is that final copy.
 */
export function markSent(
  doc: OpenIncidents,
  incidentId: string,
  notificationId: string,
  messageId: string,
): { doc: OpenIncidents; incident: Incident | undefined; removed: boolean } {
  const target = holderOf(doc, incidentId);
  if (target === undefined) return { doc, incident: undefined, removed: false };
  const n = target.notifications.find((x) => x.id === notificationId);
  if (n === undefined || n.sent) return { doc, incident: target, removed: false };
  const incident: Incident = {
    ...target,
    notifications: keptNotifications(
      target.notifications.map((x) => (x.id === notificationId ? { ...x, sent: true, messageId } : x)),
    ),
    revision: target.revision + 1,
  };
  const done = incident.status !== 'OPEN' && incident.notifications.every((x) => x.sent);
  if (done) {
    return {
      doc: { ...doc, incidents: doc.incidents.filter((i) => i.incidentId !== target.incidentId) },
      incident,
      removed: true,
    };
  }
  return { doc: withIncident(doc, incident), incident, removed: false };
}

/**
 * Records that `channel` took a message that is not sent on every channel yet, so that a retry after
 * another channel failed does not deliver it there twice (`messageId`: SNS's id, kept for `markSent`).
 * A message already sent, or already delivered on `channel`, is left as it is.
 */
export function markDelivered(
  doc: OpenIncidents,
  incidentId: string,
  notificationId: string,
  channel: string,
  messageId?: string,
): { doc: OpenIncidents; incident: Incident | undefined } {
  const target = holderOf(doc, incidentId);
  if (target === undefined) return { doc, incident: undefined };
  const n = target.notifications.find((x) => x.id === notificationId);
  if (n === undefined || n.sent || (n.delivered ?? []).includes(channel)) return { doc, incident: target };
  const incident: Incident = {
    ...target,
    notifications: target.notifications.map((x) =>
      x.id === notificationId
        ? {
            ...x,
            delivered: [...(x.delivered ?? []), channel],
            ...(messageId !== undefined ? { messageId } : {}),
          }
        : x,
    ),
    revision: target.revision + 1,
  };
  return { doc: withIncident(doc, incident), incident };
}

/**
 * Open incidents idle for longer than `maxIdleHours` close as EXPIRED, without a message (their
 * alarms never cleared). A message still unsent stays in the outbox and is sent all the same.
 */
export function expireIdle(
  doc: OpenIncidents,
  now: Date,
  config: IncidentConfig,
): { doc: OpenIncidents; expired: Incident[] } {
  const limit = now.getTime() - config.maxIdleHours * 60 * MINUTE_MS;
  const expired: Incident[] = [];
  const incidents = doc.incidents.map((i) => {
    if (i.status !== 'OPEN' || Date.parse(i.lastActivityAt) >= limit) return i;
    const closed: Incident = {
      ...i,
      status: 'EXPIRED',
      timeline: timeline(i.timeline, [
        line(now.toISOString(), 'expired', `no activity for ${config.maxIdleHours} h; closed`),
      ]),
      revision: i.revision + 1,
    };
    expired.push(closed);
    return closed;
  });
  return expired.length === 0 ? { doc, expired } : { doc: { ...doc, incidents }, expired };
}

/**
 * Claims the oldest unsent message of an incident for `claimant`, so that two executions never
 * publish it both and messages go out in order: free, already this claimant's (its own retry), or
 * claimed longer than `leaseMs` ago (its sender died). A later message is never claimed while an
 * earlier one is unsent. Undefined when there is nothing this claimant may send now.
 */
export function claimNext(
  doc: OpenIncidents,
  incidentId: string,
  claimant: string,
  now: Date,
  leaseMs: number,
): { doc: OpenIncidents; incident: Incident | undefined; notification: IncidentNotification | undefined } {
  const target = holderOf(doc, incidentId);
  const oldest = target === undefined ? undefined : pendingNotifications(target)[0];
  const mine = oldest !== undefined && (oldest.claimedBy === claimant || isUnclaimed(oldest, now, leaseMs));
  if (target === undefined || oldest === undefined || !mine)
    return { doc, incident: target, notification: undefined };
  if (oldest.claimedBy === claimant) return { doc, incident: target, notification: oldest };
  const claimed: IncidentNotification = { ...oldest, claimedBy: claimant, claimedAt: now.toISOString() };
  const incident: Incident = {
    ...target,
    notifications: target.notifications.map((x) => (x.id === oldest.id ? claimed : x)),
    revision: target.revision + 1,
  };
  return { doc: withIncident(doc, incident), incident, notification: claimed };
}

/** Nobody holds the message: never claimed, or claimed longer than `leaseMs` ago (its sender died). */
function isUnclaimed(n: IncidentNotification, now: Date, leaseMs: number): boolean {
  return n.claimedBy === undefined || Date.parse(n.claimedAt ?? '') + leaseMs <= now.getTime();
}

export interface Sweepable {
  readonly incidentId: string;
  /** Its oldest message a sweeper may send now. */
  readonly oldest: IncidentNotification;
  /** How many of its messages a sweeper may send now. */
  readonly count: number;
}

/**
 * The incidents holding a message a sweeper may send now: their oldest unsent message, unclaimed or
 * claimed longer than `leaseMs` ago. A message within its lease is left to its sender (and the
 * messages after it wait for it). Oldest message first, so the longest wait ends first when a sweep
 * runs out of time.
 */
export function sweepableIncidents(doc: OpenIncidents, now: Date, leaseMs: number): Sweepable[] {
  const found: Sweepable[] = [];
  for (const incident of doc.incidents) {
    if (incident.status === 'MERGED') continue;
    const pending = pendingNotifications(incident);
    const oldest = pending[0];
    if (oldest !== undefined && isUnclaimed(oldest, now, leaseMs))
      found.push({ incidentId: incident.incidentId, oldest, count: pending.length });
  }
  return found.sort(
    (a, b) =>
      a.oldest.decidedAt.localeCompare(b.oldest.decidedAt) || a.incidentId.localeCompare(b.incidentId),
  );
}

/** Messages decided but not yet accepted by SNS, oldest first. */
export function pendingNotifications(incident: Incident): IncidentNotification[] {
  return incident.notifications.filter((n) => !n.sent);
}

export function describeKind(kind: NotificationKind): string {
  switch (kind) {
    case 'opened':
      return 'root cause';
    case 'root-cause-changed':
      return 'root cause changed';
    case 'update':
      return 'incident grew';
    case 'resolved':
      return 'resolution';
  }
}

/** "1 h 5 min", "12 min", "40 s". */
export function durationText(fromIso: string, toIso: string): string {
  const s = Math.max(0, Math.round((Date.parse(toIso) - Date.parse(fromIso)) / 1000));
  if (s < 60) return `${s} s`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

function rootCauseLabel(a: IncidentAnalysis): string | null {
  return a.status === 'FAILED' ? 'FAILED' : a.rootCause;
}

function analysisText(a: IncidentAnalysis): string {
  if (a.status === 'FAILED') return `analysis ${a.analysisId} failed${a.error ? `: ${a.error}` : ''}`;
  return `analysis ${a.analysisId}: ${a.rootCause === null ? 'no root cause' : `root cause ${a.rootCause}`}`;
}

function outboxEntry(
  incidentId: string,
  seq: number,
  kind: NotificationKind,
  analysisId: string | null,
  decidedAt: string,
): IncidentNotification {
  return { id: `${incidentId}#${seq}`, kind, analysisId, decidedAt, sent: false };
}

function withIncident(doc: OpenIncidents, incident: Incident): OpenIncidents {
  const exists = doc.incidents.some((i) => i.incidentId === incident.incidentId);
  return {
    ...doc,
    incidents: exists
      ? doc.incidents.map((i) => (i.incidentId === incident.incidentId ? incident : i))
      : [...doc.incidents, incident],
  };
}

function line(at: string, kind: TimelineEntry['kind'], text: string): TimelineEntry {
  return { at, kind, text };
}

function timeline(old: readonly TimelineEntry[], add: readonly TimelineEntry[]): TimelineEntry[] {
  return [...old, ...add].slice(-INCIDENT_LIMITS.timeline);
}

function capped(names: readonly string[], limit: number = INCIDENT_LIMITS.reach): string[] {
  return [...new Set(names)].sort().slice(0, limit);
}

/** The sequence number of the incident's next message: never reused, whatever was trimmed. */
function nextSeq(incident: Incident): number {
  return incident.messageCount ?? incident.notifications.length;
}

function alarmCountOf(incident: Incident): number {
  return incident.alarmCount ?? incident.alarms.length;
}

/** Every alarm still in ALARM, and the latest ones back to OK up to the limit; in their order. */
function keptAlarms(
  alarms: readonly IncidentAlarm[],
  limit: number = INCIDENT_LIMITS.alarms,
): IncidentAlarm[] {
  const firing = alarms.filter((a) => a.state === 'ALARM').length;
  let okRoom = Math.max(0, limit - firing);
  const kept: IncidentAlarm[] = [];
  for (let i = alarms.length - 1; i >= 0; i--) {
    const a = alarms[i] as IncidentAlarm;
    if (a.state === 'ALARM') kept.push(a);
    else if (okRoom > 0) {
      kept.push(a);
      okRoom--;
    }
  }
  return kept.reverse();
}

/** The current analysis and the latest others up to the limit; in their order. */
function keptAnalyses(
  analyses: readonly IncidentAnalysis[],
  limit: number = INCIDENT_LIMITS.analyses,
): IncidentAnalysis[] {
  const current = currentOf(analyses);
  const others = analyses.filter((a) => a !== current).slice(-Math.max(0, limit - 1));
  return analyses.filter((a) => a === current || others.includes(a));
}

/** Every unsent message, and the latest sent ones up to the limit; in their order. */
function keptNotifications(
  notifications: readonly IncidentNotification[],
  limit: number = INCIDENT_LIMITS.sentNotifications,
): IncidentNotification[] {
  const sent = notifications.filter((n) => n.sent).slice(-limit);
  return notifications.filter((n) => !n.sent || sent.includes(n));
}

/**
 * The incident within `MAX_INCIDENT_BYTES` of JSON: lists are cut, least needed first (timeline,
 * alarms back to OK, other analyses, sent messages, then the cascade's names), never an alarm in
 * ALARM nor an unsent message.
 */
export function bounded(incident: Incident, maxBytes: number = MAX_INCIDENT_BYTES): Incident {
  const encoder = new TextEncoder();
  const size = (i: Incident) => encoder.encode(JSON.stringify(i)).length;
  let fitted = incident;
  for (let round = 0; round < 60 && size(fitted) > maxBytes; round++) {
    const half = (n: number) => Math.floor(n / 2);
    const i = fitted;
    if (i.timeline.length > 10) fitted = { ...i, timeline: i.timeline.slice(-half(i.timeline.length)) };
    else if (i.alarms.some((a) => a.state === 'OK')) {
      const firing = i.alarms.filter((a) => a.state === 'ALARM').length;
      fitted = { ...i, alarms: keptAlarms(i.alarms, firing + half(i.alarms.length - firing)) };
    } else if (i.analyses.length > 1)
      fitted = { ...i, analyses: keptAnalyses(i.analyses, half(i.analyses.length)) };
    else if (i.notifications.some((n) => n.sent))
      fitted = {
        ...i,
        notifications: keptNotifications(i.notifications, half(i.notifications.filter((n) => n.sent).length)),
      };
    else if (i.near.length > 1) fitted = { ...i, near: i.near.slice(0, half(i.near.length)) };
    else if (i.reach.length > 1) fitted = { ...i, reach: i.reach.slice(0, half(i.reach.length)) };
    else break;
  }
  return fitted;
}

function iso(value: string): string {
  const ms = Date.parse(value);
  return Number.isNaN(ms) ? value : new Date(ms).toISOString();
}
