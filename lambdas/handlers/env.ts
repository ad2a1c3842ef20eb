// Reads and checks the environment variables of each function. Pure over the `env` object it is
// given, so the cold-start checks are unit-tested; each handler's composition root (wiring/) calls
// these before building clients.

import { DEFAULT_INCIDENT_CONFIG, type IncidentConfig } from '../core/incidents/model.ts';
import { DEFAULT_SEEN_BEFORE_DAYS } from '../core/seen-before.ts';
import { type ConsoleDashboard, checkConsoleDashboard } from '../report/console-link.ts';
import { DEFAULT_ALARM_PREFIX } from './alarm-names.ts';
import { type AccessRule, AccessRulesSchema } from './api-access.ts';
import { ENV, type WatchedService, WatchedServicesSchema } from './contracts.ts';
import { ConfigurationError, fieldPath } from './errors.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export const HANDLER_NAMES = [
  'prepare',
  'collect-graph',
  'collect-evidence',
  'enrich',
  'analyze',
  'store',
  'notify',
  'record-failure',
  'correlate',
  'resolve-alarm',
  'execution-watch',
  'sweep-outbox',
  'api',
  'incident-console',
] as const;
export type HandlerName = (typeof HANDLER_NAMES)[number];

/**
 * The variables each function cannot start without (the AWS SDK also needs AWS_REGION, which Lambda
 * sets). Optional ones: ALARM_PREFIX (prepare, record-failure), WATCHED_SERVICES (record-failure) and
 * SEEN_BEFORE_DAYS (store).
 */
export const REQUIRED_ENV: Readonly<Record<HandlerName, readonly string[]>> = {
  prepare: [ENV.watchedServices, ENV.lookbackMinutes, ENV.baselineMinutes],
  'collect-graph': [ENV.snapshotBucket],
  'collect-evidence': [ENV.snapshotBucket, ENV.watchedServices, ENV.changeLookbackMinutes],
  enrich: [ENV.watchedServices],
  analyze: [ENV.snapshotBucket, ENV.watchedServices],
  store: [ENV.snapshotBucket, ENV.findingsTable, ENV.retentionDays],
  notify: [ENV.snapshotBucket, ENV.findingsTable, ENV.retentionDays, ENV.topicArn],
  'record-failure': [ENV.findingsTable, ENV.retentionDays, ENV.topicArn],
  correlate: [ENV.snapshotBucket, ENV.findingsTable, ENV.retentionDays],
  'resolve-alarm': [ENV.findingsTable, ENV.retentionDays],
  'execution-watch': [ENV.findingsTable, ENV.retentionDays, ENV.topicArn],
  'sweep-outbox': [ENV.findingsTable, ENV.retentionDays, ENV.topicArn],
  api: [ENV.findingsTable, ENV.retentionDays, ENV.stateMachineArn],
  'incident-console': [ENV.findingsTable, ENV.retentionDays, ENV.incidentDashboard],
};

/** Fails naming every required variable of `handler` that is missing or blank. */
export function checkRequiredEnv(handler: HandlerName, env: Env): void {
  const missing = REQUIRED_ENV[handler].filter((name) => (env[name] ?? '').trim() === '');
  if (missing.length === 1) throw new ConfigurationError(`missing environment variable ${missing[0]}`);
  if (missing.length > 1) throw new ConfigurationError(`missing environment variables ${missing.join(', ')}`);
}

export function requireEnv(env: Env, name: string): string {
  const value = env[name];
  if (value === undefined || value.trim() === '')
    throw new ConfigurationError(`missing environment variable ${name}`);
  return value.trim();
}

/** A whole number within [min, max]; the message names the variable and shows the bad value. */
export function readIntEnv(env: Env, name: string, min: number, max: number): number {
  const raw = requireEnv(env, name);
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    throw new ConfigurationError(
      `environment variable ${name} must be a whole number from ${min} to ${max}, got ${JSON.stringify(raw.slice(0, 40))}`,
    );
  }
  return n;
}

/** SEEN_BEFORE_DAYS (optional, store): how far back "seen before" looks (issue 21); default 90. */
export function readSeenBeforeDays(env: Env): number {
  if ((env.SEEN_BEFORE_DAYS ?? '').trim() === '') return DEFAULT_SEEN_BEFORE_DAYS;
  return readIntEnv(env, 'SEEN_BEFORE_DAYS', 1, 3650);
}

/** WATCHED_SERVICES: a JSON list (WatchedServicesSchema). Absent is an error only when `required`. */
export function readWatchedServices(env: Env, required: boolean): WatchedService[] {
  const name = ENV.watchedServices;
  if (!required && (env[name] ?? '').trim() === '') return [];
  const raw = requireEnv(env, name);
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConfigurationError(`environment variable ${name} is not valid JSON`);
  }
  const parsed = WatchedServicesSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigurationError(
      `environment variable ${name}: ${issue ? fieldPath(issue.path) || '(list)' : ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}

/** An optional on/off switch: `true` or `false` (any case), absent or blank is `fallback`. */
export function readFlagEnv(env: Env, name: string, fallback = false): boolean {
  const raw = (env[name] ?? '').trim().toLowerCase();
  if (raw === '') return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new ConfigurationError(
    `environment variable ${name} must be true or false, got ${JSON.stringify(raw.slice(0, 40))}`,
  );
}

export function readAlarmPrefix(env: Env): string {
  const value = (env[ENV.alarmPrefix] ?? '').trim();
  return value === '' ? DEFAULT_ALARM_PREFIX : value;
}

/** X-Ray serves a service graph of at most 6 hours per query. */
const MAX_WINDOW_MINUTES = 360;

export interface PrepareSettings {
  readonly watched: readonly WatchedService[];
  readonly lookbackMinutes: number;
  readonly baselineMinutes: number;
  readonly alarmPrefix: string;
}

export function prepareSettings(env: Env): PrepareSettings {
  checkRequiredEnv('prepare', env);
  return {
    watched: readWatchedServices(env, true),
    lookbackMinutes: readIntEnv(env, ENV.lookbackMinutes, 1, MAX_WINDOW_MINUTES),
    baselineMinutes: readIntEnv(env, ENV.baselineMinutes, 1, MAX_WINDOW_MINUTES),
    alarmPrefix: readAlarmPrefix(env),
  };
}

export interface EvidenceSettings {
  readonly watched: readonly WatchedService[];
  /** 0 turns the change lookup off. */
  readonly changeLookbackMinutes: number;
  readonly traceEvidence: boolean;
  readonly serviceMapping: Readonly<Record<string, readonly string[]>>;
}

/** CollectEvidence's configuration: lookback (0–1440 minutes), the trace switch and the mapping. */
export function evidenceSettings(env: Env): EvidenceSettings {
  checkRequiredEnv('collect-evidence', env);
  const mappingRaw = (env[ENV.changeServiceMapping] ?? '').trim();
  let mapping: unknown = {};
  if (mappingRaw !== '') {
    try {
      mapping = JSON.parse(mappingRaw);
    } catch {
      throw new ConfigurationError(`environment variable ${ENV.changeServiceMapping} is not valid JSON`);
    }
  }
  const valid =
    typeof mapping === 'object' &&
    mapping !== null &&
    !Array.isArray(mapping) &&
    Object.values(mapping).every((v) => Array.isArray(v) && v.every((s) => typeof s === 'string'));
  if (!valid) {
    throw new ConfigurationError(
      `environment variable ${ENV.changeServiceMapping} must map resource names to lists of service names`,
    );
  }
  return {
    watched: readWatchedServices(env, true),
    changeLookbackMinutes: readIntEnv(env, ENV.changeLookbackMinutes, 0, 1440),
    traceEvidence: readFlagEnv(env, ENV.traceEvidence, true),
    serviceMapping: mapping as Record<string, string[]>,
  };
}

export function retentionDays(env: Env): number {
  return readIntEnv(env, ENV.retentionDays, 1, 36_500);
}

/** The incident settings: each variable optional, its default from DEFAULT_INCIDENT_CONFIG. */
export function incidentConfig(env: Env): IncidentConfig {
  const read = (name: string, fallback: number, min: number, max: number) =>
    (env[name] ?? '').trim() === '' ? fallback : readIntEnv(env, name, min, max);
  const d = DEFAULT_INCIDENT_CONFIG;
  return {
    windowMinutes: read(ENV.incidentWindowMinutes, d.windowMinutes, 1, 1440),
    hops: read(ENV.incidentHops, d.hops, 0, 10),
    updateIntervalMinutes: read(ENV.incidentUpdateMinutes, d.updateIntervalMinutes, 1, 1440),
    maxIdleHours: read(ENV.incidentMaxIdleHours, d.maxIdleHours, 1, 720),
  };
}

/**
 * INCIDENT_DASHBOARD and the function's region (AWS_REGION, which Lambda sets): where the links of
 * the messages point. Undefined when no dashboard is named; a bad name or a missing region fails.
 */
export function readIncidentConsole(env: Env): ConsoleDashboard | undefined {
  const dashboardName = (env[ENV.incidentDashboard] ?? '').trim();
  if (dashboardName === '') return undefined;
  const region = (env.AWS_REGION ?? '').trim();
  if (region === '') {
    throw new ConfigurationError(
      `missing environment variable AWS_REGION (needed by ${ENV.incidentDashboard})`,
    );
  }
  try {
    return checkConsoleDashboard({ region, dashboardName });
  } catch (err) {
    throw new ConfigurationError(
      `environment variable ${ENV.incidentDashboard} or AWS_REGION: ${(err as Error).message}`,
    );
  }
}

/** API_ACCESS: the API's access list (AccessRulesSchema); absent or blank is no scoping. */
export function readAccessRules(env: Env): AccessRule[] {
  const raw = (env[ENV.apiAccess] ?? '').trim();
  if (raw === '') return [];
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConfigurationError(`environment variable ${ENV.apiAccess} is not valid JSON`);
  }
  const parsed = AccessRulesSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigurationError(
      `environment variable ${ENV.apiAccess}: ${issue ? fieldPath(issue.path) || '(list)' : ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
  return parsed.data;
}
