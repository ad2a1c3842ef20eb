// What travels between the workflow's states. Graph snapshots and findings travel by key
// (Step Functions passes at most 256 KB), so every payload here stays small at any graph size.

import { z } from 'zod';

const isoTime = z.iso.datetime({ offset: true });

export const WindowSchema = z.object({ start: isoTime, end: isoTime });
export type Window = z.infer<typeof WindowSchema>;

export const TriggerSchema = z.object({
  source: z.enum(['alarm', 'api', 'cli']),
  service: z.string().min(1).optional(),
  alarmName: z.string().min(1).optional(),
});

/** Prepare's output: one analysis to run. */
export const AnalysisRequestSchema = z.object({
  analysisId: z.string().min(1).max(128),
  service: z.string().min(1).max(256),
  trigger: TriggerSchema,
  window: WindowSchema,
  baseline: WindowSchema,
  /** X-Ray group to read the graph from (its filter expression limits the graph). */
  groupName: z.string().min(1).max(32).optional(),
});
export type AnalysisRequest = z.infer<typeof AnalysisRequestSchema>;

/** CollectGraph's output. */
export const CollectedSchema = AnalysisRequestSchema.extend({
  snapshotKey: z.string().min(1),
  serviceCount: z.number().int().nonnegative(),
});
export type Collected = z.infer<typeof CollectedSchema>;

/** Enrich's output: CloudWatch figures per service, small by construction (one number per metric). */
export const EnrichedSchema = CollectedSchema.extend({
  metrics: z.record(z.string(), z.object({ cpuPercent: z.number().optional() })),
});
export type Enriched = z.infer<typeof EnrichedSchema>;

/** Analyze's output: the finding is stored under `findingKey`; the key facts travel on. */
export const AnalyzedSchema = z.object({
  analysisId: z.string().min(1),
  service: z.string().min(1),
  findingKey: z.string().min(1),
  status: z.enum(['COMPLETED', 'NO_DATA', 'FAILED']),
  rootCause: z.string().nullable(),
});
export type Analyzed = z.infer<typeof AnalyzedSchema>;

/** What the Catch hands to RecordFailure: the original input and Step Functions' error. */
export const FailureSchema = z.object({
  input: z.unknown(),
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).passthrough(),
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
  idempotencyTable: 'IDEMPOTENCY_TABLE',
} as const;

/** One watched service as the stack passes it to the functions (`WATCHED_SERVICES`, a JSON list). */
export const WatchedServiceSchema = z.object({
  name: z.string().min(1),
  /** X-Ray group (created by the stack) whose filter expression selects this service's traces. */
  groupName: z.string().min(1).max(32).optional(),
  faultRate: z.number().min(0).max(1).optional(),
  p99Seconds: z.number().positive().optional(),
  /** A CloudWatch metric that tells how hot the service runs (e.g. ECS CPUUtilization). */
  cpuMetric: z
    .object({
      namespace: z.string().min(1),
      metricName: z.string().min(1),
      dimensions: z.record(z.string(), z.string()),
    })
    .optional(),
});
export type WatchedService = z.infer<typeof WatchedServiceSchema>;
export const WatchedServicesSchema = z.array(WatchedServiceSchema);
