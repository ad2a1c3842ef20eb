// Notify: publishes the finding to SNS, only when Store created it — so a duplicate alarm event,
// whose Store found the finding already there, sends no second message.

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Notifier, SnapshotReader } from '../adapters/ports.ts';
import { coldStart, inLambda } from './cold-start.ts';
import { type Notified, reportPathFor, StoredSchema } from './contracts.ts';
import { parseInput } from './errors.ts';
import { loadFinding } from './finding-io.ts';
import { instrumented, logger, metrics } from './observability.ts';

export interface NotifyDeps {
  readonly snapshotStore: SnapshotReader;
  readonly notifier: Notifier;
}

export async function notifyFinding(input: unknown, deps: NotifyDeps): Promise<Notified> {
  const stored = parseInput(StoredSchema, input, 'Notify input');
  if (stored.stored !== 'created') return { analysisId: stored.analysisId, messageId: null };
  const finding = await loadFinding(deps.snapshotStore, stored.findingKey, stored.analysisId);
  const { messageId } = await deps.notifier.publish(finding, reportPathFor(stored.analysisId));
  return { analysisId: stored.analysisId, messageId };
}

// The composition root (wiring/notify.ts) is loaded on first use: importing this module for its logic
// loads no AWS client.
const dependencies = coldStart(async () => (await import('./wiring/notify.ts')).notifyDeps());
// Inside Lambda, build during init: a missing variable fails the cold start naming it.
if (inLambda()) await dependencies();

export const handler = instrumented<unknown, Notified>().handler(async (event) => {
  const notified = await notifyFinding(event, await dependencies());
  logger.info(notified.messageId === null ? 'duplicate analysis: not notified' : 'finding published', {
    ...notified,
  });
  if (notified.messageId !== null) metrics.addMetric('NotificationPublished', MetricUnit.Count, 1);
  return notified;
});
