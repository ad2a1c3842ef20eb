// CloudWatch "Alarm State Change" events as EventBridge delivers them to the workflow: the schema
// (the EventBridge envelope with the alarm's detail), the deterministic analysis id, and which
// service an alarm watches. Pure: Prepare and RecordFailure both use it.

import { createHash } from 'node:crypto';
import { alarmSafeServiceName, serviceFromAlarmName } from './alarm-names.ts';
import type { WatchedService } from './contracts.ts';
import { parseInput, UnknownAlarmServiceError } from './errors.ts';
import * as z from './zod.ts';

export const ALARM_DETAIL_TYPE = 'CloudWatch Alarm State Change';
export const ALARM_SOURCE = 'aws.cloudwatch';

/**
 * ISO-8601 with a zone. CloudWatch writes `2019-10-02T17:04:40.989+0000` (no colon in the offset),
 * which zod's own ISO check rejects, so the check is ours.
 */
const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;
export function isIsoTimestamp(value: string): boolean {
  return ISO_TIMESTAMP.test(value) && Number.isFinite(Date.parse(value));
}
export const IsoTimestampSchema = z
  .string()
  .check(
    z.refine(isIsoTimestamp, 'must be an ISO-8601 timestamp with a time zone, e.g. 2025-01-31T10:00:00Z'),
  );

const MetricSchema = z.object({
  namespace: z.optional(z.string()),
  name: z.optional(z.string()),
  dimensions: z.optional(z.record(z.string(), z.string())),
});

const AlarmMetricSchema = z.object({
  id: z.optional(z.string()),
  metricStat: z.optional(z.object({ metric: MetricSchema })),
  expression: z.optional(z.string()),
});

export const AlarmDetailSchema = z.object({
  alarmName: z.string().check(z.minLength(1)),
  state: z.object({
    value: z.literal('ALARM', {
      error: 'must be "ALARM": only an alarm going to ALARM starts an analysis',
    }),
    timestamp: IsoTimestampSchema,
    reason: z.optional(z.string()),
  }),
  configuration: z.optional(z.object({ metrics: z.optional(z.array(AlarmMetricSchema)) })),
});

/**
 * The EventBridge envelope, field for field Powertools' `EventBridgeSchema` (a unit test holds the
 * two to the same verdicts). Not imported from there: its `import { z } from 'zod'` pulls every zod
 * locale into the bundle (about 370 KB of each function that parses alarm events).
 */
export const EventBridgeSchema = z.object({
  version: z.string(),
  id: z.string(),
  source: z.string(),
  account: z.string(),
  time: z.iso.datetime(),
  region: z.string(),
  resources: z.array(z.string()),
  'detail-type': z.string(),
  detail: z.unknown(),
  'replay-name': z.optional(z.string()),
});

export const AlarmEventSchema = z.extend(EventBridgeSchema, {
  source: z.literal(ALARM_SOURCE, { error: `must be "${ALARM_SOURCE}"` }),
  'detail-type': z.literal(ALARM_DETAIL_TYPE, { error: `must be "${ALARM_DETAIL_TYPE}"` }),
  detail: AlarmDetailSchema,
});
export type AlarmEvent = z.infer<typeof AlarmEventSchema>;
export type AlarmDetail = z.infer<typeof AlarmDetailSchema>;

/** Which kind of event this is is checked first, so that a foreign event is named as such. */
const EnvelopeKindSchema = z.object({
  'detail-type': z.literal(ALARM_DETAIL_TYPE, { error: `must be "${ALARM_DETAIL_TYPE}"` }),
  source: z.literal(ALARM_SOURCE, { error: `must be "${ALARM_SOURCE}"` }),
});

/** Validates an alarm event; raises `InputValidationError` naming the first bad field. */
export function parseAlarmEvent(input: unknown): AlarmEvent {
  parseInput(EnvelopeKindSchema, input, 'alarm event');
  return parseInput(AlarmEventSchema, input, 'alarm event');
}

/**
 * The same alarm state change always gets the same id — delivered twice, replayed, or read back by
 * RecordFailure — because it hashes the alarm's identity and the time it went to ALARM. That is
 * what lets the conditional put keep exactly one finding per incident.
 */
export function alarmAnalysisId(alarm: {
  readonly alarmArn: string | undefined;
  readonly alarmName: string;
  readonly stateTimestamp: string;
}): string {
  const identity = alarm.alarmArn ?? alarm.alarmName;
  const hash = createHash('sha256').update(`${identity}\n${alarm.stateTimestamp}`).digest('hex');
  return `alarm-${hash.slice(0, 32)}`;
}

/** The alarm's ARN from the event's `resources`, when EventBridge gave one. */
export function alarmArnOf(resources: readonly unknown[]): string | undefined {
  return resources.find(
    (r): r is string => typeof r === 'string' && r.startsWith('arn:') && r.includes(':alarm:'),
  );
}

export interface ResolvedService {
  readonly service: string;
  /** The watched service's configuration (thresholds, X-Ray group), when it is one. */
  readonly watched: WatchedService | undefined;
}

/**
 * The service an alarm watches, first match wins: a watched service listing the alarm by name; our
 * own naming scheme (`alarmNameFor`); then the alarm's metrics — an X-Ray group of a watched
 * service, a watched service's CPU metric, or a dimension whose value is a watched service's name.
 */
export function resolveAlarmService(
  detail: AlarmDetail,
  watched: readonly WatchedService[],
  alarmPrefix: string,
): ResolvedService {
  const name = detail.alarmName;
  const listed = watched.find((w) => w.alarmNames?.includes(name));
  if (listed) return { service: listed.name, watched: listed };

  const fromName = serviceFromAlarmName(alarmPrefix, name);
  if (fromName !== undefined) {
    const match = watched.find((w) => alarmSafeServiceName(w.name) === fromName);
    return { service: match?.name ?? fromName, watched: match };
  }

  const metrics = (detail.configuration?.metrics ?? []).flatMap((m) =>
    m.metricStat ? [m.metricStat.metric] : [],
  );
  const rules: ((w: WatchedService) => boolean)[] = [
    (w) =>
      w.groupName !== undefined &&
      metrics.some((m) => {
        const group = m.dimensions?.GroupName;
        return (
          group !== undefined && [w.groupName, `${w.groupName}-faults`, `${w.groupName}-slow`].includes(group)
        );
      }),
    (w) =>
      w.cpuMetric !== undefined &&
      metrics.some((m) => sameMetric(m, w.cpuMetric as NonNullable<WatchedService['cpuMetric']>)),
    (w) => metrics.some((m) => Object.values(m.dimensions ?? {}).includes(w.name)),
  ];
  for (const rule of rules) {
    const hits = watched.filter(rule);
    if (hits.length === 1 && hits[0]) return { service: hits[0].name, watched: hits[0] };
    if (hits.length > 1) {
      throw new UnknownAlarmServiceError(
        name,
        `its metrics match several watched services (${hits.map((h) => h.name).join(', ')})`,
      );
    }
  }
  const known = watched.length > 0 ? watched.map((w) => w.name).join(', ') : 'none configured';
  throw new UnknownAlarmServiceError(
    name,
    `its name does not start with "${alarmPrefix}-" and none of its metrics belongs to a watched service (watched: ${known})`,
  );
}

function sameMetric(
  m: z.infer<typeof MetricSchema>,
  cpu: { namespace: string; metricName: string; dimensions: Record<string, string> },
): boolean {
  const dims = m.dimensions ?? {};
  const want = Object.entries(cpu.dimensions);
  return (
    m.namespace === cpu.namespace &&
    m.name === cpu.metricName &&
    want.length === Object.keys(dims).length &&
    want.every(([k, v]) => dims[k] === v)
  );
}

export interface Windows {
  readonly window: { readonly start: string; readonly end: string };
  readonly baseline: { readonly start: string; readonly end: string };
}

const MINUTE_MS = 60_000;

/** The incident window ends at `endMs` and lasts `lookbackMinutes`; the baseline is just before it. */
export function windowsEndingAt(endMs: number, lookbackMinutes: number, baselineMinutes: number): Windows {
  const start = endMs - lookbackMinutes * MINUTE_MS;
  return windowsFor(start, endMs, baselineMinutes);
}

export function windowsFor(startMs: number, endMs: number, baselineMinutes: number): Windows {
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    window: { start: iso(startMs), end: iso(endMs) },
    baseline: { start: iso(startMs - baselineMinutes * MINUTE_MS), end: iso(startMs) },
  };
}
