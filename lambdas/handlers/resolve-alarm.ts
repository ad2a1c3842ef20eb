// ResolveAlarm: an alarm went back to OK. It is marked OK on its incident; when it was the last
// alarm in ALARM the incident resolves and its closing message waits in the outbox for Notify.

import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import {
  ALARM_DETAIL_TYPE,
  ALARM_SOURCE,
  alarmArnOf,
  EventBridgeSchema,
  IsoTimestampSchema,
} from './alarm-event.ts';
import { coldStart, inLambda } from './cold-start.ts';
import type { Resolution } from './contracts.ts';
import { parseInput } from './errors.ts';
import { type IncidentDeps, recordAlarmOk } from './incidents.ts';
import { instrumented, logger, metrics } from './observability.ts';
import * as z from './zod.ts';

export const AlarmOkEventSchema = z.extend(EventBridgeSchema, {
  source: z.literal(ALARM_SOURCE, { error: `must be "${ALARM_SOURCE}"` }),
  'detail-type': z.literal(ALARM_DETAIL_TYPE, { error: `must be "${ALARM_DETAIL_TYPE}"` }),
  detail: z.object({
    alarmName: z.string().check(z.minLength(1)),
    state: z.object({
      value: z.literal('OK', { error: 'must be "OK": only an alarm back to OK resolves' }),
      timestamp: IsoTimestampSchema,
    }),
  }),
});

export async function resolveAlarm(input: unknown, deps: IncidentDeps): Promise<Resolution> {
  const event = parseInput(AlarmOkEventSchema, input, 'alarm OK event');
  const alarmKey = alarmArnOf(event.resources) ?? event.detail.alarmName;
  const at = new Date(Date.parse(event.detail.state.timestamp)).toISOString();
  const { incidents } = await recordAlarmOk(alarmKey, at, deps);
  return {
    alarmKey,
    claimToken: randomUUID(),
    incidents: incidents.map((i) => ({ incidentId: i.incidentId, status: i.status })),
  };
}

// The composition root (wiring/resolve-alarm.ts) is loaded on first use: importing this module for its logic
// loads no AWS client.
const dependencies = coldStart(async () => (await import('./wiring/resolve-alarm.ts')).resolveAlarmDeps());
// Inside Lambda, build during init: a missing variable fails the cold start naming it.
if (inLambda()) await dependencies();

export const handler = instrumented<unknown, Resolution>().handler(async (event) => {
  const resolution = await resolveAlarm(event, await dependencies());
  logger.info('alarm back to OK', { ...resolution });
  const resolved = resolution.incidents.filter((i) => i.status === 'RESOLVED').length;
  if (resolved > 0) metrics.addMetric('IncidentResolved', MetricUnit.Count, resolved);
  return resolution;
});
