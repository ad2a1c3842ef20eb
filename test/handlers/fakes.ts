// In-memory fakes of the ports and builders of the events the handlers receive. The handlers'
// core functions are the things under test; these stand in for AWS and never touch the network.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { Change, IncidentScope, IncidentsWriter } from '../../lambdas/adapters/incidents-writer.ts';
import type {
  OutboxSweepList,
  SweepFindingRow,
  SweepIncidentRow,
} from '../../lambdas/adapters/outbox-sweep-list.ts';
import {
  type FindingPage,
  type FindingSummary,
  type FindingsRepository,
  type GraphSource,
  type ListQuery,
  type MetricQuery,
  type MetricResult,
  type MetricsSource,
  NotFoundError,
  type Notifier,
  type ServiceGraphDocument,
  type SnapshotStore,
  type TimeRange,
} from '../../lambdas/adapters/ports.ts';
import {
  type FeedbackRecord,
  feedbackSubject,
  recordVerdict,
  type Verdict,
} from '../../lambdas/core/feedback.ts';
import type { Incident, OpenIncidents } from '../../lambdas/core/incidents/model.ts';
import type { Finding } from '../../lambdas/core/model.ts';
import type { ApiAnalysisInput, Collected } from '../../lambdas/handlers/contracts.ts';
import type { WorkflowStarter } from '../../lambdas/handlers/workflow-starter.ts';
import type { IncidentNote } from '../../lambdas/report/incident-text.ts';

/** CollectGraph's output for a frontend alarm over the shop's window: the input of the steps after it. */
export const COLLECTED: Collected = {
  analysisId: 'alarm-1',
  service: 'frontend',
  trigger: { source: 'alarm', service: 'frontend' },
  window: { start: '2026-11-20T03:00:00.000Z', end: '2026-11-20T03:15:00.000Z' },
  baseline: { start: '2026-11-20T02:00:00.000Z', end: '2026-11-20T03:00:00.000Z' },
  snapshotKey: 'snapshots/alarm-1.json',
  serviceCount: 9,
};

export class MemorySnapshotStore implements SnapshotStore {
  readonly docs = new Map<string, string>();
  async put(key: string, body: string): Promise<void> {
    this.docs.set(key, body);
  }
  async get(key: string): Promise<string> {
    const doc = this.docs.get(key);
    if (doc === undefined) throw new NotFoundError(`no snapshot under key ${key}`);
    return doc;
  }
}

/** Conditional put like DynamoDB's; lists newest first with an opaque index token. */
export class MemoryFindingsRepository implements FindingsRepository {
  readonly findings = new Map<string, Finding>();
  readonly queries: ListQuery[] = [];
  listResult: FindingPage | undefined;
  /** When each finding was stored, by this clock. */
  readonly storedAt = new Map<string, string>();
  clock: () => Date = () => new Date();
  async put(finding: Finding): Promise<'created' | 'superseded' | 'exists'> {
    const stored = this.findings.get(finding.analysisId);
    if (stored === undefined) {
      this.findings.set(finding.analysisId, finding);
      this.storedAt.set(finding.analysisId, this.clock().toISOString());
      return 'created';
    }
    if (stored.status === 'FAILED' && finding.status !== 'FAILED') {
      this.findings.set(finding.analysisId, finding);
      return 'superseded';
    }
    return 'exists';
  }
  async get(analysisId: string): Promise<Finding | undefined> {
    return this.findings.get(analysisId);
  }
  readonly notified = new Map<string, string>();
  async isNotified(analysisId: string): Promise<boolean> {
    return this.notified.has(analysisId);
  }
  async markNotified(analysisId: string, messageId: string): Promise<boolean> {
    if (!this.findings.has(analysisId) || this.notified.has(analysisId)) return false;
    this.notified.set(analysisId, messageId);
    return true;
  }
  async listByService(query: ListQuery): Promise<FindingPage> {
    this.queries.push(query);
    if (this.listResult) return this.listResult;
    const all: FindingSummary[] = [...this.findings.values()]
      .filter((f) => f.trigger.service === query.service)
      .map((f) => ({
        analysisId: f.analysisId,
        service: query.service,
        status: f.status,
        at: f.window?.end ?? '',
        rootCause: f.rootCauses[0]?.service ?? null,
        systemHealth: f.systemHealth,
        summary: f.summary,
      }))
      .sort((a, b) => (a.at < b.at ? 1 : -1));
    const start = query.next === undefined ? 0 : Number(query.next);
    const items = all.slice(start, start + query.limit);
    const end = start + items.length;
    return end < all.length ? { items, next: String(end) } : { items };
  }
}

export class RecordingNotifier implements Notifier {
  readonly published: { finding: Finding; reportPath: string; note?: IncidentNote }[] = [];
  async publish(finding: Finding, reportPath: string, note?: IncidentNote): Promise<{ messageId: string }> {
    this.published.push({ finding, reportPath, ...(note !== undefined ? { note } : {}) });
    return { messageId: `msg-${this.published.length}` };
  }
}

/**
 * The incidents store in memory: each change sees what the DynamoDB store would read for its scope
 * (for an alarm, every open incident — a superset of those near it — and its membership; for an OK,
 * the incidents holding the alarm; else the one incident), one caller at a time, and what it
 * changed (by revision) is kept by id, with the memberships and the OKs that came first.
 */
export class MemoryIncidentsWriter implements IncidentsWriter {
  readonly incidents = new Map<string, Incident>();
  readonly attached = new Map<string, string>();
  readonly earlyOks = new Map<string, string>();
  writes = 0;

  /** Every incident as stored (MERGED ones too). */
  get all(): Incident[] {
    return [...this.incidents.values()];
  }

  async mutate<R>(scope: IncidentScope, change: (doc: OpenIncidents) => Change<R>): Promise<R> {
    const live = this.all.filter((i) => i.status !== 'MERGED');
    const holder = (id: string) => {
      let i = this.incidents.get(id);
      for (let hop = 0; hop < 5 && i?.status === 'MERGED' && i.mergedInto; hop++)
        i = this.incidents.get(i.mergedInto);
      return i;
    };
    let doc: OpenIncidents;
    if (scope.kind === 'attach') {
      const pointer = this.attached.get(scope.analysisId);
      const held = pointer === undefined ? undefined : holder(pointer);
      const early = this.earlyOks.get(scope.alarmKey);
      doc = {
        version: 0,
        incidents: live.filter((i) => i.status === 'OPEN' || i === held),
        earlyOks: early === undefined ? [] : [{ alarmKey: scope.alarmKey, at: early }],
        ...(held !== undefined ? { attached: { [scope.analysisId]: held.incidentId } } : {}),
      };
    } else if (scope.kind === 'alarm-ok') {
      const early = this.earlyOks.get(scope.alarmKey);
      doc = {
        version: 0,
        incidents: live.filter((i) =>
          i.alarms.some((a) => a.alarmKey === scope.alarmKey && a.state === 'ALARM'),
        ),
        earlyOks: early === undefined ? [] : [{ alarmKey: scope.alarmKey, at: early }],
      };
    } else {
      const one = holder(scope.incidentId);
      doc = { version: 0, incidents: one === undefined ? [] : [one], earlyOks: [] };
    }
    const next = change(doc);
    let wrote = false;
    for (const i of [...next.doc.incidents, ...next.touched]) {
      if (this.incidents.get(i.incidentId)?.revision === i.revision) continue;
      this.incidents.set(i.incidentId, i);
      wrote = true;
      if (scope.kind === 'attach' && i.status !== 'MERGED' && !this.attached.has(scope.analysisId)) {
        if (i.alarms.some((a) => a.analysisId === scope.analysisId))
          this.attached.set(scope.analysisId, i.incidentId);
      }
    }
    if (scope.kind !== 'incident') {
      const early = next.doc.earlyOks.find((o) => o.alarmKey === scope.alarmKey);
      if (early?.at !== this.earlyOks.get(scope.alarmKey)) {
        if (early === undefined) this.earlyOks.delete(scope.alarmKey);
        else this.earlyOks.set(scope.alarmKey, early.at);
        wrote = true;
      }
    }
    if (wrote) this.writes++;
    return next.result;
  }
}

/** The sweep index over the in-memory incidents and findings, as DynamoOutboxSweepList reads it. */
export class MemoryOutboxSweepList implements OutboxSweepList {
  constructor(
    private readonly store: MemoryIncidentsWriter,
    private readonly repo: MemoryFindingsRepository,
  ) {}
  async incidents(limit: number): Promise<SweepIncidentRow[]> {
    return this.store.all
      .filter((i) => i.status === 'OPEN' || i.notifications.some((n) => !n.sent))
      .sort((a, b) => a.lastActivityAt.localeCompare(b.lastActivityAt))
      .slice(0, limit)
      .map((i) => {
        const pending = i.notifications.find((n) => !n.sent);
        return {
          incidentId: i.incidentId,
          status: i.status,
          lastActivityAt: i.lastActivityAt,
          ...(pending !== undefined ? { pendingAt: pending.decidedAt } : {}),
          ...(pending?.claimedAt !== undefined ? { pendingClaimedAt: pending.claimedAt } : {}),
        };
      });
  }
  async unsentFindings(before: string, limit: number): Promise<SweepFindingRow[]> {
    return [...this.repo.findings.values()]
      .filter((f) => f.trigger.source !== 'alarm' && !this.repo.notified.has(f.analysisId))
      .map((f) => ({ analysisId: f.analysisId, storedAt: this.repo.storedAt.get(f.analysisId) ?? '' }))
      .filter((r) => r.storedAt < before)
      .sort((a, b) => a.storedAt.localeCompare(b.storedAt))
      .slice(0, limit);
  }
}

/** Answers with the incident document for the window that ends last, the baseline for the other. */
export class FakeGraphSource implements GraphSource {
  readonly calls: { range: TimeRange; groupName: string | undefined }[] = [];
  constructor(
    private readonly incident: ServiceGraphDocument,
    private readonly baseline: ServiceGraphDocument,
    private readonly incidentEnd: string,
  ) {}
  async getServiceGraph(range: TimeRange, groupName?: string): Promise<ServiceGraphDocument> {
    this.calls.push({ range, groupName });
    return range.end.getTime() === Date.parse(this.incidentEnd) ? this.incident : this.baseline;
  }
}

export class FakeMetricsSource implements MetricsSource {
  readonly calls: { queries: readonly MetricQuery[]; range: TimeRange }[] = [];
  constructor(private readonly answer: (q: MetricQuery) => number[] | Error = () => []) {}
  async getMetrics(queries: readonly MetricQuery[], range: TimeRange): Promise<MetricResult[]> {
    this.calls.push({ queries, range });
    return queries.map((q) => {
      const values = this.answer(q);
      if (values instanceof Error) throw values;
      return {
        id: q.id,
        timestamps: values.map((_, i) => new Date(range.start.getTime() + i * 60_000)),
        values,
      };
    });
  }
}

export class FakeWorkflowStarter implements WorkflowStarter {
  readonly started: { name: string; input: ApiAnalysisInput }[] = [];
  async start(name: string, input: ApiAnalysisInput): Promise<{ executionArn: string }> {
    this.started.push({ name, input });
    return { executionArn: `arn:aws:states:eu-west-1:123456789012:execution:analyses:${name}` };
  }
}

// --- the shop example (examples/shop-incident.json), as GetServiceGraph documents ---

interface RawGraph {
  StartTime: number;
  EndTime: number;
  Services: unknown[];
}

export const SHOP = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../examples/shop-incident.json'), 'utf8'),
) as { incident: RawGraph; baseline: RawGraph };

export function asDocument(g: RawGraph): ServiceGraphDocument {
  return {
    StartTime: new Date(g.StartTime * 1000).toISOString(),
    EndTime: new Date(g.EndTime * 1000).toISOString(),
    Services: g.Services,
  };
}

export const EMPTY_GRAPH: ServiceGraphDocument = {
  StartTime: '2026-11-20T03:00:00.000Z',
  EndTime: '2026-11-20T03:15:00.000Z',
  Services: [],
};

// --- events ---

export const ALARM_TIME = '2026-11-20T03:15:00.000+0000';

/** A CloudWatch "Alarm State Change" to ALARM as EventBridge delivers it; `patch` edits the detail. */
export function alarmEvent(
  alarmName = 'cascade-analyzer-frontend-fault-rate',
  patch: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    version: '0',
    id: 'c4c1c1c9-6542-e61b-6ef0-8c4d36933a92',
    'detail-type': 'CloudWatch Alarm State Change',
    source: 'aws.cloudwatch',
    account: '123456789012',
    time: '2026-11-20T03:15:01Z',
    region: 'eu-west-1',
    resources: [`arn:aws:cloudwatch:eu-west-1:123456789012:alarm:${alarmName}`],
    detail: {
      alarmName,
      state: { value: 'ALARM', reason: 'Threshold Crossed', timestamp: ALARM_TIME },
      previousState: { value: 'OK', reason: 'ok', timestamp: '2026-11-20T02:00:00.000+0000' },
      configuration: {
        metrics: [
          {
            id: 'total',
            metricStat: {
              metric: {
                namespace: 'AWS/X-Ray',
                name: 'ApproximateTraceCount',
                dimensions: { GroupName: 'ca-frontend' },
              },
              period: 60,
              stat: 'Sum',
            },
            returnData: false,
          },
          { id: 'expr', expression: 'IF(total >= 10, 100 * FILL(part, 0) / total, 0)', returnData: true },
        ],
      },
      ...patch,
    },
  };
}

export function apiEvent(
  method: string,
  path: string,
  options: { query?: Record<string, string>; body?: string; resource?: string; id?: string } = {},
): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    path,
    resource: options.resource ?? '/{proxy+}',
    body: options.body ?? null,
    isBase64Encoded: false,
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: options.query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: options.id !== undefined ? { id: options.id } : null,
    stageVariables: null,
    requestContext: { requestId: 'req-1234', path: `/v1${path}`, stage: 'v1' },
  } as unknown as APIGatewayProxyEvent;
}

/** A COMPLETED finding to read back through the API. */
export function sampleFinding(analysisId: string, service: string): Finding {
  return {
    analysisId,
    status: 'COMPLETED',
    method: 'engine',
    trigger: { source: 'alarm', service, alarmName: `cascade-analyzer-${service}-fault-rate` },
    window: { start: '2026-11-20T03:00:00.000Z', end: '2026-11-20T03:15:00.000Z' },
    baselineWindow: { start: '2026-11-20T02:00:00.000Z', end: '2026-11-20T03:00:00.000Z' },
    rootCauses: [
      {
        rank: 1,
        service: 'payments',
        type: 'remote',
        kind: 'faults',
        kinds: ['faults'],
        score: 1.2,
        confidence: 0.9,
        impactScore: 40,
        evidence: [
          {
            signal: 'faults',
            text: 'failure rate 15.3 % over 21708 requests',
            incident: 0.153,
            requests: 21708,
          },
        ],
        blastRadius: {
          affected: [service],
          atRisk: [service],
          entryPoints: [service],
          entryTrafficShare: 0.4,
        },
      },
    ],
    dependencyChain: [
      {
        service,
        type: 'AWS::ECS::Container',
        depth: 0,
        parent: null,
        role: 'propagator',
        faultRate: 0.06,
        p99: 0.4,
      },
      {
        service: 'payments',
        type: 'remote',
        depth: 1,
        parent: service,
        role: 'origin',
        faultRate: 0.15,
        p99: 0.2,
      },
    ],
    cascade: { paths: [{ rank: 1, origin: 'payments', services: ['payments', service] }] },
    services: [],
    recommendations: [
      { service: 'payments', action: 'circuit-breaker', text: 'Put a circuit breaker on calls to payments.' },
    ],
    systemHealth: 0.8,
    summary: 'Most likely root cause: payments.',
    engineVersion: '0.1.0',
  };
}

/** On-call verdicts in memory, as DynamoFeedbackStore keeps them (issue 21). */
export class MemoryFeedbackStore {
  readonly records = new Map<string, FeedbackRecord>();
  async get(analysisId: string): Promise<FeedbackRecord | undefined> {
    return this.records.get(analysisId);
  }
  async open(finding: Finding): Promise<void> {
    const subject = feedbackSubject(finding, finding.window?.end ?? '');
    if (subject !== undefined && !this.records.has(finding.analysisId))
      this.records.set(finding.analysisId, subject);
  }
  async give(finding: Finding, verdict: Verdict): Promise<FeedbackRecord> {
    const subject = feedbackSubject(finding, finding.window?.end ?? '');
    if (subject === undefined) throw new Error(`finding ${finding.analysisId} names no root cause`);
    const next = recordVerdict(this.records.get(finding.analysisId) ?? subject, verdict);
    this.records.set(finding.analysisId, next);
    return next;
  }
  async list(from: string, to: string): Promise<{ records: FeedbackRecord[]; truncated: boolean }> {
    const records = [...this.records.values()].filter((r) => r.at >= from && r.at <= to);
    return { records, truncated: false };
  }
}
