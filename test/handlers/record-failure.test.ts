import { describe, expect, it } from 'vitest';
import { alarmAnalysisId } from '../../lambdas/handlers/alarm-event.ts';
import { describeError, failedFinding, recordFailure } from '../../lambdas/handlers/record-failure.ts';
import {
  ALARM_TIME,
  alarmEvent,
  MemoryFindingsRepository,
  RecordingNotifier,
  sampleFinding,
} from './fakes.ts';

function deps() {
  return {
    repository: new MemoryFindingsRepository(),
    notifier: new RecordingNotifier(),
    watched: [{ name: 'frontend', alarmNames: ['cascade-analyzer-frontend-fault-rate'] }],
    alarmPrefix: 'cascade-analyzer',
  };
}

/** What a Node.js Lambda's failure looks like to a Catch: JSON with the stack trace. */
const LAMBDA_ERROR = {
  Error: 'GraphInputError',
  Cause: JSON.stringify({
    errorType: 'GraphInputError',
    errorMessage: 'incident.Services[3].ReferenceId: expected an integer',
    trace: ['GraphInputError: incident.Services[3]…', '    at parseWindow (/var/task/index.mjs:1:2345)'],
  }),
};

describe('Handler: record-failure', () => {
  it('should store and notify a FAILED finding for garbage input, without throwing', async () => {
    // Prepare
    const d = deps();

    // Act
    const recorded = await recordFailure('garbage', d);

    // Assess
    const finding = d.repository.findings.get(recorded.analysisId);
    expect(recorded.stored).toBe('created');
    expect(recorded.analysisId).toMatch(/^failed-[0-9a-f]{32}$/);
    expect(finding?.status).toBe('FAILED');
    expect(finding?.trigger.service).toBe('unknown');
    expect(finding?.error).toBe('unknown error.');
    expect(d.notifier.published).toHaveLength(1);
    expect(d.notifier.published[0]?.reportPath).toBe(`/analyses/${recorded.analysisId}/report`);
  });

  it('should not throw on any malformed original input', async () => {
    // Prepare
    const inputs: unknown[] = [
      null,
      undefined,
      42,
      [],
      { input: null, error: {} },
      { input: { detail: { alarmName: 7, state: 'ALARM' } }, error: { Error: 'X' } },
      {
        input: {
          detail: { alarmName: 'a', state: { timestamp: 'not a time' }, configuration: { metrics: 'x' } },
        },
      },
      {
        input: { analysisId: '../../etc', trigger: 'alarm', window: { start: 1 } },
        error: { Cause: '{"errorMessage": 5}' },
      },
    ];

    for (const input of inputs) {
      // Act & Assess
      const d = deps();
      await expect(recordFailure(input, d)).resolves.toMatchObject({ stored: 'created' });
      expect([...d.repository.findings.values()][0]?.status).toBe('FAILED');
    }
  });

  it('should give the same garbage the same id, so a retried Catch stores one finding', async () => {
    // Prepare
    const d = deps();

    // Act
    const a = await recordFailure({ input: { foo: 1 }, error: LAMBDA_ERROR }, d);
    const b = await recordFailure({ input: { foo: 1 }, error: LAMBDA_ERROR }, d);

    // Assess
    expect(b.analysisId).toBe(a.analysisId);
    expect(b).toEqual({ analysisId: a.analysisId, stored: 'exists', messageId: null });
    expect(d.notifier.published).toHaveLength(1);
  });

  it('should keep the error type and message but never the stack trace', () => {
    // Act
    const text = describeError(LAMBDA_ERROR);

    // Assess
    expect(text).toBe('GraphInputError: incident.Services[3].ReferenceId: expected an integer.');
    expect(text).not.toMatch(/index\.mjs|\bat parseWindow/);
  });

  it('should strip stack lines from a plain-text cause', () => {
    // Act
    const text = describeError({
      Error: 'Error',
      Cause: 'Error: boom\n    at x (/var/task/a.js:1:1)\n    at y',
    });

    // Assess
    expect(text).toBe('Error: unexpected error.');
    expect(text).not.toMatch(/a\.js|\bat y/);
  });

  it('should keep no ARN, account id or raw AWS text in a FAILED finding, only the error class and a safe message', () => {
    // Prepare: what an SDK error looks like in a Lambda's Cause.
    const denied = {
      Error: 'AccessDeniedException',
      Cause: JSON.stringify({
        errorType: 'AccessDeniedException',
        errorMessage:
          'User: arn:aws:sts::123456789012:assumed-role/CascadeAnalyzer-CollectGraphRole/fn is not authorized to perform: xray:GetServiceGraph',
      }),
    };

    // Act
    const finding = failedFinding(
      { input: { analysisId: 'alarm-9', service: 'web' }, error: denied },
      deps(),
    );
    const own = describeError({
      Error: 'InputValidationError',
      Cause: JSON.stringify({
        errorType: 'InputValidationError',
        errorMessage: 'bad arn:aws:iam::123456789012:role/x',
      }),
    });

    // Assess
    expect(finding.error).toBe('AccessDeniedException: AWS refused the call: a permission is missing.');
    for (const text of [finding.error ?? '', finding.summary, own]) {
      expect(text).not.toMatch(/arn:aws|123456789012|assumed-role/);
    }
    expect(own).toBe('InputValidationError: bad <arn>.');
  });

  it('should give a failed alarm event the id Prepare would have given it, and its service', () => {
    // Prepare: Prepare failed on this event; the Catch added the error to it.
    const event = { ...alarmEvent(), error: LAMBDA_ERROR };

    // Act
    const finding = failedFinding({ input: event, error: LAMBDA_ERROR }, deps());

    // Assess
    expect(finding.analysisId).toBe(
      alarmAnalysisId({
        alarmArn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:cascade-analyzer-frontend-fault-rate',
        alarmName: 'cascade-analyzer-frontend-fault-rate',
        stateTimestamp: ALARM_TIME,
      }),
    );
    expect(finding.trigger).toEqual({
      source: 'alarm',
      service: 'frontend',
      alarmName: 'cascade-analyzer-frontend-fault-rate',
    });
    expect(finding.summary).toContain('in the Prepare step');
  });

  it("should read the id, trigger and windows of a later step's input", () => {
    // Prepare: Analyze's input (Enriched) with the Catch's error.
    const input = {
      analysisId: 'api-42',
      service: 'order-service',
      trigger: { source: 'api', service: 'order-service' },
      window: { start: '2026-11-20T03:00:00.000Z', end: '2026-11-20T03:15:00.000Z' },
      baseline: { start: '2026-11-20T02:00:00.000Z', end: '2026-11-20T03:00:00.000Z' },
      snapshotKey: 'snapshots/api-42.json',
      serviceCount: 3,
      metrics: {},
      error: LAMBDA_ERROR,
    };

    // Act
    const finding = failedFinding({ input, error: LAMBDA_ERROR }, deps());

    // Assess
    expect(finding).toMatchObject({
      analysisId: 'api-42',
      status: 'FAILED',
      trigger: { source: 'api', service: 'order-service' },
      window: input.window,
      baselineWindow: input.baseline,
      error: 'GraphInputError: incident.Services[3].ReferenceId: expected an integer.',
    });
    expect(finding.summary).toContain('in the Analyze step');
  });

  it('should send the stored COMPLETED finding, once, when Notify failed after Store created it', async () => {
    // Prepare: Store created the COMPLETED finding, then Notify failed before sending.
    const d = deps();
    await d.repository.put(sampleFinding('alarm-7', 'frontend'));
    const payload = { input: { analysisId: 'alarm-7', stored: 'created' }, error: LAMBDA_ERROR };

    // Act
    const recorded = await recordFailure(payload, d);
    const again = await recordFailure(payload, d);

    // Assess
    expect(recorded).toEqual({ analysisId: 'alarm-7', stored: 'exists', messageId: 'msg-1' });
    expect(again).toEqual({ analysisId: 'alarm-7', stored: 'exists', messageId: null });
    expect(d.repository.findings.get('alarm-7')?.status).toBe('COMPLETED');
    expect(d.notifier.published.map((p) => p.finding.status)).toEqual(['COMPLETED']);
  });

  it('should not notify again when the stored finding was sent already', async () => {
    // Prepare: Notify sent it; a later step failed.
    const d = deps();
    await d.repository.put(sampleFinding('alarm-8', 'frontend'));
    await d.repository.markNotified('alarm-8', 'msg-0');

    // Act
    const recorded = await recordFailure(
      { input: { analysisId: 'alarm-8', stored: 'created' }, error: LAMBDA_ERROR },
      d,
    );

    // Assess
    expect(recorded.messageId).toBeNull();
    expect(d.notifier.published).toHaveLength(0);
  });
});
