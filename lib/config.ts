// Typed, validated configuration of the stack, read from cdk.json context (each key can be
// overridden on the command line with `-c key=value`). A bad value fails synth naming the key.

import { z } from 'zod';
import { ConfigError } from './config-error.ts';

const serviceName = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[^"\\]+$/, 'must not contain quotes or backslashes (it goes into X-Ray filter expressions)');

export const WatchedServiceConfigSchema = z.strictObject({
  /** The X-Ray service name (as on the service map). */
  name: serviceName,
  /** Extra X-Ray filter expression ANDed with `service("name")`, e.g. `annotation.env = "prod"`. */
  filterExpression: z.string().min(1).max(1900).optional(),
  /** Fault (5xx) share of traces above which the service's alarm fires. */
  faultRate: z.number().gt(0).max(1).default(0.05),
  /** The alarm fires when more than 1 % of traces take longer than this (p99 above it). */
  p99Seconds: z.number().positive().max(3600).default(1),
  /** Traces per minute below which the alarms stay quiet (too little traffic to judge). */
  minTracesPerMinute: z.number().int().nonnegative().default(10),
  /** A CloudWatch metric telling how hot the service runs, read by the Enrich step. */
  cpuMetric: z
    .strictObject({
      namespace: z.string().min(1),
      metricName: z.string().min(1),
      dimensions: z.record(z.string(), z.string()),
    })
    .optional(),
});

/** A Secrets Manager secret by name, or by its full ARN. */
const secretRef = z
  .string()
  .min(1)
  .max(2048)
  .regex(/^(arn:[a-z-]+:secretsmanager:.+|[A-Za-z0-9/_+=.@-]+)$/, 'must be a secret name or ARN');

export const PagingConfigSchema = z.strictObject({
  /** PagerDuty Events API v2: the secret holding the routing key, and one per watched service. */
  pagerDuty: z
    .strictObject({
      routingKeySecret: secretRef.optional(),
      services: z.record(serviceName, secretRef).optional(),
      url: z.url({ protocol: /^https$/ }).optional(),
    })
    .optional(),
  /** The signed webhook: an https URL and the secret holding the signing key. */
  webhook: z.strictObject({ url: z.url({ protocol: /^https$/ }), secret: secretRef }).optional(),
  /** Where a person opens an incident, `{incidentId}` replaced. */
  incidentUrl: z.url({ protocol: /^https?$/ }).optional(),
});

export const ConfigSchema = z.strictObject({
  watchedServices: z.array(WatchedServiceConfigSchema).max(50),
  /** Existing CloudWatch alarms to react to, by name prefix… */
  alarmNamePrefixes: z.array(z.string().min(1).max(255)),
  /** …or by exact name. */
  alarmNames: z.array(z.string().min(1).max(255)),
  notificationEmails: z.array(z.email()),
  /** Length of the incident window that ends when the alarm fires. */
  lookbackMinutes: z.number().int().min(1).max(360),
  /** Length of the quiet window before the incident window (X-Ray serves at most 6 h per query). */
  baselineMinutes: z.number().int().min(1).max(360),
  findingsRetentionDays: z.number().int().min(1).max(3650),
  /** How far back "seen before" looks for a past incident like a new one (issue 21). */
  seenBeforeDays: z.number().int().min(1).max(3650),
  /** How long graph snapshots and full findings are kept in the bucket. */
  snapshotRetentionDays: z.number().int().min(1).max(3650),
  logLevel: z.enum(['DEBUG', 'INFO', 'WARN', 'ERROR']),
  /** Steady-state requests per second and burst allowed on the API. */
  apiRateLimit: z.number().positive().max(10000),
  apiBurstLimit: z.number().int().positive().max(5000),
  /** Also publish an AWS Chatbot custom notification (for Slack / Teams channels subscribed via Chatbot). */
  chatbotNotifications: z.boolean(),
  /** An alarm joins an open incident when it fires within this many minutes of its last activity. */
  incidentWindowMinutes: z.number().int().min(1).max(1440),
  /** …and its service is in the incident's cascade or within this many hops of an alarmed service. */
  incidentHops: z.number().int().min(0).max(10),
  /** At most one "incident grew" message per this many minutes. */
  incidentUpdateMinutes: z.number().int().min(1).max(1440),
  /** An open incident idle this many hours (its alarms never cleared) is closed without a message. */
  incidentMaxIdleHours: z.number().int().min(1).max(720),
  /**
   * API scoping: callers (IAM ARN, or a prefix ending in `*`) and the services each may see and
   * analyse. Empty: every caller IAM lets in sees every service.
   */
  apiAccess: z
    .array(
      z.strictObject({
        principal: z.string().min(1).max(2048),
        services: z.array(z.string().min(1).max(256)).min(1),
      }),
    )
    .max(200),
  /** The API function's reserved concurrency: on-demand analyses cannot starve alarm-driven ones. */
  apiReservedConcurrency: z.number().int().min(1).max(1000),
  /** Read X-Ray trace summaries of the alarmed service (its faulty and slow traces) as evidence. */
  traceEvidence: z.boolean(),
  /** Minutes before the incident window's start to read CloudTrail change events from; 0 turns it off. */
  changeLookbackMinutes: z.number().int().min(0).max(1440),
  /** Resource names or ARNs in change events → the X-Ray service names they change (beyond exact names). */
  changeServiceMapping: z.record(z.string().min(1), z.array(serviceName).min(1)),
  /** Pages to PagerDuty and a signed webhook (docs/paging.md); keys stay in Secrets Manager. */
  paging: PagingConfigSchema,
});

export type WatchedServiceConfig = z.infer<typeof WatchedServiceConfigSchema>;
export type PagingConfig = z.infer<typeof PagingConfigSchema>;
export type CascadeAnalyzerConfig = z.infer<typeof ConfigSchema>;

export const CONFIG_DEFAULTS: Omit<CascadeAnalyzerConfig, 'watchedServices'> & {
  watchedServices: unknown[];
} = {
  watchedServices: [],
  alarmNamePrefixes: [],
  alarmNames: [],
  notificationEmails: [],
  lookbackMinutes: 15,
  baselineMinutes: 60,
  findingsRetentionDays: 90,
  seenBeforeDays: 90,
  snapshotRetentionDays: 30,
  logLevel: 'INFO',
  apiRateLimit: 10,
  apiBurstLimit: 20,
  chatbotNotifications: false,
  incidentWindowMinutes: 15,
  incidentHops: 1,
  incidentUpdateMinutes: 30,
  incidentMaxIdleHours: 24,
  apiAccess: [],
  apiReservedConcurrency: 5,
  traceEvidence: true,
  changeLookbackMinutes: 60,
  changeServiceMapping: {},
  paging: {},
};

export { ConfigError };

/**
 * Reads the configuration through `lookup` (the construct tree's `tryGetContext`). Context
 * values from `-c` arrive as strings, so lists and numbers are also accepted as JSON text and
 * lists of strings as comma-separated text.
 */
export function loadConfig(lookup: (key: string) => unknown): CascadeAnalyzerConfig {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(CONFIG_DEFAULTS) as (keyof typeof CONFIG_DEFAULTS)[]) {
    const value = lookup(key);
    raw[key] = value === undefined ? CONFIG_DEFAULTS[key] : coerce(key, value);
  }
  return parseConfig(raw, 'cascade-analyzer config: context key');
}

/**
 * Validates a complete configuration (every key present, defaults filled in). `what` starts each
 * error: it names where the value came from (a cdk.json context key, a construct prop).
 */
export function parseConfig(raw: Record<string, unknown>, what: string): CascadeAnalyzerConfig {
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const path = issue
      ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('')
      : '';
    throw new ConfigError(
      `${what} "${path.replace(/^\./, '')}": ${issue?.message ?? 'invalid'}`.replace(' "": ', ': '),
    );
  }
  const cfg = parsed.data;
  const names = cfg.watchedServices.map((s) => s.name);
  const dup = names.find((n, i) => names.indexOf(n) !== i);
  if (dup) throw new ConfigError(`${what} "watchedServices": "${dup}" is listed twice`);
  if (cfg.watchedServices.length === 0 && cfg.alarmNamePrefixes.length === 0 && cfg.alarmNames.length === 0) {
    throw new ConfigError(
      `${what}s "watchedServices", "alarmNamePrefixes" and "alarmNames" are all empty: nothing would start an analysis`,
    );
  }
  return cfg;
}

function coerce(key: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const listKey = Array.isArray(CONFIG_DEFAULTS[key as keyof typeof CONFIG_DEFAULTS]);
  const text = value.trim();
  if (text.startsWith('[') || text.startsWith('{')) {
    try {
      return JSON.parse(text);
    } catch {
      throw new ConfigError(
        `cascade-analyzer config: context key "${key}": not valid JSON: ${text.slice(0, 60)}`,
      );
    }
  }
  if (listKey) return text === '' ? [] : text.split(',').map((s) => s.trim());
  if (typeof CONFIG_DEFAULTS[key as keyof typeof CONFIG_DEFAULTS] === 'boolean') {
    return text === 'true' ? true : text === 'false' ? false : value;
  }
  if (typeof CONFIG_DEFAULTS[key as keyof typeof CONFIG_DEFAULTS] === 'number') {
    const n = Number(text);
    return Number.isFinite(n) && text !== '' ? n : value;
  }
  return value;
}
