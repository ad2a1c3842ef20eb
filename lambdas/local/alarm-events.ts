// The CloudWatch "Alarm State Change" event EventBridge would deliver when one of the stack's own
// alarms goes to ALARM: the alarm's name and metrics come from the synthesized template.

import { randomUUID } from 'node:crypto';
import { ALARM_DETAIL_TYPE, ALARM_SOURCE } from '../handlers/alarm-event.ts';
import { ENV, WatchedServicesSchema } from '../handlers/contracts.ts';
import type { SynthesizedAlarm, SynthesizedApp } from './app-model.ts';

export interface AlarmStateChangeEvent {
  readonly version: '0';
  readonly id: string;
  readonly 'detail-type': typeof ALARM_DETAIL_TYPE;
  readonly source: typeof ALARM_SOURCE;
  readonly account: string;
  readonly time: string;
  readonly region: string;
  readonly resources: readonly string[];
  readonly detail: {
    readonly alarmName: string;
    readonly state: { readonly value: 'ALARM' | 'OK'; readonly reason: string; readonly timestamp: string };
    readonly previousState: {
      readonly value: 'ALARM' | 'OK';
      readonly reason: string;
      readonly timestamp: string;
    };
    readonly configuration: { readonly description: string; readonly metrics: readonly unknown[] };
  };
}

export type AlarmKind = 'fault-rate' | 'p99';

/** The stack's alarm of `kind` on a watched service (the Prepare function's WATCHED_SERVICES lists them). */
export function serviceAlarm(
  app: SynthesizedApp,
  service: string,
  kind: AlarmKind = 'fault-rate',
): SynthesizedAlarm {
  const prepare = app.tasks.find((t) => t.step === 'prepare');
  const raw = prepare?.environment[ENV.watchedServices];
  const watched = raw === undefined ? [] : WatchedServicesSchema.parse(JSON.parse(raw));
  const names = watched.find((w) => w.name === service)?.alarmNames ?? [];
  const alarm = app.alarms.find((a) => names.includes(a.alarmName) && a.alarmName.endsWith(`-${kind}`));
  if (alarm === undefined) {
    const known = watched.map((w) => w.name).join(', ') || 'none';
    throw new Error(`the stack has no ${kind} alarm for "${service}" (watched services: ${known})`);
  }
  return alarm;
}

/**
 * The event EventBridge delivers when the stack's `kind` alarm on `service` goes to `state` (ALARM
 * unless told) at `at`.
 */
export function serviceAlarmEvent(
  app: SynthesizedApp,
  service: string,
  at: Date = new Date(),
  kind: AlarmKind = 'fault-rate',
  state: 'ALARM' | 'OK' = 'ALARM',
): AlarmStateChangeEvent {
  return alarmStateChangeEvent(serviceAlarm(app, service, kind), {
    at,
    account: app.account,
    region: app.region,
    state,
  });
}

/** CloudWatch writes state timestamps as `2026-11-20T03:15:00.000+0000`. */
export function cloudWatchTimestamp(at: Date): string {
  return at.toISOString().replace('Z', '+0000');
}

export function alarmStateChangeEvent(
  alarm: SynthesizedAlarm,
  options: {
    readonly at: Date;
    readonly account: string;
    readonly region: string;
    readonly reason?: string;
    /** @default 'ALARM' */
    readonly state?: 'ALARM' | 'OK';
  },
): AlarmStateChangeEvent {
  const { at, account, region } = options;
  const ok = options.state === 'OK';
  const before = new Date(at.getTime() - 60 * 60_000);
  return {
    version: '0',
    id: randomUUID(),
    'detail-type': ALARM_DETAIL_TYPE,
    source: ALARM_SOURCE,
    account,
    time: `${at.toISOString().slice(0, 19)}Z`,
    region,
    resources: [`arn:aws:cloudwatch:${region}:${account}:alarm:${alarm.alarmName}`],
    detail: {
      alarmName: alarm.alarmName,
      state: {
        value: ok ? 'OK' : 'ALARM',
        reason:
          options.reason ??
          (ok
            ? 'Threshold Crossed: no datapoints were greater than the threshold.'
            : 'Threshold Crossed: 2 out of the last 3 datapoints were greater than the threshold.'),
        timestamp: cloudWatchTimestamp(at),
      },
      previousState: {
        value: ok ? 'ALARM' : 'OK',
        reason: 'Threshold Crossed.',
        timestamp: cloudWatchTimestamp(before),
      },
      configuration: { description: alarm.description, metrics: alarm.metrics.map(eventMetric) },
    },
  };
}

/** A template `MetricDataQuery` in the event's camelCase shape (dimensions as a map). */
function eventMetric(m: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const stat = m.MetricStat as
    | {
        Metric?: { Namespace?: string; MetricName?: string; Dimensions?: { Name: string; Value: string }[] };
        Period?: number;
        Stat?: string;
      }
    | undefined;
  return {
    id: m.Id,
    ...(m.Expression !== undefined ? { expression: m.Expression } : {}),
    ...(m.Label !== undefined ? { label: m.Label } : {}),
    ...(stat !== undefined
      ? {
          metricStat: {
            metric: {
              namespace: stat.Metric?.Namespace,
              name: stat.Metric?.MetricName,
              dimensions: Object.fromEntries((stat.Metric?.Dimensions ?? []).map((d) => [d.Name, d.Value])),
            },
            period: stat.Period,
            stat: stat.Stat,
          },
        }
      : {}),
    returnData: m.ReturnData !== false,
  };
}
