// The local runtime's own promises: it runs the definition `cdk synth` produces (not a copy), its
// Retry and Catch behave as Step Functions' do, the 256 KB limit is enforced, and the data folder
// keeps history between runs and belongs to one process at a time.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SynthesizedApp } from '../../lambdas/local/app-model.ts';
import { DataDirBusyError } from '../../lambdas/local/data-dir.ts';
import { chooseSnsEndpoint, MOTO_DEFAULT_ENDPOINT } from '../../lambdas/local/notifications.ts';
import { LocalPipeline } from '../../lambdas/local/pipeline.ts';
import {
  LocalStateMachine,
  loadSynthesizedApp,
  MAX_PAYLOAD_BYTES,
  type TaskFunction,
} from '../../lambdas/local/state-machine.ts';
import { ROOT_CAUSE, shopScenario } from './e2e-kit.ts';

/** Steps whose failure fails the analysis (CollectEvidence's Catch goes on to Enrich instead). */
const STEPS = ['Prepare', 'CollectGraph', 'Enrich', 'Analyze', 'Store', 'Correlate', 'Notify'];

/** Every Task state answering with its own input, except those given. */
function machine(app: SynthesizedApp, overrides: Record<string, TaskFunction>): LocalStateMachine {
  const tasks: Record<string, TaskFunction> = {};
  for (const t of app.tasks) tasks[t.state] = overrides[t.state] ?? (async (input) => input);
  return new LocalStateMachine(app, { tasks, retryDelayMs: 1 });
}

class ThrottlingException extends Error {
  override readonly name = 'ThrottlingException';
}

describe('E2E: the local runtime', () => {
  let app: SynthesizedApp;

  beforeAll(async () => {
    app = await loadSynthesizedApp();
  }, 60_000);

  it('should run the synthesized definition: every step a Task state calling its own function, with Retry and Catch', () => {
    // Assess
    const states = app.definition.States as Record<string, Record<string, unknown>>;
    expect(app.definition.StartAt).toBe('Route');
    expect(app.tasks.map((t) => [t.state, t.step])).toEqual([
      ['Prepare', 'prepare'],
      ['CollectGraph', 'collectGraph'],
      ['CollectEvidence', 'collectEvidence'],
      ['Enrich', 'enrich'],
      ['Analyze', 'analyze'],
      ['Store', 'store'],
      ['Correlate', 'correlate'],
      ['Notify', 'notify'],
      ['RecordFailure', 'recordFailure'],
      ['ResolveAlarm', 'resolveAlarm'],
      ['NotifyResolution', 'notify'],
    ]);
    for (const step of STEPS) {
      expect(states[step]?.Resource).toMatch(/^arn:aws:lambda:[^:]+:\d{12}:function:/);
      expect(states[step]?.Catch).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' },
      ]);
      const retry = (states[step]?.Retry ?? []) as { ErrorEquals: string[] }[];
      expect(retry[0]?.ErrorEquals).toContain('ThrottlingException');
    }
    // Each function's environment is the deployed one: the stack's watched services and windows.
    const prepareEnv = app.tasks[0]?.environment ?? {};
    expect(JSON.parse(prepareEnv.WATCHED_SERVICES ?? '[]')[0]).toMatchObject({
      name: 'frontend',
      alarmNames: ['cascade-analyzer-frontend-fault-rate', 'cascade-analyzer-frontend-p99'],
    });
    expect(prepareEnv.LOOKBACK_MINUTES).toBe('15');
  });

  it("should retry a throttled step as the definition's Retry says and go on", async () => {
    // Prepare
    let calls = 0;
    const sm = machine(app, {
      Enrich: async (input) => {
        calls++;
        if (calls <= 2) throw new ThrottlingException('Rate exceeded');
        return input;
      },
    });

    // Act
    const report = await sm.run({ analysisId: 'a-1' }, 'retry-test');

    // Assess
    expect(report.status).toBe('SUCCEEDED');
    expect(calls).toBe(3);
    expect(report.states.filter((s) => s.state === 'Enrich').map((s) => s.outcome)).toEqual(['succeeded']);
  });

  it('should hand a failed step to RecordFailure with the Lambda-style error and the step input', async () => {
    // Prepare
    let recorded: unknown;
    const sm = machine(app, {
      Analyze: async () => {
        throw new TypeError('boom');
      },
      RecordFailure: async (input) => {
        recorded = input;
        return { analysisId: 'a-2', stored: 'created', messageId: 'm-1' };
      },
    });

    // Act
    const report = await sm.run({ analysisId: 'a-2' }, 'catch-test');

    // Assess
    expect(report.status).toBe('FAILED');
    expect(report.states.map((s) => `${s.state}:${s.outcome}`)).toEqual([
      'Route:succeeded',
      'Prepare:succeeded',
      'CollectGraph:succeeded',
      'CollectEvidence:succeeded',
      'Enrich:succeeded',
      'Analyze:caught',
      'RecordFailure:succeeded',
      'Failed:failed',
    ]);
    const { input, error } = recorded as { input: unknown; error: { Error: string; Cause: string } };
    expect(input).toMatchObject({ analysisId: 'a-2' });
    expect(error.Error).toBe('TypeError');
    expect(JSON.parse(error.Cause)).toMatchObject({ errorType: 'TypeError', errorMessage: 'boom' });
  });

  it('should fail the execution with States.DataLimitExceeded, uncaught, when a step returns over 256 KB', async () => {
    // Prepare
    let recordFailureCalled = false;
    const sm = machine(app, {
      CollectGraph: async () => ({ graph: 'x'.repeat(MAX_PAYLOAD_BYTES) }),
      RecordFailure: async (input) => {
        recordFailureCalled = true;
        return input;
      },
    });

    // Act
    const report = await sm.run({ analysisId: 'a-3' }, 'limit-test');

    // Assess
    expect(report.status).toBe('FAILED');
    expect(report.error?.Error).toBe('States.DataLimitExceeded');
    expect(recordFailureCalled).toBe(false);
  });

  describe('data folder', () => {
    let dir: string;

    beforeAll(async () => {
      dir = await mkdtemp(join(tmpdir(), 'cascade-analyzer-e2e-'));
    });

    afterAll(async () => {
      await rm(dir, { recursive: true, force: true });
    });

    it('should keep findings between runs and refuse a second opener while one has it', async () => {
      // Prepare
      const shop = await shopScenario();
      const options = { dataDir: dir, xray: { replay: shop.snapshot }, watch: ['frontend'] } as const;
      const first = await LocalPipeline.start(options);
      const report = await first.run(first.alarmEvent('frontend'));
      const id = (report.output as { analysisId: string }).analysisId;

      // Act
      const busy = await LocalPipeline.start(options).then(
        () => undefined,
        (err: unknown) => err,
      );
      await first.stop();
      const again = await LocalPipeline.start(options);
      const kept = await again.repository.get(id);
      await again.stop();

      // Assess
      expect(busy).toBeInstanceOf(DataDirBusyError);
      expect(kept?.rootCauses[0]?.service).toBe(ROOT_CAUSE);
    });
  });

  describe('where notifications go', () => {
    const moto = async () => true;
    const nothing = async () => false;

    it.each([
      ['the option', 'http://127.0.0.1:4566', {}, nothing, 'http://127.0.0.1:4566'],
      [
        'AWS_ENDPOINT_URL_SNS',
        undefined,
        { AWS_ENDPOINT_URL_SNS: 'http://localhost:4000' },
        nothing,
        'http://localhost:4000',
      ],
      ['moto on its default port', undefined, {}, moto, MOTO_DEFAULT_ENDPOINT],
      ['files when nothing answers', undefined, {}, nothing, undefined],
    ])('should choose %s', async (_what, given, env, probe, expected) => {
      // Act
      const choice = await chooseSnsEndpoint(given, env, probe);

      // Assess
      expect(choice.endpoint).toBe(expected);
      expect(choice.reason).not.toBe('');
    });

    it('should refuse an AWS endpoint: the local runtime never calls AWS', async () => {
      // Act
      const refused = chooseSnsEndpoint('https://sns.us-east-1.amazonaws.com', {}, async () => false);

      // Assess
      await expect(refused).rejects.toThrow(/only talks to local servers/);
    });
  });
});
