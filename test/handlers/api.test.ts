import type { APIGatewayProxyResult } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { BadRequestError, type FindingPage } from '../../lambdas/adapters/ports.ts';
import { type ApiDeps, route } from '../../lambdas/handlers/api.ts';
import { escapeHtml, REPORT_CSP } from '../../lambdas/handlers/report-html.ts';
import { apiEvent, FakeWorkflowStarter, MemoryFindingsRepository, sampleFinding } from './fakes.ts';

const NOW = new Date('2026-11-20T04:00:00Z');

function deps() {
  const repository = new MemoryFindingsRepository();
  const starter = new FakeWorkflowStarter();
  const errors: unknown[] = [];
  const d: ApiDeps = {
    repository,
    starter,
    newId: () => 'api-7d1c0d6e-0000-4000-8000-000000000001',
    now: () => NOW,
    onError: (e) => errors.push(e),
  };
  return { d, repository, starter, errors };
}

const body = (r: APIGatewayProxyResult) => JSON.parse(r.body) as Record<string, unknown>;
const post = (json: unknown) =>
  apiEvent('POST', '/analyses', { body: typeof json === 'string' ? json : JSON.stringify(json) });
const listing = (query: Record<string, string>) => apiEvent('GET', '/analyses', { query });

describe('Handler: api', () => {
  describe('POST /analyses', () => {
    it('should start the workflow named by the new id and answer 202 with its location', async () => {
      // Prepare
      const { d, starter } = deps();

      // Act
      const res = await route(post({ service: 'frontend' }), d);

      // Assess
      const id = 'api-7d1c0d6e-0000-4000-8000-000000000001';
      expect(res.statusCode).toBe(202);
      expect(body(res)).toEqual({ analysisId: id, location: `/analyses/${id}` });
      expect(res.headers?.Location).toBe(`/v1/analyses/${id}`);
      expect(starter.started).toEqual([
        { name: id, input: { source: 'api', analysisId: id, service: 'frontend' } },
      ]);
    });

    it('should pass a window on, normalised to UTC', async () => {
      // Prepare
      const { d, starter } = deps();

      // Act
      const res = await route(
        post({
          service: 'frontend',
          window: { start: '2026-11-20T04:00:00+01:00', end: '2026-11-20T03:30:00Z' },
        }),
        d,
      );

      // Assess
      expect(res.statusCode).toBe(202);
      expect(starter.started[0]?.input.window).toEqual({
        start: '2026-11-20T03:00:00.000Z',
        end: '2026-11-20T03:30:00.000Z',
      });
    });

    it('should answer 400 naming service when it is missing', async () => {
      // Prepare
      const { d, starter } = deps();

      // Act
      const res = await route(
        post({ window: { start: '2026-11-20T03:00:00Z', end: '2026-11-20T03:15:00Z' } }),
        d,
      );

      // Assess
      expect(res.statusCode).toBe(400);
      expect(body(res).message).toBe('service: required');
      expect(starter.started).toHaveLength(0);
    });

    it('should answer 400 for a body that is not JSON, and for no body', async () => {
      // Prepare
      const { d } = deps();

      // Act
      const bad = await route(post('{"service": '), d);
      const none = await route(apiEvent('POST', '/analyses'), d);

      // Assess
      expect(bad.statusCode).toBe(400);
      expect(body(bad).message).toBe('body: not valid JSON');
      expect(none.statusCode).toBe(400);
      expect(body(none).message).toMatch(/^body: required/);
    });

    it('should answer 400 naming the window when it is backwards, too long or in the future', async () => {
      // Prepare
      const { d } = deps();
      const windows = [
        [{ start: '2026-11-20T03:15:00Z', end: '2026-11-20T03:00:00Z' }, /^window: start must be before end/],
        [
          { start: '2026-11-19T20:00:00Z', end: '2026-11-20T03:00:00Z' },
          /^window: must span at most 6 hours/,
        ],
        [
          { start: '2026-11-20T05:00:00Z', end: '2026-11-20T05:10:00Z' },
          /^window\.end: must not be in the future/,
        ],
        [{ start: 'soon', end: '2026-11-20T03:00:00Z' }, /^window\.start: must be an ISO-8601 timestamp/],
      ] as const;

      for (const [window, message] of windows) {
        // Act
        const res = await route(post({ service: 'frontend', window }), d);

        // Assess
        expect(res.statusCode).toBe(400);
        expect(body(res).message).toMatch(message);
      }
    });

    it('should answer 400 naming an unknown property', async () => {
      // Act
      const res = await route(post({ service: 'frontend', services: ['x'] }), deps().d);

      // Assess
      expect(res.statusCode).toBe(400);
      expect(body(res).message).toMatch(/services/);
    });
  });

  describe('GET /analyses/{id}', () => {
    it('should answer 200 with the finding', async () => {
      // Prepare
      const { d, repository } = deps();
      await repository.put(sampleFinding('alarm-1', 'frontend'));

      // Act
      const res = await route(
        apiEvent('GET', '/analyses/alarm-1', { resource: '/analyses/{id}', id: 'alarm-1' }),
        d,
      );

      // Assess
      expect(res.statusCode).toBe(200);
      expect(body(res)).toEqual(sampleFinding('alarm-1', 'frontend'));
    });

    it('should answer 404 for an unknown id', async () => {
      // Act
      const res = await route(apiEvent('GET', '/analyses/alarm-404'), deps().d);

      // Assess
      expect(res.statusCode).toBe(404);
      expect(body(res).message).toBe('no analysis alarm-404');
    });

    it('should answer 400 for an id that cannot be an analysis id', async () => {
      // Act
      const res = await route(apiEvent('GET', '/analyses/%3Cscript%3E'), deps().d);

      // Assess
      expect(res.statusCode).toBe(400);
      expect(body(res).message).toBe('id: is not an analysis id');
    });
  });

  describe('GET /analyses', () => {
    it('should list a service with the default limit of 20', async () => {
      // Prepare
      const { d, repository } = deps();
      await repository.put(sampleFinding('alarm-1', 'frontend'));

      // Act
      const res = await route(listing({ service: 'frontend' }), d);

      // Assess
      expect(res.statusCode).toBe(200);
      expect(body(res)).toMatchObject({
        items: [{ analysisId: 'alarm-1', service: 'frontend' }],
        next: null,
      });
      expect(repository.queries).toEqual([{ service: 'frontend', limit: 20 }]);
    });

    it('should pass from, to, limit and next through, and return the next token', async () => {
      // Prepare
      const { d, repository } = deps();
      const page: FindingPage = { items: [], next: 'eyJwayI6eyJTIjoiQSJ9fQ' };
      repository.listResult = page;

      // Act
      const res = await route(
        listing({
          service: 'frontend',
          from: '2026-11-19T00:00:00Z',
          to: '2026-11-20T00:00:00Z',
          limit: '5',
          next: 'opaque-token',
        }),
        d,
      );

      // Assess
      expect(res.statusCode).toBe(200);
      expect(body(res)).toEqual({ items: [], next: 'eyJwayI6eyJTIjoiQSJ9fQ' });
      expect(repository.queries).toEqual([
        {
          service: 'frontend',
          from: '2026-11-19T00:00:00Z',
          to: '2026-11-20T00:00:00Z',
          limit: 5,
          next: 'opaque-token',
        },
      ]);
    });

    it('should page through the findings with the token it returned', async () => {
      // Prepare
      const { d, repository } = deps();
      for (const n of [1, 2, 3])
        await repository.put({
          ...sampleFinding(`alarm-${n}`, 'frontend'),
          window: { start: `2026-11-2${n}T00:00:00Z`, end: `2026-11-2${n}T00:15:00Z` },
        });

      // Act
      const first = body(await route(listing({ service: 'frontend', limit: '2' }), d));
      const second = body(
        await route(listing({ service: 'frontend', limit: '2', next: String(first.next) }), d),
      );

      // Assess
      const ids = (page: Record<string, unknown>) =>
        (page.items as { analysisId: string }[]).map((i) => i.analysisId);
      expect(ids(first)).toEqual(['alarm-3', 'alarm-2']);
      expect(ids(second)).toEqual(['alarm-1']);
      expect(second.next).toBeNull();
    });

    it('should answer 400 naming the parameter for a missing service, a bad limit or a bad time', async () => {
      // Prepare
      const { d, repository } = deps();
      const cases: [Record<string, string>, string][] = [
        [{}, 'service: required'],
        [{ service: '' }, 'service: required'],
        [{ service: 'frontend', limit: '0' }, 'limit: must be a whole number from 1 to 100'],
        [{ service: 'frontend', limit: '101' }, 'limit: must be a whole number from 1 to 100'],
        [{ service: 'frontend', limit: 'ten' }, 'limit: must be a whole number from 1 to 100'],
        [
          { service: 'frontend', from: 'last tuesday' },
          'from: must be an ISO-8601 timestamp with a time zone, e.g. 2025-01-31T10:00:00Z',
        ],
        [
          { service: 'frontend', to: '2026-13-45T00:00:00Z' },
          'to: must be an ISO-8601 timestamp with a time zone, e.g. 2025-01-31T10:00:00Z',
        ],
        [
          { service: 'frontend', from: '2026-11-21T00:00:00Z', to: '2026-11-20T00:00:00Z' },
          'from: must not be later than to',
        ],
      ];

      for (const [query, message] of cases) {
        // Act
        const res = await route(listing(query), d);

        // Assess
        expect(res.statusCode, JSON.stringify(query)).toBe(400);
        expect(body(res)).toEqual({ message });
      }
      expect(repository.queries).toHaveLength(0);
    });

    it("should answer 400 with the repository's message for a token it did not issue", async () => {
      // Prepare
      const { d, repository } = deps();
      repository.listByService = async () => {
        throw new BadRequestError('next is not a token this list returned');
      };

      // Act
      const res = await route(listing({ service: 'frontend', next: 'forged' }), d);

      // Assess
      expect(res.statusCode).toBe(400);
      expect(body(res)).toEqual({ message: 'next is not a token this list returned' });
    });
  });

  describe('GET /analyses/{id}/report', () => {
    it('should render the finding as HTML under a strict Content-Security-Policy', async () => {
      // Prepare
      const { d, repository } = deps();
      await repository.put(sampleFinding('alarm-1', 'frontend'));

      // Act
      const res = await route(apiEvent('GET', '/analyses/alarm-1/report'), d);

      // Assess
      expect(res.statusCode).toBe(200);
      expect(res.headers?.['Content-Type']).toBe('text/html; charset=utf-8');
      expect(res.headers?.['Content-Security-Policy']).toBe(REPORT_CSP);
      expect(REPORT_CSP).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*';/);
      expect(REPORT_CSP).not.toContain('unsafe-inline');
      expect(res.body).toContain('<h1>Cascade analysis: frontend</h1>');
      expect(res.body).toContain('failure rate 15.3 % over 21708 requests');
      expect(res.body).toContain('payments → frontend');
      expect(res.body).toContain('<svg class="cascade"');
      expect(res.body).toContain('Put a circuit breaker on calls to payments.');
    });

    it('should escape markup in service names and every other field', async () => {
      // Prepare
      const { d, repository } = deps();
      const evil = '<script>alert("x")</script>';
      const finding = sampleFinding('alarm-1', evil);
      await repository.put({ ...finding, summary: `Root cause ${evil} & co` });

      // Act
      const res = await route(apiEvent('GET', '/analyses/alarm-1/report'), d);

      // Assess
      expect(res.body).not.toContain('<script>');
      expect(res.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;');
      expect(res.body).toContain('&amp; co');
    });

    it('should answer 404 for an unknown id', async () => {
      // Act
      const res = await route(
        apiEvent('GET', '/analyses/alarm-404/report', { resource: '/analyses/{id}/report', id: 'alarm-404' }),
        deps().d,
      );

      // Assess
      expect(res.statusCode).toBe(404);
    });
  });

  describe('routing and errors', () => {
    it('should answer 404 for an unknown route and 405 for a wrong method', async () => {
      // Act
      const unknown = await route(apiEvent('GET', '/findings'), deps().d);
      const wrong = await route(apiEvent('DELETE', '/analyses/alarm-1'), deps().d);

      // Assess
      expect(unknown.statusCode).toBe(404);
      expect(body(unknown)).toEqual({ message: 'not found' });
      expect(wrong.statusCode).toBe(405);
      expect(wrong.headers?.Allow).toBe('GET');
    });

    it('should answer 500 with only the request id when something unexpected fails', async () => {
      // Prepare
      const { d, repository, errors } = deps();
      const boom = new Error(
        'DynamoDB said: table arn:aws:dynamodb:eu-west-1:123456789012:table/findings is gone',
      );
      repository.get = async () => {
        throw boom;
      };

      // Act
      const res = await route(apiEvent('GET', '/analyses/alarm-1'), d);

      // Assess
      expect(res.statusCode).toBe(500);
      expect(body(res)).toEqual({ message: 'internal error', requestId: 'req-1234' });
      expect(res.body).not.toMatch(/dynamodb|stack|at /i);
      expect(errors).toEqual([boom]);
    });
  });
});

describe('Function: escapeHtml', () => {
  it('should escape the five characters that matter in text and attributes', () => {
    // Act & Assess
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe(
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });
});
