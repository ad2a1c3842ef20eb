// Scoping that holds (issue 18, section 3): an analysis of a service that is not in the graph is
// never a whole-graph analysis. The workflow's Analyze step stores a NO_DATA finding, and the API
// answers 404 naming the services that are in the graph — only those the caller may see.

import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../lambdas/core/model.ts';
import { analyzeIncident } from '../../lambdas/handlers/analyze.ts';
import { type ApiDeps, route } from '../../lambdas/handlers/api.ts';
import type { Enriched } from '../../lambdas/handlers/contracts.ts';
import {
  asDocument,
  FakeWorkflowStarter,
  MemoryFindingsRepository,
  MemorySnapshotStore,
  SHOP,
} from './fakes.ts';

const ID = 'api-7d1c0d6e-0000-4000-8000-000000000002';
const TEAM = 'arn:aws:sts::111122223333:assumed-role/team-web/alice';
const ONCALL = 'arn:aws:sts::111122223333:assumed-role/oncall/bob';

/** What the workflow's Analyze step gets for `POST /analyses {"service": …}`. */
function apiRequest(service: string): Enriched {
  return {
    analysisId: ID,
    service,
    trigger: { source: 'api', service },
    window: { start: '2026-11-20T03:00:00.000Z', end: '2026-11-20T03:15:00.000Z' },
    baseline: { start: '2026-11-20T02:00:00.000Z', end: '2026-11-20T03:00:00.000Z' },
    snapshotKey: `snapshots/${ID}.json`,
    serviceCount: 9,
    metrics: {},
  };
}

/** The Analyze step on the shop's graph, its finding stored as the Store step would. */
async function analyzeAndStore(service: string): Promise<MemoryFindingsRepository> {
  const snapshotStore = new MemorySnapshotStore();
  const request = apiRequest(service);
  await snapshotStore.put(
    request.snapshotKey,
    JSON.stringify({ incident: asDocument(SHOP.incident), baseline: asDocument(SHOP.baseline) }),
  );
  const analyzed = await analyzeIncident(request, { snapshotStore, watched: [] });
  const repository = new MemoryFindingsRepository();
  await repository.put(JSON.parse(snapshotStore.docs.get(analyzed.findingKey) ?? 'null') as Finding);
  return repository;
}

function deps(repository: MemoryFindingsRepository): ApiDeps {
  return {
    repository,
    starter: new FakeWorkflowStarter(),
    // A team that may see its own web tier only, and on-call, who sees everything.
    access: [
      {
        principal: 'arn:aws:sts::111122223333:assumed-role/team-web/*',
        services: ['frontend', 'fronted', 'order-service'],
      },
      { principal: 'arn:aws:sts::111122223333:assumed-role/oncall/*', services: ['*'] },
    ],
    newId: () => ID,
    now: () => new Date('2026-11-20T04:00:00Z'),
  };
}

function get(path: string, caller?: string): APIGatewayProxyEvent {
  return {
    httpMethod: 'GET',
    path,
    resource: '/{proxy+}',
    body: null,
    isBase64Encoded: false,
    headers: {},
    multiValueHeaders: {},
    queryStringParameters: null,
    multiValueQueryStringParameters: null,
    pathParameters: null,
    stageVariables: null,
    requestContext: {
      requestId: 'req-1',
      path: `/v1${path}`,
      stage: 'v1',
      ...(caller !== undefined ? { identity: { userArn: caller } } : {}),
    },
  } as unknown as APIGatewayProxyEvent;
}

const body = (r: APIGatewayProxyResult) => JSON.parse(r.body) as { message: string; services?: string[] };
const SHOP_SERVICES = [
  'api.payments.example.com',
  'frontend',
  'inventory-db',
  'inventory-service',
  'order-service',
  'payment-service',
  'user-service',
  'users',
];

describe('Scoping: a service that is not in the graph', () => {
  it('should answer a scoped caller 404 naming only the services it may see, never a whole-graph finding', async () => {
    // Prepare: the team asked for "fronted" (a typo); the window's graph holds the whole shop.
    const repository = await analyzeAndStore('fronted');

    // Act
    const analysis = await route(get(`/analyses/${ID}`, TEAM), deps(repository));
    const report = await route(get(`/analyses/${ID}/report`, TEAM), deps(repository));

    // Assess
    expect(analysis.statusCode).toBe(404);
    expect(body(analysis).services).toEqual(['frontend', 'order-service']);
    expect(body(analysis).message).toBe(
      'service "fronted" is not in the X-Ray graph of the analysis window; did you mean "frontend"?',
    );
    expect(report.statusCode).toBe(404);
    for (const hidden of ['payment-service', 'api.payments.example.com', 'inventory-db']) {
      expect(analysis.body).not.toContain(hidden);
      expect(report.body).not.toContain(hidden);
    }
  });

  it('should answer an unscoped caller 404 naming every service of the graph', async () => {
    // Prepare
    const repository = await analyzeAndStore('checkout');
    const open = { ...deps(repository), access: [] };

    // Act
    const unscoped = await route(get(`/analyses/${ID}`), open);
    const oncall = await route(get(`/analyses/${ID}`, ONCALL), deps(repository));

    // Assess
    expect(unscoped.statusCode).toBe(404);
    expect(body(unscoped).services).toEqual(SHOP_SERVICES);
    expect(body(unscoped).message).toContain('service "checkout" is not in the X-Ray graph');
    expect(oncall.statusCode).toBe(404);
    expect(body(oncall).services).toEqual(body(unscoped).services);
  });

  it('should store a NO_DATA finding that names no other service in what any reader sees', async () => {
    // Act
    const repository = await analyzeAndStore('fronted');
    const stored = await repository.get(ID);

    // Assess
    expect(stored?.status).toBe('NO_DATA');
    expect(stored?.rootCauses).toEqual([]);
    expect(stored?.services).toEqual([]);
    expect(stored?.dependencyChain).toEqual([]);
    expect(stored?.cascade.paths).toEqual([]);
    for (const other of SHOP_SERVICES) expect(stored?.summary).not.toContain(other);
  });

  it('should still analyze a service that is in the graph, scoped to what it calls', async () => {
    // Act
    const repository = await analyzeAndStore('frontend');
    const res = await route(get(`/analyses/${ID}`, TEAM), deps(repository));

    // Assess
    expect(res.statusCode).toBe(200);
    expect((JSON.parse(res.body) as Finding).rootCauses[0]?.service).toBe('api.payments.example.com');
  });
});
