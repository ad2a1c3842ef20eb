// The API's scoping (issue 10 item 8) and its incident routes, on the handler with in-memory fakes.

import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import {
  type IncidentListQuery,
  type IncidentPage,
  summaryOf,
} from '../../lambdas/adapters/incidents-store.ts';
import { attachAnalysis } from '../../lambdas/core/incidents/lifecycle.ts';
import {
  DEFAULT_INCIDENT_CONFIG,
  EMPTY_OPEN_INCIDENTS,
  type Incident,
} from '../../lambdas/core/incidents/model.ts';
import { type ApiDeps, route } from '../../lambdas/handlers/api.ts';
import { scopeOf } from '../../lambdas/handlers/api-access.ts';
import { readAccessRules } from '../../lambdas/handlers/env.ts';
import { apiEvent, FakeWorkflowStarter, MemoryFindingsRepository, sampleFinding } from './fakes.ts';

const TEAM = 'arn:aws:sts::111122223333:assumed-role/team-checkout-oncall/alice';
const OTHER = 'arn:aws:sts::111122223333:assumed-role/team-search/bob';
const RULES = [
  { principal: 'arn:aws:sts::111122223333:assumed-role/team-checkout-*', services: ['checkout'] },
];

const as = (caller: string | undefined, event: APIGatewayProxyEvent): APIGatewayProxyEvent => ({
  ...event,
  requestContext: {
    ...event.requestContext,
    identity: { userArn: caller },
  } as APIGatewayProxyEvent['requestContext'],
});

function incidentOn(service: string): Incident {
  return attachAnalysis(
    EMPTY_OPEN_INCIDENTS,
    {
      analysisId: `alarm-${service}`,
      alarmKey: `${service}-fault-rate`,
      alarmName: `${service}-fault-rate`,
      service,
      firedAt: '2026-11-20T03:00:00.000Z',
      status: 'COMPLETED',
      rootCause: 'payments',
      reach: [service, 'payments'],
      near: [service],
    },
    new Date('2026-11-20T03:01:00.000Z'),
    DEFAULT_INCIDENT_CONFIG,
  ).incident;
}

async function deps(access = RULES) {
  const repository = new MemoryFindingsRepository();
  await repository.put(sampleFinding('alarm-checkout', 'checkout'));
  await repository.put(sampleFinding('alarm-payments', 'payments'));
  const incidents = new Map([incidentOn('checkout'), incidentOn('payments')].map((i) => [i.incidentId, i]));
  const starter = new FakeWorkflowStarter();
  const d: ApiDeps = {
    repository,
    incidents: {
      get: async (id) => incidents.get(id),
      incidentOf: async (analysisId) =>
        [...incidents.values()].find((i) => i.analyses.some((a) => a.analysisId === analysisId))?.incidentId,
      listByService: async (q: IncidentListQuery): Promise<IncidentPage> => ({
        items: [...incidents.values()]
          .filter((i) => i.alarms.some((a) => a.service === q.service))
          .map(summaryOf),
      }),
    },
    access,
    starter,
    newId: () => 'api-7d1c0d6e-0000-4000-8000-000000000001',
    now: () => new Date('2026-11-20T04:00:00Z'),
  };
  return { d, starter, ids: [...incidents.keys()] as [string, string] };
}

describe('Handler: api scoping', () => {
  it('should let a scoped caller read, list and analyse its own services only', async () => {
    // Prepare
    const { d, starter } = await deps();

    // Act
    const own = await route(as(TEAM, apiEvent('GET', '/analyses/alarm-checkout')), d);
    const other = await route(as(TEAM, apiEvent('GET', '/analyses/alarm-payments')), d);
    const report = await route(as(TEAM, apiEvent('GET', '/analyses/alarm-payments/report')), d);
    const list = await route(as(TEAM, apiEvent('GET', '/analyses', { query: { service: 'payments' } })), d);
    const start = await route(
      as(TEAM, apiEvent('POST', '/analyses', { body: JSON.stringify({ service: 'payments' }) })),
      d,
    );

    // Assess
    expect(own.statusCode).toBe(200);
    expect(other.statusCode).toBe(404);
    expect(report.statusCode).toBe(404);
    expect(list.statusCode).toBe(403);
    expect(start.statusCode).toBe(403);
    expect(starter.started).toEqual([]);
  });

  it('should refuse a caller the list does not name, and let everyone in without a list', async () => {
    // Prepare
    const scoped = await deps();
    const open = await deps([]);

    // Act
    const refused = await route(as(OTHER, apiEvent('GET', '/analyses/alarm-checkout')), scoped.d);
    const anonymous = await route(as(undefined, apiEvent('GET', '/analyses/alarm-checkout')), scoped.d);
    const anyone = await route(as(OTHER, apiEvent('GET', '/analyses/alarm-payments')), open.d);

    // Assess
    expect(refused.statusCode).toBe(403);
    expect(anonymous.statusCode).toBe(403);
    expect(anyone.statusCode).toBe(200);
  });

  it('should scope the incident routes the same way', async () => {
    // Prepare
    const { d, ids } = await deps();

    // Act
    const mine = await route(as(TEAM, apiEvent('GET', `/incidents/${ids[0]}`)), d);
    const theirs = await route(as(TEAM, apiEvent('GET', `/incidents/${ids[1]}`)), d);
    const list = await route(as(TEAM, apiEvent('GET', '/incidents', { query: { service: 'checkout' } })), d);
    const forbidden = await route(
      as(TEAM, apiEvent('GET', '/incidents', { query: { service: 'payments' } })),
      d,
    );

    // Assess
    expect(mine.statusCode).toBe(200);
    const incident = JSON.parse(mine.body) as Incident & { analyses: { report: string }[] };
    expect(incident.alarms.map((a) => a.service)).toEqual(['checkout']);
    expect(incident.analyses[0]?.report).toBe('/analyses/alarm-checkout/report');
    expect(incident.timeline.length).toBeGreaterThan(0);
    expect(theirs.statusCode).toBe(404);
    expect(JSON.parse(list.body).items.map((i: { incidentId: string }) => i.incidentId)).toEqual([ids[0]]);
    expect(forbidden.statusCode).toBe(403);
  });

  it('should link the HTML report of an analysis to its incident', async () => {
    // Prepare
    const { d, ids } = await deps([]);

    // Act
    const res = await route(apiEvent('GET', '/analyses/alarm-checkout/report'), d);

    // Assess
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`part of incident <a href="../../incidents/${ids[0]}">${ids[0]}</a>`);
  });

  it('should answer 400 for an id that is no incident id', async () => {
    // Prepare
    const { d } = await deps([]);

    // Act
    const res = await route(apiEvent('GET', '/incidents/nope'), d);

    // Assess
    expect(res.statusCode).toBe(400);
  });
});

describe('Function: scopeOf', () => {
  it('should match exact ARNs and prefixes, join the services of every matching rule, and let * mean all', () => {
    // Act & Assess
    expect(scopeOf(TEAM, [])).toBe('all');
    expect(scopeOf(TEAM, [...RULES, { principal: TEAM, services: ['cart'] }])).toEqual(
      new Set(['checkout', 'cart']),
    );
    expect(scopeOf(TEAM, [{ principal: TEAM, services: ['*'] }])).toBe('all');
    expect(scopeOf(OTHER, RULES)).toBe('denied');
  });

  it('should read API_ACCESS and fail naming it when it is malformed', () => {
    // Act & Assess
    expect(readAccessRules({})).toEqual([]);
    expect(readAccessRules({ API_ACCESS: JSON.stringify(RULES) })).toEqual(RULES);
    expect(() => readAccessRules({ API_ACCESS: '[{"principal": ""}]' })).toThrow(/API_ACCESS/);
  });
});
