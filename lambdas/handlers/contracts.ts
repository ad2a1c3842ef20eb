// What travels between the workflow's states. Graph snapshots and findings travel by key
// (Step Functions passes at most 256 KB), so every payload here stays small at any graph size.

import * as z from './zod.ts';

const isoTime = z.iso.datetime({ offset: true });

/** A string of 1 to `max` characters. */
function nonEmpty(max?: number) {
  return max === undefined
    ? z.string().check(z.minLength(1))
    : z.string().check(z.minLength(1), z.maxLength(max));
}

export const WindowSchema = z.object({ start: isoTime, end: isoTime });
export type Window = z.infer<typeof WindowSchema>;

export const TriggerSchema = z.object({
  source: z.enum(['alarm', 'api', 'cli']),
  service: z.optional(nonEmpty()),
  alarmName: z.optional(nonEmpty()),
});

/** The alarm behind an alarm-driven analysis: what the incident records and an OK event names. */
export const AlarmRefSchema = z.object({
  /** The alarm's ARN, or its name when EventBridge gave no ARN. */
  key: nonEmpty(),
  name: nonEmpty(),
  /** ISO-8601: when it went to ALARM. */
  firedAt: isoTime,
});
export type AlarmRef = z.infer<typeof AlarmRefSchema>;

/** Prepare's output: one analysis to run. */
export const AnalysisRequestSchema = z.object({
  analysisId: nonEmpty(128),
  service: nonEmpty(256),
  trigger: TriggerSchema,
  window: WindowSchema,
  baseline: WindowSchema,
  /** X-Ray group to read the graph from (its filter expression limits the graph). */
  groupName: z.optional(nonEmpty(32)),
  /** Present when an alarm started the analysis: the analysis then joins an incident. */
  alarm: z.optional(AlarmRefSchema),
});
export type AnalysisRequest = z.infer<typeof AnalysisRequestSchema>;

/** CollectGraph's output; CollectEvidence adds `evidenceKey` when it stored any evidence. */
export const CollectedSchema = z.extend(AnalysisRequestSchema, {
  snapshotKey: nonEmpty(),
  serviceCount: z.int().check(z.nonnegative()),
  evidenceKey: z.optional(nonEmpty()),
});
export type Collected = z.infer<typeof CollectedSchema>;

/** Enrich's output: CloudWatch figures per service, small by construction (one number per metric). */
export const EnrichedSchema = z.extend(CollectedSchema, {
  metrics: z.record(z.string(), z.object({ cpuPercent: z.optional(z.number()) })),
});
export type Enriched = z.infer<typeof EnrichedSchema>;

/** Analyze's output: the finding is stored under `findingKey`; the key facts travel on. */
export const AnalyzedSchema = z.object({
  analysisId: nonEmpty(),
  service: nonEmpty(),
  findingKey: nonEmpty(),
  status: z.enum(['COMPLETED', 'NO_DATA', 'FAILED']),
  rootCause: z.nullable(z.string()),
  alarm: z.optional(AlarmRefSchema),
});
export type Analyzed = z.infer<typeof AnalyzedSchema>;

/** Store's output: Analyze's, plus whether this put created the finding or found it already stored. */
export const StoredSchema = z.extend(AnalyzedSchema, { stored: z.enum(['created', 'superseded', 'exists']) });
export type Stored = z.infer<typeof StoredSchema>;

/** What Correlate adds: the incident this analysis joined (null for analyses no alarm started). */
export const IncidentRefSchema = z.object({
  incidentId: nonEmpty(),
  outcome: z.enum(['opened', 'joined', 'duplicate']),
  /**
   * Who sends the incident's outbox in this execution: Notify's retries reuse it, so they go on
   * with a message this execution claimed; another execution (a duplicate delivery) has its own.
   */
  claimToken: nonEmpty(),
});
export const CorrelatedSchema = z.extend(StoredSchema, { incident: z.nullable(IncidentRefSchema) });
export type Correlated = z.infer<typeof CorrelatedSchema>;

/** ResolveAlarm's output: the incident the alarm belongs to, whose outbox Notify then sends. */
export const ResolutionSchema = z.object({
  alarmKey: nonEmpty(),
  claimToken: nonEmpty(),
  /** Every incident holding the alarm (usually one). */
  incidents: z.array(
    z.object({ incidentId: nonEmpty(), status: z.enum(['OPEN', 'RESOLVED', 'EXPIRED', 'MERGED']) }),
  ),
});
export type Resolution = z.infer<typeof ResolutionSchema>;

/** Notify's output: `messageId` is null when Store found the finding already stored (a duplicate event). */
export const NotifiedSchema = z.object({
  analysisId: z.nullable(nonEmpty()),
  messageId: z.nullable(z.string()),
  /** The incident whose outbox this call sent, and the messages it sent, by notification id. */
  incidentId: z.optional(z.string()),
  incidentMessages: z.optional(z.array(z.string())),
});
export type Notified = z.infer<typeof NotifiedSchema>;

/** Analysis ids travel in S3 keys, URLs and execution names: letters, digits and `._:-` only. */
export const AnalysisIdSchema = z
  .string()
  .check(
    z.regex(
      /^[A-Za-z0-9][A-Za-z0-9._:-]{0,79}$/,
      'must be 1–80 letters, digits or ._:- starting with a letter or digit',
    ),
  );

/** The execution input the API starts the workflow with (Prepare's other input besides an alarm event). */
export const ApiAnalysisInputSchema = z.object({
  source: z.literal('api'),
  analysisId: AnalysisIdSchema,
  service: nonEmpty(256),
  window: z.optional(
    WindowSchema.check(z.refine((w) => Date.parse(w.start) < Date.parse(w.end), 'start must be before end')),
  ),
});
export type ApiAnalysisInput = z.infer<typeof ApiAnalysisInputSchema>;

/** Where the large documents of one analysis live in the snapshot store (the IAM grants use these prefixes). */
export const snapshotKeyFor = (analysisId: string): string => `snapshots/${analysisId}.json`;
export const findingKeyFor = (analysisId: string): string => `findings/${analysisId}.json`;
export const evidenceKeyFor = (analysisId: string): string => `evidence/${analysisId}.json`;
/** API-relative path of a finding's HTML report. */
export const reportPathFor = (analysisId: string): string =>
  `/analyses/${encodeURIComponent(analysisId)}/report`;

/** What the Catch hands to RecordFailure: the original input and Step Functions' error. */
export const FailureSchema = z.object({
  input: z.unknown(),
  /** `$$.Execution.Id`: RecordFailure's claim on an incident message, kept across its retries. */
  executionId: z.optional(nonEmpty()),
  error: z.looseObject({ Error: z.optional(z.string()), Cause: z.optional(z.string()) }),
});
export type Failure = z.infer<typeof FailureSchema>;

/** Environment variables the functions read at cold start. */
export const ENV = {
  findingsTable: 'FINDINGS_TABLE',
  snapshotBucket: 'SNAPSHOT_BUCKET',
  topicArn: 'TOPIC_ARN',
  stateMachineArn: 'STATE_MACHINE_ARN',
  /** JSON: the watched services (name, groupName, thresholds, cpu metric). */
  watchedServices: 'WATCHED_SERVICES',
  lookbackMinutes: 'LOOKBACK_MINUTES',
  baselineMinutes: 'BASELINE_MINUTES',
  retentionDays: 'FINDINGS_RETENTION_DAYS',
  /** Prefix of the analyzer's own alarm names (`alarmNameFor`); optional, default `cascade-analyzer`. */
  alarmPrefix: 'ALARM_PREFIX',
  /**
   * `true` adds an AWS Chatbot custom notification to each finding published (notify,
   * record-failure); optional, default `false`. Set from the CDK context key `chatbotNotifications`.
   */
  chatbotNotifications: 'CHATBOT_NOTIFICATIONS',
  /** Incidents (all optional; defaults in lambdas/core/incidents/model.ts): join window in minutes… */
  incidentWindowMinutes: 'INCIDENT_WINDOW_MINUTES',
  /** …hops in the graph that still count as related… */
  incidentHops: 'INCIDENT_HOPS',
  /** …minutes between two "incident grew" updates… */
  incidentUpdateMinutes: 'INCIDENT_UPDATE_MINUTES',
  /** …and hours an open incident may stay idle before it is closed without a message. */
  incidentMaxIdleHours: 'INCIDENT_MAX_IDLE_HOURS',
  /** JSON list of {principal, services}: which services each API caller may see; optional, default all. */
  apiAccess: 'API_ACCESS',
  /** Minutes before the incident window's start to read CloudTrail change events from (0: none). */
  changeLookbackMinutes: 'CHANGE_LOOKBACK_MINUTES',
  /** `true`/`false`: read X-Ray trace summaries (CollectEvidence); optional, default `true`. */
  traceEvidence: 'TRACE_EVIDENCE',
  /** JSON: resource names or ARNs → graph service names, for change events (cdk.json `changeServiceMapping`). */
  changeServiceMapping: 'CHANGE_SERVICE_MAPPING',
  /** JSON: where incident messages are paged and the secrets that hold the keys (handlers/paging-settings.ts); optional. */
  paging: 'PAGING',
  /** The incident dashboard's name (lib/constructs/incident-console.ts): messages link to it; optional. */
  incidentDashboard: 'INCIDENT_DASHBOARD',
} as const;

/** One watched service as the stack passes it to the functions (`WATCHED_SERVICES`, a JSON list). */
export const WatchedServiceSchema = z.object({
  name: nonEmpty(),
  /** X-Ray group (created by the stack) whose filter expression selects this service's traces. */
  groupName: z.optional(nonEmpty(32)),
  /** Names of the CloudWatch alarms watching this service (the stack's own alarms). */
  alarmNames: z.optional(z.array(nonEmpty())),
  faultRate: z.optional(z.number().check(z.gte(0), z.lte(1))),
  p99Seconds: z.optional(z.number().check(z.positive())),
  /** A CloudWatch metric that tells how hot the service runs (e.g. ECS CPUUtilization). */
  cpuMetric: z.optional(
    z.object({
      namespace: nonEmpty(),
      metricName: nonEmpty(),
      dimensions: z.record(z.string(), z.string()),
    }),
  ),
});
export type WatchedService = z.infer<typeof WatchedServiceSchema>;
export const WatchedServicesSchema = z.array(WatchedServiceSchema);
