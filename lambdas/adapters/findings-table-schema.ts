// The findings table's key names, index and TTL attribute, shared by the CDK construct, the
// repository and the tests so that they cannot drift apart. No AWS SDK import: lib/ imports this.

import type { Finding } from '../core/model.ts';

export const FINDINGS_TABLE_SCHEMA = {
  /** `ANALYSIS#<analysisId>`: one item per analysis, ever (conditional put). */
  partitionKey: { name: 'pk', type: 'S' },
  byServiceIndex: {
    name: 'byService',
    partitionKey: { name: 'service', type: 'S' },
    /** ISO-8601 time + `#` + analysisId: time-ordered and unique. */
    sortKey: { name: 'at', type: 'S' },
    /** Projection INCLUDE: what a list shows, so that the Finding JSON never lands in the index. */
    nonKeyAttributes: ['analysisId', 'status', 'rootCause', 'systemHealth', 'summary'],
  },
  /**
   * Incidents by alarmed service, newest first: one small index row per (incident, service),
   * so that the incident items themselves never land in an index.
   */
  incidentsIndex: {
    name: 'incidentsByService',
    partitionKey: { name: 'incidentService', type: 'S' },
    /** ISO-8601 opening time + `#` + incidentId. */
    sortKey: { name: 'incidentAt', type: 'S' },
    nonKeyAttributes: ['incidentId', 'status', 'rootCause', 'openedAt', 'lastActivityAt', 'alarmCount'],
  },
  /**
   * What the outbox sweeper visits, sparse: an incident while it is open or holds an unsent message
   * (`INCIDENT`), and a finding no alarm started until its message is sent (`API`). An item leaves
   * the index when the attribute is removed, so the index only ever holds work.
   */
  sweepIndex: {
    name: 'sweep',
    partitionKey: { name: 'sweepKind', type: 'S' },
    /** ISO-8601 time (an incident's last activity, a finding's storing) + `#` + its id. */
    sortKey: { name: 'sweepAt', type: 'S' },
    nonKeyAttributes: [
      'incidentId',
      'analysisId',
      'status',
      'lastActivityAt',
      'pendingAt',
      'pendingClaimedAt',
    ],
  },
  /**
   * Issue 21, sparse: a finding that named a root cause under `CAUSE#<service>` (past incidents by
   * root cause, for "seen before"), and every verdict record under `FEEDBACK` (live accuracy by time).
   */
  historyIndex: {
    name: 'history',
    partitionKey: { name: 'historyKey', type: 'S' },
    /** ISO-8601 time of the finding + `#` + analysisId. */
    sortKey: { name: 'historyAt', type: 'S' },
    nonKeyAttributes: ['analysisId', 'service', 'rootCause', 'feedback'],
  },
  /** Epoch seconds (N). */
  ttlAttribute: 'expiresAt',
} as const;

export const INCIDENT_KEY_PREFIX = 'INCIDENT#';

/** The values of the sweep index's partition key. */
export const SWEEP_KINDS = { incident: 'INCIDENT', api: 'API' } as const;

/**
 * The open incidents near a service (their ids), with a `version`: the index an alarm's incident is
 * found through, read consistently, and the unit of the concurrency check (incidents-writer.ts).
 */
export function nearServiceKey(service: string): string {
  return `OPEN_NEAR#${service}`;
}

/** One alarm (ARN or name): the incidents holding it in ALARM, and an OK that came before its ALARM. */
export function alarmStateKey(alarmKey: string): string {
  return `ALARM_STATE#${alarmKey}`;
}

export function incidentKey(incidentId: string): string {
  return `${INCIDENT_KEY_PREFIX}${incidentId}`;
}

/** Which incident an analysis belongs to (`incidentId`), for the report's link. */
export function analysisIncidentKey(analysisId: string): string {
  return `ANALYSIS_INCIDENT#${analysisId}`;
}

/** The index row of an incident under one of its services. */
export function incidentServiceKey(incidentId: string, service: string): string {
  return `${INCIDENT_KEY_PREFIX}${incidentId}#SERVICE#${service}`;
}

export const ANALYSIS_KEY_PREFIX = 'ANALYSIS#';

/** The verdicts on one finding (issue 21): `FEEDBACK#<analysisId>`. */
export function feedbackKey(analysisId: string): string {
  return `FEEDBACK#${analysisId}`;
}

/** The history index's partitions: verdict records, and findings by their first root cause. */
export const HISTORY_FEEDBACK = 'FEEDBACK';
export function historyCauseKey(service: string): string {
  return `CAUSE#${service}`;
}

export function analysisKey(analysisId: string): string {
  return `${ANALYSIS_KEY_PREFIX}${analysisId}`;
}

/** The `at` sort key: the ISO time first so that the index sorts by time, the id for uniqueness. */
export function byServiceSortKey(atIso: string, analysisId: string): string {
  return `${atIso}#${analysisId}`;
}

/**
 * The service a finding is filed under (index partition key, SNS attribute): the alarmed or
 * requested service, else the top root cause, else `unknown`.
 */
export function findingService(finding: Finding): string {
  return finding.trigger.service ?? finding.rootCauses[0]?.service ?? 'unknown';
}

/** The time a finding is filed at (`at`): its window's end, else when it was stored. */
export function findingTime(finding: Finding, now: Date): string {
  const ms = finding.window?.end ? Date.parse(finding.window.end) : Number.NaN;
  return Number.isNaN(ms) ? (finding.window?.end ?? now.toISOString()) : new Date(ms).toISOString();
}
