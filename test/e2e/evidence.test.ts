// The evidence end to end: a frontend alarm runs the synthesized workflow, CollectEvidence reads the
// shop's trace summaries and an exemplar from the local X-Ray endpoint and payment-service's
// deployment 4 minutes before the window from the local CloudTrail endpoint; the finding carries
// exemplar trace ids, exception names and the change, is stored (dynalite), notified (moto SNS,
// read back through SQS) and shown in the HTML report in Debian chromium.

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding } from '../../lambdas/core/model.ts';
import { LocalPipeline } from '../../lambdas/local/pipeline.ts';
import { scenarioEvidence } from '../../lambdas/local/replay-evidence.ts';
import { type Browser, chromiumAvailable, launchChromium } from '../browser/chromium.ts';
import { type ReportServer, startReportServer } from '../browser/report-server.ts';
import { type LocalServer, startMotoServer } from '../support/local-servers.ts';
import { LIMIT_BYTES, ROOT_CAUSE, shopScenario, subscribeQueue, type TopicQueue } from './e2e-kit.ts';

const browserAvailable = chromiumAvailable();

describe('E2E: alarm → finding with X-Ray traces and CloudTrail changes', () => {
  let moto: LocalServer;
  let pipeline: LocalPipeline;
  let queue: TopicQueue;
  let finding: Finding;
  let message: string;
  let report: Awaited<ReturnType<LocalPipeline['run']>>;
  let browser: Browser | undefined;
  let server: ReportServer | undefined;

  beforeAll(async () => {
    moto = await startMotoServer();
    const shop = await shopScenario();
    pipeline = await LocalPipeline.start({
      xray: { replay: shop.snapshot },
      evidence: scenarioEvidence(shop),
      watch: ['frontend'],
      snsEndpoint: moto.endpoint,
      retryDelayMs: 50,
    });
    queue = await subscribeQueue(moto.endpoint, pipeline.topicArn as string, 'e2e-evidence');
    report = await pipeline.run(pipeline.alarmEvent('frontend'));
    const id = (report.output as { analysisId: string }).analysisId;
    finding = (await pipeline.repository.get(id)) as Finding;
    const received = await queue.receive({ min: 1 });
    message = received[0]?.message ?? '';
    if (browserAvailable) {
      server = await startReportServer([finding]);
      browser = await launchChromium();
    }
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
    queue?.destroy();
    await pipeline?.stop();
    await moto?.stop();
  });

  it('should read the traces and the changes in CollectEvidence, within the payload limit', () => {
    // Assess
    expect(report.status).toBe('SUCCEEDED');
    expect(report.states.map((s) => `${s.state}:${s.outcome}`)).toContain('CollectEvidence:succeeded');
    const paths = (pipeline.xray?.requests ?? []).map((r) => r.path);
    expect(paths.filter((p) => p === '/TraceSummaries').length).toBeGreaterThanOrEqual(2);
    expect(paths.filter((p) => p === '/Traces')).toHaveLength(1);
    expect(pipeline.cloudTrail.requests.every((r) => r.status === 200)).toBe(true);
    expect(pipeline.cloudTrail.requests.length).toBeGreaterThan(10);
    for (const s of report.states) expect(s.outputBytes, s.state).toBeLessThan(LIMIT_BYTES);
  });

  it('should store a finding with exemplar trace ids, exception names and the deployment before the start', () => {
    // Assess
    const top = finding.rootCauses[0];
    expect(top?.service).toBe(ROOT_CAUSE);
    expect(top?.traces?.exemplars.map((x) => x.traceId)).toHaveLength(3);
    expect(top?.traces?.exemplars.every((x) => /^1-[0-9a-f]{8}-[0-9a-f]{24}$/.test(x.traceId))).toBe(true);
    expect(top?.traces?.exemplars[0]?.url).toContain(`region=${pipeline.app.region}#xray:traces/`);
    expect(top?.traces?.exceptions.map((x) => x.name)).toEqual(['PaymentGatewayError']);
    expect(top?.traces?.detail).toMatchObject({
      exception: 'PaymentGatewayError',
      operation: 'POST /v2/charges',
    });
    expect(finding.changes?.[0]).toMatchObject({
      minutesBeforeStart: 4,
      what: 'ECS service update',
      who: 'deploy-pipeline',
      services: ['payment-service'],
    });
    expect(finding.evidenceNotes?.map((n) => n.kind)).toEqual(['traces-agree', 'change-near-start']);
  });

  it('should notify the exemplar, the exception and the change', () => {
    // Assess
    const exemplar = finding.rootCauses[0]?.traces?.exemplars[0]?.traceId ?? 'none';
    expect(message).toContain(exemplar);
    expect(message).toContain('PaymentGatewayError ×28');
    expect(message).toMatch(
      /4 min before the start: ECS service update \(UpdateService\) by deploy-pipeline → payment-service/,
    );
  });

  it.runIf(browserAvailable)(
    'should show the exemplars as console links, the exceptions and the change in the HTML report',
    async () => {
      // Prepare
      if (!browser || !server) throw new Error('the browser did not start');
      const page = await browser.context.newPage();
      const requests: string[] = [];
      page.on('request', (r) => requests.push(r.url()));
      const path = `/analyses/${encodeURIComponent(finding.analysisId)}/report`;
      // Act
      const response = await page.goto(`${server.url}${path}`, { waitUntil: 'load' });
      // Assess
      expect(response?.status()).toBe(200);
      const links = page.locator('#root-causes .card.rank-1 a.exemplar');
      expect(await links.count()).toBe(3);
      await links.first().scrollIntoViewIfNeeded();
      expect(await links.first().isVisible()).toBe(true);
      const href = await links.first().getAttribute('href');
      expect(href).toBe(finding.rootCauses[0]?.traces?.exemplars[0]?.url);
      await expect(page.locator('#root-causes .card.rank-1 .exceptions').textContent()).resolves.toBe(
        'PaymentGatewayError ×28',
      );
      const change = page.locator('#changes li').first();
      expect(await change.isVisible()).toBe(true);
      await expect(change.textContent()).resolves.toContain('4 min before the start: ECS service update');
      await expect(page.locator('.verdict .evidence-note').first().textContent()).resolves.toContain(
        'Traces agree',
      );
      expect(requests).toEqual([`${server.url}${path}`]);
      await page.close();
    },
  );
});
