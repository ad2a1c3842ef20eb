// ExecutionWatch (issue 10 item 4): an execution that ended without its Catch still leaves a FAILED
// finding and one message; one that recorded its failure itself gets nothing more.

import { describe, expect, it } from 'vitest';
import { EXECUTION_DETAIL_TYPE, watchExecution } from '../../lambdas/handlers/execution-watch.ts';
import { MemoryFindingsRepository, RecordingNotifier, sampleFinding } from './fakes.ts';

const ARN = 'arn:aws:states:us-east-1:111122223333:execution:Workflow:api-1';

function statusEvent(status: 'FAILED' | 'TIMED_OUT' | 'ABORTED', input: unknown) {
  return {
    source: 'aws.states',
    'detail-type': EXECUTION_DETAIL_TYPE,
    detail: { executionArn: ARN, status, input: JSON.stringify(input), error: null, cause: null },
  };
}

function deps() {
  return {
    repository: new MemoryFindingsRepository(),
    notifier: new RecordingNotifier(),
    watched: [],
    alarmPrefix: 'cascade-analyzer',
  };
}

describe('Handler: execution-watch', () => {
  it('should store and notify a FAILED finding for a timed-out execution, once however often it is told', async () => {
    // Prepare
    const d = deps();
    const input = { source: 'api', analysisId: 'api-1', service: 'checkout' };

    // Act
    const first = await watchExecution(statusEvent('TIMED_OUT', input), d);
    const again = await watchExecution(statusEvent('TIMED_OUT', input), d);

    // Assess
    expect(first).toMatchObject({ analysisId: 'api-1', stored: 'created' });
    expect(again).toMatchObject({ stored: 'exists', messageId: null });
    const finding = d.repository.findings.get('api-1');
    expect(finding?.status).toBe('FAILED');
    expect(finding?.error).toBe('ExecutionTimedOut: the execution timed out before its steps finished.');
    expect(d.notifier.published).toHaveLength(1);
  });

  it('should add nothing when the execution recorded its own result', async () => {
    // Prepare
    const d = deps();
    await d.repository.put(sampleFinding('api-2', 'checkout'));
    await d.repository.markNotified('api-2', 'msg-0');

    // Act
    await watchExecution(
      statusEvent('ABORTED', { source: 'api', analysisId: 'api-2', service: 'checkout' }),
      d,
    );

    // Assess
    expect(d.repository.findings.get('api-2')?.status).toBe('COMPLETED');
    expect(d.notifier.published).toHaveLength(0);
  });

  it('should skip an execution that handled an alarm back to OK', async () => {
    // Prepare
    const d = deps();
    const ok = {
      source: 'aws.cloudwatch',
      detail: { alarmName: 'a', state: { value: 'OK', timestamp: '2026-11-20T03:00:00Z' } },
    };

    // Act
    const watched = await watchExecution(statusEvent('FAILED', ok), d);

    // Assess
    expect(watched).toEqual({ skipped: 'an alarm back to OK; no analysis to record' });
    expect(d.repository.findings.size).toBe(0);
  });
});
