// Scoping that holds, through the whole local workflow (issue 18, section 3): POST /analyses for a
// service that is not in the window's graph runs the workflow, which analyzes nothing; reading the
// analysis answers 404 naming the graph's services the caller may see — never a whole-graph finding.

import type { APIGatewayProxyEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiDeps, route } from '../../lambdas/handlers/api.ts';
import { LocalPipeline } from '../../lambdas/local/pipeline.ts';
import type { ExecutionReport } from '../../lambdas/local/state-machine.ts';
import { shopScenario } from './e2e-kit.ts';

const TEAM = 'arn:aws:sts::111122223333:assumed-role/team-web/alice';

function request(
  method: string,
  path: string,
  caller: string | undefined,
  body?: unknown,
): APIGatewayProxyEvent {
  return {
    httpMethod: method,
    path,
    resource: '/{proxy+}',
    body: body === undefined ? null : JSON.stringify(body),
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

describe('E2E: an API analysis of a service that is not in the graph', () => {
  let pipeline: LocalPipeline;
  const reports = new Map<string, ExecutionReport>();
  const waiting = new Map<string, (report: ExecutionReport) => void>();
  const ended = (report: ExecutionReport) => {
    reports.set(report.name, report);
    waiting.get(report.name)?.(report);
  };

  /** Starts an analysis as `caller` and waits for its execution to end. */
  async function analyse(deps: ApiDeps, caller: string | undefined, service: string): Promise<string> {
    const res = await route(request('POST', '/analyses', caller, { service }), deps);
    expect(res.statusCode).toBe(202);
    const { analysisId } = JSON.parse(res.body) as { analysisId: string };
    const report =
      reports.get(analysisId) ??
      (await new Promise<ExecutionReport>((done) => waiting.set(analysisId, done)));
    expect(report.status).toBe('SUCCEEDED');
    return analysisId;
  }

  beforeAll(async () => {
    const shop = await shopScenario();
    pipeline = await LocalPipeline.start({
      xray: { replay: shop.snapshot },
      watch: ['frontend'],
      onBackgroundExecution: ended,
    });
  }, 90_000);

  afterAll(async () => {
    await pipeline?.stop();
  });

  it('should answer 404 naming only the services a scoped caller may see, and all of them to an unscoped one', async () => {
    // Prepare: a team that may see the web tier, and the same API with no access list.
    const scoped: ApiDeps = {
      ...pipeline.apiDeps(),
      access: [
        {
          principal: 'arn:aws:sts::111122223333:assumed-role/team-web/*',
          services: ['frontend', 'fronted', 'order-service'],
        },
      ],
    };
    const open: ApiDeps = { ...pipeline.apiDeps(), access: [] };

    // Act
    const typo = await analyse(scoped, TEAM, 'fronted');
    const asTeam = await route(request('GET', `/analyses/${typo}`, TEAM), scoped);
    const report = await route(request('GET', `/analyses/${typo}/report`, TEAM), scoped);
    const other = await analyse(open, undefined, 'checkout');
    const asAnyone = await route(request('GET', `/analyses/${other}`, undefined), open);
    const stored = await pipeline.repository.get(typo);

    // Assess
    expect(asTeam.statusCode).toBe(404);
    expect(JSON.parse(asTeam.body)).toEqual({
      message: 'service "fronted" is not in the X-Ray graph of the analysis window; did you mean "frontend"?',
      services: ['frontend', 'order-service'],
    });
    expect(report.statusCode).toBe(404);
    expect(report.body).not.toContain('payment');
    expect(asAnyone.statusCode).toBe(404);
    expect((JSON.parse(asAnyone.body) as { services: string[] }).services).toContain(
      'api.payments.example.com',
    );
    expect(stored?.status).toBe('NO_DATA');
    expect(stored?.services).toEqual([]);
    expect(stored?.rootCauses).toEqual([]);
  }, 90_000);
});
