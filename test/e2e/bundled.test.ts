// The workflow on the deployed artifacts: the esbuild bundles under cdk.out, each in a process of
// its own with the environment of its template resource, against moto_server (S3, SNS), dynalite
// and the local X-Ray and CloudTrail endpoints. What passes here is what `cdk deploy` uploads.

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BundledFunction, BundledPipeline, FunctionInitError } from '../../lambdas/local/bundled.ts';
import { executionStatusEvent } from '../../lambdas/local/execution-status.ts';
import { scenarioEvidence } from '../../lambdas/local/replay-evidence.ts';
import { STEP_NAMES } from '../../lib/constructs/workflow.ts';
import { apiEvent } from '../handlers/fakes.ts';
import { type LocalServer, startMotoServer } from '../support/local-servers.ts';
import { ROOT_CAUSE, shopScenario, subscribeQueue, type TopicQueue } from './e2e-kit.ts';

let moto: LocalServer;
let pipeline: BundledPipeline;
let queue: TopicQueue;
let alarmed: string;

beforeAll(async () => {
  moto = await startMotoServer();
  const shop = await shopScenario();
  alarmed = shop.alarmedService;
  pipeline = await BundledPipeline.start({
    replay: shop.snapshot,
    evidence: scenarioEvidence(shop),
    motoEndpoint: moto.endpoint,
    overrides: { watchedServices: [{ name: alarmed }] },
    retryDelayMs: 10,
  });
  queue = await subscribeQueue(moto.endpoint, pipeline.topicArn, 'bundled-e2e');
}, 300_000);

afterAll(async () => {
  queue?.destroy();
  await pipeline?.stop();
  await moto?.stop();
});

const bundleOf = (prefix: string) => {
  const fn = [...pipeline.functions.values()].find((f) => f.asset.logicalId.startsWith(prefix));
  if (fn === undefined) throw new Error(`no ${prefix} function`);
  return fn;
};

describe('Bundled run: the synthesized assets, alarm → finding → notification', () => {
  it('should run every step from its index.mjs under cdk.out and publish the root cause', async () => {
    // Prepare
    for (const f of pipeline.functions.values())
      expect(f.asset.entry).toMatch(/cdk\.out-[^/]+\/asset\.\w+\/index\.mjs$/);

    // Act
    const report = await pipeline.run(pipeline.alarmEvent(alarmed));

    // Assess: every step succeeded, the finding is in the table and the message on the topic.
    expect(report.status, JSON.stringify(report.error)).toBe('SUCCEEDED');
    expect(report.states.map((s) => [s.state, s.outcome])).toEqual(
      ['Route', ...STEP_NAMES, 'Done'].map((s) => [s, 'succeeded']),
    );
    const { analysisId } = report.output as { analysisId: string };
    const finding = await pipeline.repository.get(analysisId);
    expect(finding?.rootCauses[0]?.service).toBe(ROOT_CAUSE);
    // CollectEvidence's bundle read the traces and the changes; Analyze's read its document.
    expect(finding?.rootCauses[0]?.traces?.exceptions.map((x) => x.name)).toEqual(['PaymentGatewayError']);
    expect(finding?.changes?.length).toBeGreaterThan(0);
    const [message, ...more] = await queue.receive({ min: 1 });
    expect(more).toEqual([]);
    expect(message?.attributes.analysisId).toBe(analysisId);
    expect(message?.message).toContain(ROOT_CAUSE);

    // Act: the API function's bundle draws the report with Graphviz from its layer.
    const page = (await pipeline.api().invoke(
      apiEvent('GET', `/analyses/${analysisId}/report`, {
        resource: '/analyses/{id}/report',
        id: analysisId,
      }),
    )) as { statusCode: number; body: string };

    // Assess
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<svg');
  });

  it("should resolve the alarm's incident through the ResolveAlarm and Notify bundles when it goes back to OK", async () => {
    // Act
    const report = await pipeline.run(pipeline.okEvent(alarmed, new Date(Date.now() + 60_000)));

    // Assess
    expect(report.status, JSON.stringify(report.error)).toBe('SUCCEEDED');
    expect(report.states.map((s) => [s.state, s.outcome])).toEqual(
      ['Route', 'ResolveAlarm', 'NotifyResolution', 'Resolved'].map((s) => [s, 'succeeded']),
    );
    const messages = await queue.receive({ min: 1 });
    expect(messages.map((m) => m.attributes.notificationKind)).toEqual(['resolved']);
    expect(messages[0]?.message).toContain(ROOT_CAUSE);
  });

  it('should record a FAILED finding through the ExecutionWatch bundle for an execution that timed out', async () => {
    // Prepare: an alarm whose execution ended TIMED_OUT (no Catch ran), as the rule delivers it.
    const input = pipeline.alarmEvent(alarmed, new Date(Date.now() - 600_000));
    const event = executionStatusEvent({
      name: 'timed-out',
      executionArn: 'arn:aws:states:us-east-1:123456789012:execution:local:timed-out',
      status: 'TIMED_OUT',
      input,
      startedAt: Date.now(),
      ms: 0,
      states: [],
      largestPayload: { bytes: 0, where: 'input' },
    });

    // Act
    const watched = (await bundleOf('ExecutionWatchFunction').invoke(event)) as {
      analysisId: string;
      stored: string;
    };

    // Assess
    expect(watched.stored).toBe('created');
    const finding = await pipeline.repository.get(watched.analysisId);
    expect(finding?.status).toBe('FAILED');
    expect(finding?.error).toContain('ExecutionTimedOut');
    expect((await queue.receive({ min: 1 })).length).toBeGreaterThan(0);
  });

  it('should fail a cold start naming the variable the template no longer sets', async () => {
    // Prepare: Store's environment without its table.
    const store = bundleOf('StoreFunction');
    const { FINDINGS_TABLE: _table, ...env } = store.environment;

    // Act / Assess
    await expect(BundledFunction.start(store.asset, env)).rejects.toThrow(
      /StoreFunction\w+ .*ConfigurationError: missing environment variable FINDINGS_TABLE/,
    );
  });

  it('should fail a cold start on an import that only the repository, not Lambda, could resolve', async () => {
    // Prepare: Store's bundle with a dependency left out of it (as a wrong `externalModules` would).
    const store = bundleOf('StoreFunction');
    const broken = join(store.asset.dir, 'broken.mjs');
    writeFileSync(broken, `import 'zod';\n${readFileSync(store.asset.entry, 'utf8')}`);

    // Act / Assess
    await expect(BundledFunction.start({ ...store.asset, entry: broken }, store.environment)).rejects.toThrow(
      FunctionInitError,
    );
    await expect(BundledFunction.start({ ...store.asset, entry: broken }, store.environment)).rejects.toThrow(
      /Cannot find package 'zod'/,
    );
  });
});
