// Incidents as the deployed workflow records them, made by the real engine and the real incident
// reducers on a fixed clock: the shop demo (one alarm, its evidence, opened and resolved) and the
// storm demo (16 alarms on 8 services, 4 of them firing twice, then every alarm back to OK).

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { analyze } from '../../lambdas/core/analyze.ts';
import { parseLookupEvents } from '../../lambdas/core/evidence/change-events.ts';
import { parseTraceSummaries } from '../../lambdas/core/evidence/trace-summaries.ts';
import { cascadeSet } from '../../lambdas/core/incidents/correlate.ts';
import { alarmOk, attachAnalysis, claimNext, markSent } from '../../lambdas/core/incidents/lifecycle.ts';
import {
  CLAIM_LEASE_MS,
  DEFAULT_INCIDENT_CONFIG,
  EMPTY_OPEN_INCIDENTS,
  type Incident,
  type OpenIncidents,
} from '../../lambdas/core/incidents/model.ts';
import type { Finding } from '../../lambdas/core/model.ts';
import { parseSnapshot } from '../../lambdas/core/parse.ts';
import { STORM_CASCADE, stormScenario } from '../../lambdas/local/storm-scenario.ts';
import { ROOT, shopIncident } from './fixtures.ts';

export interface RecordedIncident {
  readonly incident: Incident;
  /** Every analysis of the incident by id; `incident.currentAnalysisId` names the current one. */
  readonly findings: ReadonlyMap<string, Finding>;
  readonly current: Finding;
}

const cfg = DEFAULT_INCIDENT_CONFIG;
const json = (file: string): unknown => JSON.parse(readFileSync(resolve(ROOT, 'examples', file), 'utf8'));

/** The shop finding with its X-Ray traces, exemplars and the CloudTrail change 4 min before the start. */
export function shopFindingWithEvidence(analysisId = 'alarm-shop-0001'): Finding {
  return analyze(shopIncident().snapshot, {
    analysisId,
    service: 'frontend',
    trigger: { source: 'alarm', service: 'frontend', alarmName: 'cascade-analyzer-frontend-fault-rate' },
    evidence: {
      traces: parseTraceSummaries(json('shop-traces.json')),
      changes: parseLookupEvents(json('shop-changes.json')),
      exemplarTraces: json('shop-exemplars.json'),
      region: 'eu-west-1',
    },
  });
}

interface Fired {
  readonly finding: Finding;
  readonly alarmName: string;
  readonly service: string;
  readonly firedAt: string;
}

/** Attaches each analysis, sends the outbox after each, then every alarm goes to OK. */
function record(fired: readonly Fired[], okAt: string, analysedAfterMs: number): RecordedIncident {
  let doc: OpenIncidents = EMPTY_OPEN_INCIDENTS;
  let incidentId = '';
  let seq = 0;
  const flush = (now: Date): void => {
    for (;;) {
      const claim = claimNext(doc, incidentId, 'exec', now, CLAIM_LEASE_MS);
      doc = claim.doc;
      if (claim.notification === undefined) return;
      doc = markSent(doc, incidentId, claim.notification.id, `msg-${seq++}`).doc;
    }
  };
  let last: Incident | undefined;
  for (const f of fired) {
    const now = new Date(Date.parse(f.firedAt) + analysedAfterMs);
    const r = attachAnalysis(
      doc,
      {
        analysisId: f.finding.analysisId,
        alarmKey: f.alarmName,
        alarmName: f.alarmName,
        service: f.service,
        firedAt: f.firedAt,
        status: f.finding.status,
        rootCause: f.finding.rootCauses[0]?.service ?? null,
        reach: cascadeSet(f.finding),
        near: [f.service],
      },
      now,
      cfg,
    );
    doc = r.doc;
    incidentId = r.incident.incidentId;
    flush(now);
    last = doc.incidents.find((i) => i.incidentId === incidentId);
  }
  const okNow = new Date(Date.parse(okAt) + analysedAfterMs);
  for (const key of new Set(fired.map((f) => f.alarmName))) {
    const r = alarmOk(doc, { alarmKey: key, at: okAt }, okNow, cfg);
    doc = r.doc;
    last = r.incidents.find((i) => i.incidentId === incidentId) ?? last;
  }
  // The resolution message is sent; the resolved incident then leaves the open document.
  const claim = claimNext(doc, incidentId, 'exec', okNow, CLAIM_LEASE_MS);
  if (claim.notification !== undefined) {
    last = markSent(claim.doc, incidentId, claim.notification.id, `msg-${seq++}`).incident ?? last;
  }
  if (last === undefined) throw new Error('no incident was recorded');
  const findings = new Map(fired.map((f) => [f.finding.analysisId, f.finding]));
  const current = findings.get(last.currentAnalysisId ?? '');
  if (current === undefined) throw new Error(`no finding for ${last.currentAnalysisId}`);
  return { incident: last, findings, current };
}

/** The shop demo: frontend's fault-rate alarm at 03:15, analysed in 20 s, back to OK at 03:41. */
export function shopRecordedIncident(): RecordedIncident {
  return record(
    [
      {
        finding: shopFindingWithEvidence(),
        alarmName: 'cascade-analyzer-frontend-fault-rate',
        service: 'frontend',
        firedAt: '2026-11-20T03:15:00.000Z',
      },
    ],
    '2026-11-20T03:41:00.000Z',
    20_000,
  );
}

const STORM_T0 = Date.parse('2026-11-20T03:00:00.000Z');

/** The storm demo: 16 alarms on the 8 services of one cascade, the first 4 firing twice. */
export function stormRecordedIncident(): RecordedIncident {
  const snapshot = parseSnapshot(stormScenario().snapshot);
  const first = STORM_CASCADE.flatMap((service, i) =>
    (['fault-rate', 'p99'] as const).map((kind, k) => ({
      service,
      kind,
      at: STORM_T0 + i * 4_000 + k * 1_500,
    })),
  );
  const events = [...first, ...first.slice(0, 4).map((a) => ({ ...a, at: a.at + 50_000 }))];
  const seen = new Map<string, number>();
  const analysed: Fired[] = events.map((e) => {
    const alarmName = `cascade-analyzer-${e.service}-${e.kind}`;
    const n = (seen.get(alarmName) ?? 0) + 1;
    seen.set(alarmName, n);
    const analysisId = `alarm-storm-${e.service}-${e.kind}${n > 1 ? `-${n}` : ''}`;
    return {
      finding: analyze(snapshot, {
        analysisId,
        service: e.service,
        trigger: { source: 'alarm', service: e.service, alarmName },
      }),
      alarmName,
      service: e.service,
      firedAt: new Date(e.at).toISOString(),
    };
  });
  return record(analysed, new Date(STORM_T0 + 600_000).toISOString(), 5_000);
}
