// The incident: the unit an on-call engineer works on (docs/analysis.md, "Incidents"). Alarms
// of one cascade join one incident; it holds their analyses, its notifications and a timeline.
// Plain data, so that the same shape is stored, served by the API and reduced by pure functions.

import type { FindingStatus } from '../model.ts';

export interface IncidentConfig {
  /** An alarm joins an incident only when it fires within this many minutes of its last activity. */
  readonly windowMinutes: number;
  /** An alarm on a service within this many hops (either direction) of an alarmed service joins. */
  readonly hops: number;
  /** At most one "incident grew" update per this many minutes. */
  readonly updateIntervalMinutes: number;
  /** An open incident with no activity for this many hours is closed without a message. */
  readonly maxIdleHours: number;
}

export const DEFAULT_INCIDENT_CONFIG: IncidentConfig = {
  windowMinutes: 15,
  hops: 1,
  updateIntervalMinutes: 30,
  maxIdleHours: 24,
};

/**
 * How long a sender's claim on an outbox message holds before another sender may take it over:
 * longer than any sending function may run (Lambda timeouts of 30 s, the sweeper's 60 s), so a
 * live sender never loses its claim.
 */
export const CLAIM_LEASE_MS = 120_000;

/**
 * Longest lists kept in an incident: enough for any storm a person can read, bounded for its one
 * DynamoDB item. Alarms still in ALARM and messages not yet sent are never dropped; past the limit
 * the oldest alarms back to OK, analyses other than the current one and sent messages go (each
 * alarm's membership stays in its own item, and `alarmCount` counts them all).
 */
export const INCIDENT_LIMITS = {
  reach: 150,
  near: 150,
  timeline: 100,
  alarms: 100,
  analyses: 40,
  sentNotifications: 20,
} as const;

/** The incident's JSON stays under this many UTF-8 bytes, so that its item stays under 100 KB. */
export const MAX_INCIDENT_BYTES = 90 * 1024;

export type AlarmState = 'ALARM' | 'OK';

export interface IncidentAlarm {
  /** The alarm state change's analysis id (unique per alarm going to ALARM). */
  readonly analysisId: string;
  /** The alarm's ARN, or its name when EventBridge gave no ARN: what an OK event names. */
  readonly alarmKey: string;
  readonly alarmName: string;
  readonly service: string;
  /** ISO-8601: when it went to ALARM. */
  readonly firedAt: string;
  readonly state: AlarmState;
  readonly okAt?: string;
}

export interface IncidentAnalysis {
  readonly analysisId: string;
  readonly status: FindingStatus;
  readonly rootCause: string | null;
  /** ISO-8601: when its alarm fired (analyses are ordered by it, not by when they finished). */
  readonly at: string;
  /** Error class and safe message of a FAILED analysis. */
  readonly error?: string;
}

export type NotificationKind = 'opened' | 'root-cause-changed' | 'update' | 'resolved';

export interface IncidentNotification {
  /** `<incidentId>#<seq>`: stable across retries, sent as an attribute so subscribers can dedupe. */
  readonly id: string;
  readonly kind: NotificationKind;
  /** The analysis it reports (the incident's current one when it was decided); null for `resolved`. */
  readonly analysisId: string | null;
  readonly decidedAt: string;
  /** The outbox flag: false until SNS accepted it. */
  readonly sent: boolean;
  /** Who is sending it (one execution at a time) and since when: a stale claim may be taken over. */
  readonly claimedBy?: string;
  readonly claimedAt?: string;
  readonly messageId?: string;
  /**
   * The channels that took it before it was sent on every one (`sns`, `pagerduty`, `webhook`): a
   * retry after a channel failed delivers only to the channels still missing it.
   */
  readonly delivered?: readonly string[];
}

export interface TimelineEntry {
  readonly at: string;
  readonly kind: 'alarm' | 'ok' | 'analysis' | 'notification' | 'resolved' | 'expired' | 'merged';
  readonly text: string;
}

export interface Incident {
  readonly incidentId: string;
  /** MERGED: a later analysis showed it was part of another incident's cascade; see `mergedInto`. */
  readonly status: 'OPEN' | 'RESOLVED' | 'EXPIRED' | 'MERGED';
  readonly mergedInto?: string;
  /** Incidents merged into this one (their messages, alarms and analyses are now this one's). */
  readonly mergedFrom?: readonly string[];
  readonly openedAt: string;
  /** The service of the alarm that opened it: what routes its pages, stable whatever joins later. */
  readonly openedOn?: string;
  readonly lastActivityAt: string;
  readonly resolvedAt?: string;
  readonly alarms: readonly IncidentAlarm[];
  /** Every alarm that ever joined, including those no longer listed in `alarms` (undefined: `alarms.length`). */
  readonly alarmCount?: number;
  readonly analyses: readonly IncidentAnalysis[];
  /** The current analysis: COMPLETED beats FAILED, then the latest alarm. */
  readonly currentAnalysisId: string | null;
  readonly rootCause: string | null;
  /** The root cause (or FAILED) the last root-cause message told; undefined before the first. */
  readonly notifiedRootCause?: string | null;
  /** When the last opened / root-cause-changed / update message was decided. */
  readonly lastNotifiedAt?: string;
  /** Services of the cascade so far: origins, propagators, affected, at risk, paths, alarmed ones. */
  readonly reach: readonly string[];
  /** Services within the configured hops of the alarmed ones (from the graphs of their analyses). */
  readonly near: readonly string[];
  readonly notifications: readonly IncidentNotification[];
  /** Messages this incident ever decided: the next one's sequence number (undefined: `notifications.length`). */
  readonly messageCount?: number;
  readonly timeline: readonly TimelineEntry[];
  /** Bumped on every change: the store writes the copy that is read by the API only forward. */
  readonly revision: number;
}

/** An alarm going back to OK. Kept in `earlyOks` when it arrives before its ALARM was attached. */
export interface AlarmOk {
  readonly alarmKey: string;
  readonly at: string;
}

/**
 * The incidents one change involves, as the store read them: for an alarm, the open incidents near
 * its services and the one already holding it; for an OK, those holding the alarm; else one incident.
 * The reducers read and return it; the store writes back what they changed, conditionally.
 */
export interface OpenIncidents {
  readonly version: number;
  readonly incidents: readonly Incident[];
  /** OKs that arrived before their ALARM was attached (executions race); applied on attach. */
  readonly earlyOks: readonly AlarmOk[];
  /** Analyses already attached, and the incident holding each (the store's membership records). */
  readonly attached?: Readonly<Record<string, string>>;
}

export const EMPTY_OPEN_INCIDENTS: OpenIncidents = { version: 0, incidents: [], earlyOks: [] };
