// The API handler on a local HTTP port, against the embedded DynamoDB and the local workflow: the
// routes and status codes of the deployed API, exercised over HTTP as curl would.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../lambdas/core/model.ts';
import { type LocalApi, startLocalApi } from '../../lambdas/local/api-server.ts';
import { LocalPipeline } from '../../lambdas/local/pipeline.ts';
import { ROOT_CAUSE, shopScenario } from './e2e-kit.ts';

describe('E2E: the local API over HTTP', () => {
  let pipeline: LocalPipeline;
  let api: LocalApi;
  const url = (path: string) => `${api.endpoint}${path}`;

  /** Polls GET /analyses/{id} until the finding is stored. */
  async function waitForFinding(id: string): Promise<{ statuses: number[]; finding: Finding }> {
    const statuses: number[] = [];
    const deadline = Date.now() + 20_000;
    for (;;) {
      const res = await fetch(url(`/analyses/${id}`));
      statuses.push(res.status);
      if (res.status === 200) return { statuses, finding: (await res.json()) as Finding };
      await res.body?.cancel();
      if (Date.now() > deadline) throw new Error(`no finding ${id} after 20 s: ${statuses.join(', ')}`);
      await new Promise((r) => setTimeout(r, 25));
    }
  }

  async function startAnalysis(body: unknown): Promise<Response> {
    return fetch(url('/analyses'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
  }

  beforeAll(async () => {
    const shop = await shopScenario();
    pipeline = await LocalPipeline.start({ xray: { replay: shop.snapshot }, watch: ['frontend'] });
    api = await startLocalApi({ deps: pipeline.apiDeps() });
  }, 60_000);

  afterAll(async () => {
    await api?.stop();
    await pipeline?.stop();
  });

  it('should answer POST /analyses with 202 and a Location, then serve the finding the workflow stored', async () => {
    // Act
    const res = await startAnalysis({ service: 'frontend' });

    // Assess
    expect(res.status).toBe(202);
    const body = (await res.json()) as { analysisId: string; location: string };
    expect(body.analysisId).toMatch(/^api-/);
    expect(res.headers.get('location')).toBe(`/analyses/${body.analysisId}`);
    expect(body.location).toBe(`/analyses/${body.analysisId}`);
    const { finding } = await waitForFinding(body.analysisId);
    expect(finding.status).toBe('COMPLETED');
    expect(finding.trigger).toEqual({ source: 'api', service: 'frontend' });
    expect(finding.rootCauses[0]?.service).toBe(ROOT_CAUSE);
  });

  it('should list findings by service newest first and page with next', async () => {
    // Prepare: two analyses, one after the other.
    const first = (await (await startAnalysis({ service: 'frontend' })).json()) as { analysisId: string };
    await waitForFinding(first.analysisId);
    const second = (await (await startAnalysis({ service: 'frontend' })).json()) as { analysisId: string };
    await waitForFinding(second.analysisId);

    // Act
    const page1 = await fetch(url('/analyses?service=frontend&limit=1'));
    const body1 = (await page1.json()) as {
      items: { analysisId: string; rootCause: string }[];
      next: string | null;
    };
    const page2 = await fetch(
      url(`/analyses?service=frontend&limit=1&next=${encodeURIComponent(body1.next ?? '')}`),
    );
    const body2 = (await page2.json()) as { items: { analysisId: string }[] };

    // Assess
    expect(page1.status).toBe(200);
    expect(body1.items.map((i) => i.analysisId)).toEqual([second.analysisId]);
    expect(body1.items[0]?.rootCause).toBe(ROOT_CAUSE);
    expect(body1.next).not.toBeNull();
    expect(page2.status).toBe(200);
    expect(body2.items.map((i) => i.analysisId)).toEqual([first.analysisId]);
  });

  it('should serve the HTML report under its Content-Security-Policy', async () => {
    // Prepare
    const { analysisId } = (await (await startAnalysis({ service: 'frontend' })).json()) as {
      analysisId: string;
    };
    await waitForFinding(analysisId);

    // Act
    const res = await fetch(url(`/analyses/${analysisId}/report`));

    // Assess
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'none'");
    expect(await res.text()).toContain(ROOT_CAUSE);
  });

  it.each([
    ['GET', '/analyses/api-does-not-exist', undefined, 404],
    ['GET', '/analyses/api-does-not-exist/report', undefined, 404],
    ['GET', '/analyses/not%20an%20id', undefined, 400],
    ['GET', '/analyses', undefined, 400],
    ['GET', '/analyses?service=frontend&limit=0', undefined, 400],
    ['GET', '/analyses?service=frontend&next=bogus', undefined, 400],
    ['POST', '/analyses', '{not json', 400],
    ['POST', '/analyses', '{"service": ""}', 400],
    [
      'POST',
      '/analyses',
      '{"service": "frontend", "window": {"start": "2099-01-01T00:00:00Z", "end": "2099-01-01T01:00:00Z"}}',
      400,
    ],
    ['DELETE', '/analyses', undefined, 405],
    ['PUT', '/analyses/api-x', undefined, 405],
    ['GET', '/elsewhere', undefined, 404],
  ])('should answer %s %s with the deployed status code', async (method, path, body, status) => {
    // Act
    const res = await fetch(url(path), {
      method,
      ...(body !== undefined ? { body, headers: { 'content-type': 'application/json' } } : {}),
    });

    // Assess
    expect(res.status).toBe(status);
    const json = (await res.json()) as { message?: string };
    expect(typeof json.message).toBe('string');
    if (status === 405) expect(res.headers.get('allow')).toBeTruthy();
  });
});
