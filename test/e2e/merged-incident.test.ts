// One status everywhere (issue 18, section 5): an incident merged into another is MERGED with no
// alarms in `incidents get` and GET /incidents/{id}, and must read the same in the lists by service
// (`incidents list --service`, GET /incidents?service=), which used to show it OPEN with its alarm.

import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentSummary } from '../../lambdas/adapters/incidents-store.ts';
import type { Incident } from '../../lambdas/core/incidents/model.ts';
import { route } from '../../lambdas/handlers/api.ts';
import { LocalPipeline } from '../../lambdas/local/pipeline.ts';
import { exampleScenarios, findScenario } from '../../lambdas/local/scenarios.ts';
import type { TaskFunction } from '../../lambdas/local/state-machine.ts';

const WATCHED = ['frontend', 'order-service', 'payment-service'];

function get(path: string, query?: Record<string, string>): APIGatewayProxyEvent {
  return {
    httpMethod: 'GET',
    path,
    resource: '/{proxy+}',
    body: null,
    isBase64Encoded: false,
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: query ?? null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: { requestId: 'req-1', path: `/v1${path}`, stage: 'v1' },
  } as unknown as APIGatewayProxyEvent;
}

describe('E2E: a merged incident', () => {
  let pipeline: LocalPipeline;
  let analyzeFails = false;

  beforeAll(async () => {
    const shop = await findScenario(exampleScenarios, 'shop');
    // While armed, the Analyze step fails: its alarms open incidents with FAILED analyses, which
    // know nothing of the cascade, until a result shows that they are one.
    const task =
      (state: string, fn: TaskFunction): TaskFunction =>
      async (input) => {
        if (state === 'Analyze' && analyzeFails) throw new Error('injected: Analyze fails');
        return fn(input);
      };
    pipeline = await LocalPipeline.start({
      xray: { replay: shop.snapshot },
      watch: WATCHED,
      retryDelayMs: 1,
      faults: { task },
    });
  }, 120_000);

  afterAll(async () => {
    await pipeline?.stop();
  });

  it('should show the same status and alarm count in the lists by service as in the incident itself', async () => {
    // Prepare: two alarms whose analyses fail open two incidents; a third, analyzed, merges them.
    const t0 = Date.now() - 60_000;
    analyzeFails = true;
    await pipeline.run(pipeline.alarmEvent('frontend', new Date(t0)));
    await pipeline.run(pipeline.alarmEvent('payment-service', new Date(t0 + 1_000)));
    analyzeFails = false;
    const merging = await pipeline.run(pipeline.alarmEvent('order-service', new Date(t0 + 2_000)));
    expect(merging.status).toBe('SUCCEEDED');

    // Act: every incident listed for an alarmed service, through the store (as `incidents list
    // --service` reads it) and through the API, next to the incident read by id.
    const deps = pipeline.apiDeps();
    const seen: { service: string; listed: IncidentSummary; api: IncidentSummary; incident: Incident }[] = [];
    for (const service of ['frontend', 'payment-service']) {
      const listed = (await pipeline.incidents.listByService({ service, limit: 10 })).items;
      const res = await route(get('/incidents', { service }), deps);
      expect(res.statusCode).toBe(200);
      const api = (JSON.parse(res.body) as { items: IncidentSummary[] }).items;
      expect(api.map((i) => i.incidentId).sort()).toEqual(listed.map((i) => i.incidentId).sort());
      for (const item of listed) {
        const one = await route(get(`/incidents/${item.incidentId}`), deps);
        expect(one.statusCode).toBe(200);
        seen.push({
          service,
          listed: item,
          api: api.find((i) => i.incidentId === item.incidentId) as IncidentSummary,
          incident: JSON.parse(one.body) as Incident,
        });
      }
    }

    // Assess: a merge happened, and every view of every incident agrees.
    const merged = seen.filter((s) => s.incident.status === 'MERGED');
    expect(merged.length).toBeGreaterThan(0);
    for (const s of seen) {
      const label = `${s.service}: ${s.incident.incidentId}`;
      expect(s.listed.status, label).toBe(s.incident.status);
      expect(s.api.status, label).toBe(s.incident.status);
      expect(s.listed.alarmCount, label).toBe(s.incident.alarms.length);
      expect(s.api.alarmCount, label).toBe(s.incident.alarms.length);
    }
    const target = merged[0]?.incident.mergedInto;
    expect((await pipeline.incidents.get(target ?? ''))?.status).toBe('OPEN');
  }, 120_000);
});
