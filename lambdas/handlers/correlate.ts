// Correlate: after Store, an alarm-driven analysis joins its incident (or opens one). The finding
// gives the cascade, the stored graph snapshot the services near the alarmed one; the decision —
// which incident, and which one message if any — is the pure reducer's, made once per analysis.

import { randomUUID } from 'node:crypto';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { FindingLookup, SnapshotReader } from '../adapters/ports.ts';
import { neighborhood } from '../core/incidents/correlate.ts';
import type { Finding } from '../core/model.ts';
import { parseSnapshot } from '../core/parse.ts';
import { coldStart, inLambda } from './cold-start.ts';
import { type Correlated, StoredSchema, snapshotKeyFor } from './contracts.ts';
import { parseInput } from './errors.ts';
import { loadFinding } from './finding-io.ts';
import { attachFinding, type IncidentDeps } from './incidents.ts';
import { instrumented, logger, metrics } from './observability.ts';

export interface CorrelateDeps extends IncidentDeps {
  readonly snapshotStore: SnapshotReader;
  readonly repository: FindingLookup;
}

export async function correlateAnalysis(input: unknown, deps: CorrelateDeps): Promise<Correlated> {
  const stored = parseInput(StoredSchema, input, 'Correlate input');
  if (stored.alarm === undefined) return { ...stored, incident: null };
  // The stored item is the one that counts (a redelivery may find an earlier result there).
  const finding: Finding =
    (await deps.repository.get(stored.analysisId)) ??
    (await loadFinding(deps.snapshotStore, stored.findingKey, stored.analysisId));
  const near = await nearServices(stored.analysisId, stored.service, deps);
  const attached = await attachFinding(finding, stored.alarm, stored.service, near, deps);
  return {
    ...stored,
    incident: {
      incidentId: attached.incident.incidentId,
      outcome: attached.outcome,
      claimToken: randomUUID(),
    },
  };
}

/** Services within the configured hops of `service` in the analysis' incident graph; none if unreadable. */
async function nearServices(analysisId: string, service: string, deps: CorrelateDeps): Promise<string[]> {
  try {
    const snapshot = parseSnapshot(JSON.parse(await deps.snapshotStore.get(snapshotKeyFor(analysisId))));
    const nodes = snapshot.incident.nodes;
    const edges = nodes.flatMap((n) =>
      n.edges.flatMap((e) => {
        const to = nodes[e.to];
        return to === undefined ? [] : [[n.name, to.name] as const];
      }),
    );
    return neighborhood(edges, [service], deps.config.hops);
  } catch (error) {
    logger.warn('graph snapshot unreadable; correlating by cascade only', { analysisId, error });
    return [];
  }
}

// The composition root (wiring/correlate.ts) is loaded on first use: importing this module for its logic
// loads no AWS client.
const dependencies = coldStart(async () => (await import('./wiring/correlate.ts')).correlateDeps());
// Inside Lambda, build during init: a missing variable fails the cold start naming it.
if (inLambda()) await dependencies();

export const handler = instrumented<unknown, Correlated>().handler(async (event) => {
  const correlated = await correlateAnalysis(event, await dependencies());
  logger.info('analysis correlated', { analysisId: correlated.analysisId, incident: correlated.incident });
  if (correlated.incident?.outcome === 'opened') metrics.addMetric('IncidentOpened', MetricUnit.Count, 1);
  return correlated;
});
