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

/** Longest lists kept per incident: enough for any storm a person can read, bounded for DynamoDB. */
export const INCIDENT_LIMITS = { reach: 500, timeline: 200, alarms: 300, analyses: 300 } as const;

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
  readonly lastActivityAt: string;
  readonly resolvedAt?: string;
  readonly alarms: readonly IncidentAlarm[];
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
  readonly timeline: readonly TimelineEntry[];
  /** Bumped on every change: the store writes the copy that is read by the API only forward. */
  readonly revision: number;
}

/** An alarm going back to OK. Kept in `earlyOks` when it arrives before its ALARM was attached. */
export interface AlarmOk {
  readonly alarmKey: string;
  readonly at: string;
}

/** Every incident not yet closed for good, in one document: the unit of the concurrency check. */
export interface OpenIncidents {
  readonly version: number;
  readonly incidents: readonly Incident[];
  /** OKs that arrived before their ALARM was attached (executions race); applied on attach. */
  readonly earlyOks: readonly AlarmOk[];
}

export const EMPTY_OPEN_INCIDENTS: OpenIncidents = { version: 0, incidents: [], earlyOks: [] };
