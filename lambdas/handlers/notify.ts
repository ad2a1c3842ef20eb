// Notify: sends what the analysis warrants. For an alarm-driven analysis (and for an alarm back to
// OK) that is the incident's outbox: the one message Correlate or ResolveAlarm decided, and any
// earlier one a failed execution left unsent. For other analyses (the API's) it publishes the
// finding unless its outbox flag says it was sent — so a retry sends no second message, and a
// finding stored by an attempt that failed before sending is still sent.

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { FindingsOutbox, Notifier, SnapshotReader } from '../adapters/ports.ts';
import { coldStart, inLambda } from './cold-start.ts';
import {
  CorrelatedSchema,
  type Notified,
  ResolutionSchema,
  reportPathFor,
  StoredSchema,
} from './contracts.ts';
import { parseInput } from './errors.ts';
import { loadFinding } from './finding-io.ts';
import { type FlushDeps, flushIncident } from './incidents.ts';
import { instrumented, logger, metrics } from './observability.ts';

export interface NotifyDeps {
  readonly snapshotStore: SnapshotReader;
  readonly notifier: Notifier;
  /** The outbox flag of findings no alarm started. */
  readonly repository: FindingsOutbox;
  /** Incident outboxes; without it, incident input is refused. */
  readonly incident?: FlushDeps;
}

export async function notifyFinding(input: unknown, deps: NotifyDeps): Promise<Notified> {
  const obj = typeof input === 'object' && input !== null ? input : {};
  if ('alarmKey' in obj) {
    // An alarm back to OK: the closing message of every incident it resolved.
    const resolution = parseInput(ResolutionSchema, input, 'Notify input');
    const sent: string[] = [];
    for (const { incidentId } of resolution.incidents) {
      sent.push(...(await flushIncident(incidentId, resolution.claimToken, incidentDeps(deps))));
    }
    return { analysisId: null, messageId: null, incidentMessages: sent };
  }
  if ('incident' in obj && obj.incident !== null) {
    const correlated = parseInput(CorrelatedSchema, input, 'Notify input');
    const incident = correlated.incident;
    if (incident !== null) {
      const sent = await flushIncident(incident.incidentId, incident.claimToken, incidentDeps(deps));
      return {
        analysisId: correlated.analysisId,
        messageId: null,
        incidentId: incident.incidentId,
        incidentMessages: sent,
      };
    }
  }
  const stored = parseInput(StoredSchema, input, 'Notify input');
  // The outbox flag: sent once, and sent even when an earlier attempt stored but did not send.
  if (await deps.repository.isNotified(stored.analysisId))
    return { analysisId: stored.analysisId, messageId: null };
  const finding = await loadFinding(deps.snapshotStore, stored.findingKey, stored.analysisId);
  const { messageId } = await deps.notifier.publish(finding, reportPathFor(stored.analysisId));
  await deps.repository.markNotified(stored.analysisId, messageId);
  return { analysisId: stored.analysisId, messageId };
}

function incidentDeps(deps: NotifyDeps): FlushDeps {
  if (deps.incident === undefined) throw new Error('Notify: incident input but no incident store wired');
  return deps.incident;
}

// The composition root (wiring/notify.ts) is loaded on first use: importing this module for its logic
// loads no AWS client.
const dependencies = coldStart(async () => (await import('./wiring/notify.ts')).notifyDeps());
// Inside Lambda, build during init: a missing variable fails the cold start naming it.
if (inLambda()) await dependencies();

export const handler = instrumented<unknown, Notified>().handler(async (event) => {
  const notified = await notifyFinding(event, await dependencies());
  const count = (notified.messageId === null ? 0 : 1) + (notified.incidentMessages?.length ?? 0);
  logger.info(count === 0 ? 'nothing to send' : 'published', { ...notified });
  if (count > 0) metrics.addMetric('NotificationPublished', MetricUnit.Count, count);
  return notified;
});
