// GET /incidents/{id}/postmortem on the API handler with in-memory fakes: the draft as Markdown or
// JSON, the incident's scoping, and a clear 400 or 404 for a bad id, format or unknown incident.

import type { APIGatewayProxyEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { IncidentPage } from '../../lambdas/adapters/incidents-reader.ts';
import type { Incident } from '../../lambdas/core/incidents/model.ts';
import { type ApiDeps, route } from '../../lambdas/handlers/api.ts';
import { consoleDashboardUrl } from '../../lambdas/report/console-link.ts';
import { shopRecordedIncident } from '../report/incident-fixtures.ts';
import { apiEvent, FakeWorkflowStarter, MemoryFindingsRepository } from './fakes.ts';

async function deps(access: ApiDeps['access'] = []): Promise<{ d: ApiDeps; incident: Incident }> {
  const { incident, findings } = shopRecordedIncident();
  const repository = new MemoryFindingsRepository();
  for (const f of findings.values()) await repository.put(f);
  return {
    incident,
    d: {
      repository,
      incidents: {
        get: async (id) => (id === incident.incidentId ? incident : undefined),
        incidentOf: async () => incident.incidentId,
        listByService: async (): Promise<IncidentPage> => ({ items: [] }),
      },
      access,
      starter: new FakeWorkflowStarter(),
      newId: () => 'api-7d1c0d6e-0000-4000-8000-000000000001',
      now: () => new Date('2026-11-20T04:00:00Z'),
    },
  };
}

const get = (id: string, query?: Record<string, string>, caller?: string): APIGatewayProxyEvent => {
  const event = apiEvent('GET', `/incidents/${id}/postmortem`, query ? { query } : {});
  return caller === undefined
    ? event
    : ({
        ...event,
        requestContext: { ...event.requestContext, identity: { userArn: caller } },
      } as unknown as APIGatewayProxyEvent);
};

describe('Handler: GET /incidents/{id}/postmortem', () => {
  it('should answer the Markdown draft by default, with its timeline and evidence', async () => {
    // Prepare
    const { d, incident } = await deps();
    // Act
    const res = await route(get(incident.incidentId), d);
    // Assess
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['Content-Type']).toBe('text/markdown; charset=utf-8');
    expect(res.body).toMatch(
      /^# Postmortem \(draft\): Incident inc-[0-9a-f]{24}: api\.payments\.example\.com/,
    );
    expect(res.body).toContain('## Timeline (UTC)');
    expect(res.body).toContain('| 2026-11-20 02:56:00 | Change: ECS service update');
    expect(res.body).toContain('## Action items');
  });

  it('should answer the JSON document with ?format=json, through the API Gateway resource too', async () => {
    // Prepare
    const { d, incident } = await deps();
    const viaResource = apiEvent('GET', `/incidents/${incident.incidentId}/postmortem`, {
      resource: '/incidents/{id}/postmortem',
      id: incident.incidentId,
      query: { format: 'json' },
    });
    // Act
    const res = await route(viaResource, d);
    // Assess
    expect(res.statusCode).toBe(200);
    expect(res.headers?.['Content-Type']).toBe('application/json; charset=utf-8');
    const draft = JSON.parse(res.body) as { incidentId: string; timeline: unknown[]; toFill: string[] };
    expect(draft.incidentId).toBe(incident.incidentId);
    expect(draft.timeline.length).toBeGreaterThan(3);
    expect(draft.toFill).toContain('Action items');
  });

  it('should refuse a bad format or id with a 400 naming it, and an unknown incident with a 404', async () => {
    // Prepare
    const { d, incident } = await deps();
    // Act
    const badFormat = await route(get(incident.incidentId, { format: 'pdf' }), d);
    const badId = await route(get('not-an-incident'), d);
    const unknown = await route(get('inc-000000000000000000000000'), d);
    const post = await route(apiEvent('POST', `/incidents/${incident.incidentId}/postmortem`), d);
    // Assess
    expect([badFormat.statusCode, JSON.parse(badFormat.body).message]).toEqual([
      400,
      'format: must be markdown or json',
    ]);
    expect([badId.statusCode, JSON.parse(badId.body).message]).toEqual([400, 'id: is not an incident id']);
    expect([unknown.statusCode, JSON.parse(unknown.body).message]).toEqual([
      404,
      'no incident inc-000000000000000000000000',
    ]);
    expect(post.statusCode).toBe(405);
  });

  it('should link the incident in the AWS console, in the draft and in GET /incidents/{id}, when the stack has the dashboard', async () => {
    // Prepare
    const { d, incident } = await deps();
    const url = consoleDashboardUrl(
      { region: 'eu-west-1', dashboardName: 'S-incidents' },
      incident.incidentId,
    );
    const linked: ApiDeps = { ...d, consoleLink: () => url };
    // Act
    const draft = await route(get(incident.incidentId), linked);
    const one = await route(apiEvent('GET', `/incidents/${incident.incidentId}`), linked);
    const plain = await route(apiEvent('GET', `/incidents/${incident.incidentId}`), d);
    // Assess
    expect(draft.body).toContain(`[The incident in the AWS console](${url})`);
    expect(JSON.parse(one.body).consoleUrl).toBe(url);
    expect(JSON.parse(plain.body).consoleUrl).toBeUndefined();
  });

  it('should answer 404 to a caller who may not see the incident’s alarmed service', async () => {
    // Prepare
    const rules = [
      { principal: 'arn:aws:sts::111122223333:assumed-role/team-search/*', services: ['search'] },
    ];
    const { d, incident } = await deps(rules);
    // Act
    const res = await route(
      get(incident.incidentId, undefined, 'arn:aws:sts::111122223333:assumed-role/team-search/bob'),
      d,
    );
    // Assess
    expect(res.statusCode).toBe(404);
  });
});
