// The whole flow through the synthesized state machine: alarm event → Prepare → CollectGraph (the
// real X-Ray client against the local endpoint) → Enrich → Analyze → Store (dynalite) → Correlate
// (the incident) → Notify (moto SNS), read back through an SQS subscription as a subscriber would.
// Each test starts with no open incident, so its first alarm opens one and is notified.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LocalPipeline } from '../../lambdas/local/pipeline.ts';
import { replaySnapshot } from '../../lambdas/local/replay.ts';
import type { ExecutionReport } from '../../lambdas/local/state-machine.ts';
import type { GraphRequest } from '../../lambdas/local/xray-endpoint.ts';
import { type LocalServer, startMotoServer } from '../support/local-servers.ts';
import {
  expireOpenIncidents,
  groupOf,
  LIMIT_BYTES,
  ROOT_CAUSE,
  shopScenario,
  subscribeQueue,
  type TopicQueue,
} from './e2e-kit.ts';

/** A watched service X-Ray has no trace of: its group answers an empty graph. */
const IDLE_SERVICE = 'reporting-service';

const analysisIdOf = (report: ExecutionReport, state = 'Prepare'): string => {
  const run = report.states.find((s) => s.state === state && s.outcome === 'succeeded');
  expect(run, `${state} did not succeed`).toBeDefined();
  return (report.output as { analysisId: string }).analysisId;
};

/** The incident Correlate attached the execution's analysis to. */
const incidentOf = (report: ExecutionReport): string | undefined =>
  (report.output as { incidentId?: string } | undefined)?.incidentId;

const stateNames = (report: ExecutionReport) => report.states.map((s) => `${s.state}:${s.outcome}`);

describe('E2E: alarm → synthesized workflow → DynamoDB + SNS', () => {
  let moto: LocalServer;
  let pipeline: LocalPipeline;
  let queue: TopicQueue;
  let idleGroup: string;
  const firstAlarm = Math.floor(Date.now() / 1000) * 1000;
  let alarms = 0;
  /** A distinct alarm time per test: a distinct alarm state change, so a distinct analysis. */
  const alarmTime = () => new Date(firstAlarm - 1000 * alarms++);

  beforeAll(async () => {
    moto = await startMotoServer();
    const shop = await shopScenario();
    const replay = replaySnapshot(shop.snapshot, { incidentMinutes: 15 });
    pipeline = await LocalPipeline.start({
      xray: {
        graphs: (req: GraphRequest) =>
          req.groupName === idleGroup
            ? [{ StartTime: req.start.getTime() / 1000, EndTime: req.end.getTime() / 1000, Services: [] }]
            : replay(req),
      },
      watch: ['frontend', 'order-service', IDLE_SERVICE],
      snsEndpoint: moto.endpoint,
      retryDelayMs: 50,
    });
    idleGroup = groupOf(pipeline.app, IDLE_SERVICE);
    queue = await subscribeQueue(moto.endpoint, pipeline.topicArn as string, 'e2e-findings');
  }, 60_000);

  beforeEach(async () => {
    await expireOpenIncidents(pipeline);
  });

  afterAll(async () => {
    queue?.destroy();
    await pipeline?.stop();
    await moto?.stop();
  });

  it('should store the finding and publish a message naming the external payment API for a frontend alarm', async () => {
    // Prepare
    const event = pipeline.alarmEvent('frontend', alarmTime());
    const requestsBefore = pipeline.xray?.requests.length ?? 0;

    // Act
    const report = await pipeline.run(event);

    // Assess
    expect(report.status).toBe('SUCCEEDED');
    expect(stateNames(report)).toEqual([
      'Route:succeeded',
      'Prepare:succeeded',
      'CollectGraph:succeeded',
      'CollectEvidence:succeeded',
      'Enrich:succeeded',
      'Analyze:succeeded',
      'Store:succeeded',
      'Correlate:succeeded',
      'Notify:succeeded',
      'Done:succeeded',
    ]);
    const id = analysisIdOf(report);
    const finding = await pipeline.repository.get(id);
    expect(finding?.status).toBe('COMPLETED');
    expect(finding?.rootCauses[0]?.service).toBe(ROOT_CAUSE);
    expect(finding?.trigger).toEqual({
      source: 'alarm',
      service: 'frontend',
      alarmName: event.detail.alarmName,
    });
    // The real X-Ray client read both windows through the stack's X-Ray group for frontend.
    const xrayCalls = (pipeline.xray?.requests.slice(requestsBefore) ?? []).filter(
      (r) => r.path === '/ServiceGraph',
    );
    expect(xrayCalls.map((r) => r.status)).toEqual([200, 200]);
    expect(xrayCalls.map((r) => r.body.GroupName)).toEqual([
      groupOf(pipeline.app, 'frontend'),
      groupOf(pipeline.app, 'frontend'),
    ]);
    const messages = (await queue.receive({ min: 1 })).filter((m) => m.attributes.analysisId === id);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.attributes.rootCause).toBe(ROOT_CAUSE);
    expect(messages[0]?.subject).toContain(ROOT_CAUSE);
    expect(messages[0]?.message).toContain(`Root cause: ${ROOT_CAUSE}`);
    expect(report.largestPayload.bytes).toBeLessThan(LIMIT_BYTES);
  });

  it('should store one finding and send one message when the same alarm event arrives 20 times at once', async () => {
    // Prepare
    const event = pipeline.alarmEvent('frontend', alarmTime());

    // Act
    const reports = await Promise.all(Array.from({ length: 20 }, () => pipeline.run(structuredClone(event))));

    // Assess
    expect(reports.map((r) => r.status)).toEqual(Array(20).fill('SUCCEEDED'));
    const ids = new Set(reports.map((r) => analysisIdOf(r)));
    expect(ids.size).toBe(1);
    const [id] = [...ids] as [string];
    const sent = reports.flatMap((r) => (r.output as { incidentMessages: string[] }).incidentMessages);
    expect(sent).toHaveLength(1);
    const page = await pipeline.repository.listByService({ service: 'frontend', limit: 100 });
    expect(page.items.filter((f) => f.analysisId === id)).toHaveLength(1);
    const messages = (await queue.receive({ min: 1, settleMs: 2_500 })).filter(
      (m) => m.attributes.analysisId === id,
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]?.attributes.rootCause).toBe(ROOT_CAUSE);
  });

  it('should retry when X-Ray answers 429 three times and complete the analysis', async () => {
    // Prepare
    const xray = pipeline.xray;
    if (xray === undefined) throw new Error('the pipeline has no local X-Ray endpoint');
    const before = xray.requests.length;
    xray.throttleNext(3);

    // Act
    const report = await pipeline.run(pipeline.alarmEvent('frontend', alarmTime()));

    // Assess
    expect(report.status).toBe('SUCCEEDED');
    // The graph's two windows; CollectEvidence's trace reads come after and are not throttled.
    const statuses = xray.requests
      .slice(before)
      .filter((r) => r.path === '/ServiceGraph')
      .map((r) => r.status);
    expect(statuses.filter((s) => s === 429)).toHaveLength(3);
    expect(statuses.filter((s) => s === 200)).toHaveLength(2);
    const finding = await pipeline.repository.get(analysisIdOf(report));
    expect(finding?.status).toBe('COMPLETED');
    expect(finding?.rootCauses[0]?.service).toBe(ROOT_CAUSE);
  });

  it('should store and notify a FAILED finding for a malformed alarm event, without crashing', async () => {
    // Prepare: the state change's timestamp is not a time.
    const event = pipeline.alarmEvent('frontend', alarmTime());
    const malformed = {
      ...event,
      detail: { ...event.detail, state: { ...event.detail.state, timestamp: 'yesterday' } },
    };

    // Act
    const report = await pipeline.run(malformed);

    // Assess
    expect(report.status).toBe('FAILED');
    expect(report.error?.Error).toBe('AnalysisFailed');
    expect(stateNames(report)).toEqual([
      'Route:succeeded',
      'Prepare:caught',
      'RecordFailure:succeeded',
      'Failed:failed',
    ]);
    const recorded = report.states.find((s) => s.state === 'RecordFailure');
    expect(recorded).toBeDefined();
    const messages = await queue.receive({ min: 1 });
    const failed = messages.filter((m) => m.attributes.status === 'FAILED');
    expect(failed).toHaveLength(1);
    const id = failed[0]?.attributes.analysisId as string;
    const finding = await pipeline.repository.get(id);
    expect(finding?.status).toBe('FAILED');
    expect(finding?.trigger.alarmName).toBe(event.detail.alarmName);
    expect(finding?.error).toMatch(/InputValidationError: .*timestamp/);
  });

  it('should record a FAILED finding for input that is no event at all', async () => {
    // Act
    const report = await pipeline.run({ hello: 'world' });

    // Assess
    expect(report.status).toBe('FAILED');
    expect(stateNames(report)).toEqual([
      'Route:succeeded',
      'Prepare:caught',
      'RecordFailure:succeeded',
      'Failed:failed',
    ]);
    const failed = (await queue.receive({ min: 1 })).filter((m) => m.attributes.status === 'FAILED');
    expect(failed).toHaveLength(1);
    const finding = await pipeline.repository.get(failed[0]?.attributes.analysisId as string);
    expect(finding?.status).toBe('FAILED');
    expect(finding?.error).toMatch(/^InputValidationError: alarm event: detail-type/);
  });

  it('should store a NO_DATA finding when X-Ray has an empty graph for the alarmed service', async () => {
    // Act
    const report = await pipeline.run(pipeline.alarmEvent(IDLE_SERVICE, alarmTime()));

    // Assess
    expect(report.status).toBe('SUCCEEDED');
    const id = analysisIdOf(report);
    const finding = await pipeline.repository.get(id);
    expect(finding?.status).toBe('NO_DATA');
    expect(finding?.rootCauses).toEqual([]);
    expect(finding?.trigger.service).toBe(IDLE_SERVICE);
    const messages = (await queue.receive({ min: 1 })).filter((m) => m.attributes.analysisId === id);
    expect(messages.map((m) => m.attributes.status)).toEqual(['NO_DATA']);
  });

  it('should give two findings and one incident with one message when another service of the cascade alarms while the first analysis runs', async () => {
    // Prepare
    const at = alarmTime();
    let firstCollecting: () => void = () => undefined;
    const collecting = new Promise<void>((resolve) => {
      firstCollecting = resolve;
    });

    // Act: the second alarm fires once the first execution is inside CollectGraph.
    const first = pipeline.run(pipeline.alarmEvent('frontend', at), {
      listener: (e) => {
        if (e.type === 'state-entered' && e.state === 'CollectGraph') firstCollecting();
      },
    });
    await collecting;
    const second = pipeline.run(pipeline.alarmEvent('order-service', at));
    const [a, b] = await Promise.all([first, second]);

    // Assess
    expect(b.startedAt).toBeLessThan(a.startedAt + a.ms);
    expect([a.status, b.status]).toEqual(['SUCCEEDED', 'SUCCEEDED']);
    const ids = [analysisIdOf(a), analysisIdOf(b)];
    expect(ids[0]).not.toBe(ids[1]);
    const findings = await Promise.all(ids.map((id) => pipeline.repository.get(id)));
    expect(findings.map((f) => f?.trigger.service)).toEqual(['frontend', 'order-service']);
    expect(findings.map((f) => f?.rootCauses[0]?.service)).toEqual([ROOT_CAUSE, ROOT_CAUSE]);
    const messages = (await queue.receive({ min: 1, settleMs: 1_500 })).filter((m) =>
      ids.includes(m.attributes.analysisId ?? ''),
    );
    expect(messages).toHaveLength(1);
    expect(messages[0]?.attributes.notificationKind).toBe('opened');
    const incidents = [a, b].map(incidentOf);
    expect(incidents[0]).toBeDefined();
    expect(incidents[1]).toBe(incidents[0]);
  });
});
