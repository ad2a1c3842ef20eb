// The small interfaces the handlers use for AWS I/O. Each has one adapter over the AWS SDK
// (in this folder) and the handlers never construct SDK clients themselves.

import type { Finding } from '../core/model.ts';
import type { IncidentNote } from '../report/incident-text.ts';

export interface TimeRange {
  readonly start: Date;
  readonly end: Date;
}

/**
 * A GetServiceGraph result with every page merged: the JSON the engine's parser reads
 * (`{StartTime, EndTime, Services, ContainsOldGroupVersions}`), timestamps as ISO-8601 strings.
 */
export interface ServiceGraphDocument {
  readonly StartTime?: string;
  readonly EndTime?: string;
  readonly ContainsOldGroupVersions?: boolean;
  readonly Services: readonly unknown[];
}

/** X-Ray GetServiceGraph over a window: every page, retried on throttling. */
export interface GraphSource {
  getServiceGraph(range: TimeRange, groupName?: string): Promise<ServiceGraphDocument>;
}

/** One CloudWatch metric to read for a service (e.g. CPUUtilization of its ECS service). */
export interface MetricQuery {
  /** Caller's id for the result; [a-z][a-zA-Z0-9_]* as GetMetricData requires. */
  readonly id: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** Average, Maximum, Sum… */
  readonly stat: string;
  readonly periodSeconds: number;
}

export interface MetricResult {
  readonly id: string;
  /** Datapoints oldest first. */
  readonly timestamps: readonly Date[];
  readonly values: readonly number[];
}

/** CloudWatch GetMetricData, batched within the API's limit of 500 queries per call. */
export interface MetricsSource {
  getMetrics(queries: readonly MetricQuery[], range: TimeRange): Promise<MetricResult[]>;
}

/** Large documents (graph snapshots, full findings) kept out of state payloads, by key. */
export interface SnapshotStore {
  put(key: string, body: string): Promise<void>;
  /** Throws `NotFoundError` when the key does not exist. */
  get(key: string): Promise<string>;
}

/** What a list of findings shows per item, without the whole Finding. */
export interface FindingSummary {
  readonly analysisId: string;
  readonly service: string;
  readonly status: Finding['status'];
  /** ISO-8601: the incident window's end, or when the analysis ran when there is no window. */
  readonly at: string;
  readonly rootCause: string | null;
  readonly systemHealth: number;
  readonly summary: string;
}

export interface FindingPage {
  readonly items: readonly FindingSummary[];
  /** Opaque; pass back as `next` for the following page. */
  readonly next?: string;
}

export interface ListQuery {
  readonly service: string;
  /** ISO-8601 bounds on `at`, inclusive. */
  readonly from?: string;
  readonly to?: string;
  readonly limit: number;
  readonly next?: string;
}

/**
 * `created` the first time; `superseded` when a result (COMPLETED, NO_DATA) replaced a stored FAILED
 * finding; `exists` when a finding with this id is already stored and stays (a result, or FAILED
 * over FAILED).
 */
export type PutOutcome = 'created' | 'superseded' | 'exists';

/** DynamoDB: one finding per analysisId (conditional put). */
export interface FindingsRepository {
  put(finding: Finding): Promise<PutOutcome>;
  get(analysisId: string): Promise<Finding | undefined>;
  listByService(query: ListQuery): Promise<FindingPage>;
  /** The outbox flag of a finding no alarm started (an alarm's goes through its incident). */
  isNotified(analysisId: string): Promise<boolean>;
  /** Sets the flag once; false when it was set already. */
  markNotified(analysisId: string, messageId: string): Promise<boolean>;
}

/** SNS: a readable summary plus the finding's key facts as message attributes. */
export interface Notifier {
  /** With `note`, the message is the incident's: its subject, a preface and incident attributes. */
  publish(finding: Finding, reportPath: string, note?: IncidentNote): Promise<{ messageId: string }>;
}

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** The bad `next` token or query a caller sent; safe to show them. */
export class BadRequestError extends Error {
  override readonly name = 'BadRequestError';
}
