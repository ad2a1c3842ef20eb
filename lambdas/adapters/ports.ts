// The small interfaces the handlers use for AWS I/O. Each has one adapter over the AWS SDK
// (in this folder) and the handlers never construct SDK clients themselves.

import type { Finding } from '../core/model.ts';
import type { IncidentNote } from '../report/incident-text.ts';
import type { SnsMessage } from '../report/sns-message.ts';

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

/** What a bounded read of evidence covered: the calls made and whether a bound cut it short. */
export interface ReadCoverage {
  readonly calls: number;
  /** True when a page, trace or time bound stopped the read before the data ran out. */
  readonly truncated: boolean;
}

/**
 * GetTraceSummaries for the alarmed service's faulty, then slow, traces: a JSON document the
 * engine's parser reads (`parseTraceSummaries`), each summary trimmed to what the analysis uses.
 */
export interface TraceSummaryDocument extends ReadCoverage {
  readonly TraceSummaries: readonly Readonly<Record<string, unknown>>[];
  readonly TracesProcessedCount: number;
}

export interface TraceQuery {
  readonly range: TimeRange;
  /** The alarmed service, as X-Ray names it. */
  readonly service: string;
  /** Also read traces slower than this many seconds at the service (the p99 threshold). */
  readonly slowerThanSeconds?: number;
}

/** X-Ray traces: summaries over a window (bounded), and full traces by id (BatchGetTraces). */
export interface TraceSource {
  getTraceSummaries(query: TraceQuery): Promise<TraceSummaryDocument>;
  /** A BatchGetTraces response (`{Traces}`) for at most 5 ids. */
  getTraces(traceIds: readonly string[]): Promise<{ readonly Traces: readonly unknown[] }>;
}

/** CloudTrail LookupEvents for the change events of CHANGE_EVENTS, a JSON document `parseLookupEvents` reads. */
export interface ChangeDocument extends ReadCoverage {
  readonly Events: readonly Readonly<Record<string, unknown>>[];
}

export interface ChangeSource {
  lookupChanges(range: TimeRange): Promise<ChangeDocument>;
}

/** Large documents (graph snapshots, full findings) kept out of state payloads, by key. */
export interface SnapshotStore extends SnapshotReader, SnapshotWriter {}

/** The half of a SnapshotStore that reads. */
export interface SnapshotReader {
  /** Throws `NotFoundError` when the key does not exist. */
  get(key: string): Promise<string>;
}

/** The half of a SnapshotStore that writes. */
export interface SnapshotWriter {
  put(key: string, body: string): Promise<void>;
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

/** DynamoDB: one finding per analysisId (conditional put), with its outbox flag. */
export interface FindingsRepository extends FindingsWriter, FindingsReader, FindingsOutbox {}

/** The half of a FindingsRepository that stores. */
export interface FindingsWriter {
  put(finding: Finding): Promise<PutOutcome>;
}

/** One stored finding by id (GetItem only). */
export interface FindingLookup {
  get(analysisId: string): Promise<Finding | undefined>;
}

/** The half of a FindingsRepository that reads. */
export interface FindingsReader extends FindingLookup {
  listByService(query: ListQuery): Promise<FindingPage>;
}

/** The outbox flag of a finding no alarm started (an alarm's goes through its incident). */
export interface FindingsOutbox {
  isNotified(analysisId: string): Promise<boolean>;
  /** Sets the flag once; false when it was set already. */
  markNotified(analysisId: string, messageId: string): Promise<boolean>;
}

/** SNS: a readable summary plus the finding's key facts as message attributes. */
export interface Notifier {
  /** With `note`, the message is the incident's: its subject, a preface and incident attributes. */
  publish(finding: Finding, reportPath: string, note?: IncidentNote): Promise<{ messageId: string }>;
}

/** SNS: delivers a message rendered by lambdas/report/sns-message.ts, as it is. */
export interface MessagePublisher {
  send(message: SnsMessage): Promise<{ messageId: string }>;
}

export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
}

/** The bad `next` token or query a caller sent; safe to show them. */
export class BadRequestError extends Error {
  override readonly name = 'BadRequestError';
}

/** Where incident messages go besides SNS: a pager (PagerDuty Events API v2) or a signed webhook. */
export type PageChannel = 'pagerduty' | 'webhook';

/** One rendered page, ready to deliver (lambdas/report/pages.ts renders it). */
export interface Page {
  /** The incident message's id (`<incidentId>#<seq>`): the same on every retry. */
  readonly id: string;
  /** The watched service whose route applies (PagerDuty routing per service); undefined: the default. */
  readonly route: string | undefined;
  /** PagerDuty: the events (routing key left out); webhook: one document. */
  readonly documents: readonly object[];
}

/**
 * `accepted`: the receiver took every document. `rejected`: it refused one for good (a 4xx other
 * than 408 and 429, or no route for the service): retrying cannot help, so the message is not held.
 */
export interface PageReceipt {
  readonly outcome: 'accepted' | 'rejected';
  readonly detail: string;
}

/** Delivers pages; throws when the receiver may take the page later (5xx, 429, network, timeout). */
export interface Pager {
  readonly channel: PageChannel;
  deliver(page: Page): Promise<PageReceipt>;
}

/** A secret's current value by name or ARN (Secrets Manager), read when first needed. */
export interface SecretSource {
  get(secretId: string): Promise<string>;
}
