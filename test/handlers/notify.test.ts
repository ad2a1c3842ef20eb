import { describe, expect, it } from 'vitest';
import type { Stored } from '../../lambdas/handlers/contracts.ts';
import { notifyFinding } from '../../lambdas/handlers/notify.ts';
import { MemoryFindingsRepository, MemorySnapshotStore, RecordingNotifier, sampleFinding } from './fakes.ts';

const STORED: Stored = {
  analysisId: 'alarm-1',
  service: 'frontend',
  findingKey: 'findings/alarm-1.json',
  status: 'COMPLETED',
  rootCause: 'payments',
  stored: 'created',
};

async function setup() {
  const snapshotStore = new MemorySnapshotStore();
  await snapshotStore.put(STORED.findingKey, JSON.stringify(sampleFinding('alarm-1', 'frontend')));
  const repository = new MemoryFindingsRepository();
  await repository.put(sampleFinding('alarm-1', 'frontend'));
  return { snapshotStore, notifier: new RecordingNotifier(), repository };
}

describe('Handler: notify', () => {
  it('should publish a finding Store created, with the path of its report', async () => {
    // Prepare
    const deps = await setup();

    // Act
    const notified = await notifyFinding(STORED, deps);

    // Assess
    expect(notified).toEqual({ analysisId: 'alarm-1', messageId: 'msg-1' });
    expect(deps.notifier.published).toHaveLength(1);
    expect(deps.notifier.published[0]?.reportPath).toBe('/analyses/alarm-1/report');
    expect(deps.notifier.published[0]?.finding.analysisId).toBe('alarm-1');
  });

  it("should publish nothing when Store found the finding already there ('exists') and it was sent", async () => {
    // Prepare
    const deps = await setup();
    await deps.repository.markNotified('alarm-1', 'msg-0');

    // Act
    const notified = await notifyFinding({ ...STORED, stored: 'exists' }, deps);

    // Assess
    expect(notified).toEqual({ analysisId: 'alarm-1', messageId: null });
    expect(deps.notifier.published).toHaveLength(0);
  });

  it('should send a finding stored by an attempt that failed before sending, once (the outbox flag)', async () => {
    // Prepare: Store created it, then Notify failed; this is the retry (or a redelivery).
    const deps = await setup();

    // Act
    const first = await notifyFinding({ ...STORED, stored: 'exists' }, deps);
    const again = await notifyFinding({ ...STORED, stored: 'exists' }, deps);

    // Assess
    expect(first.messageId).toBe('msg-1');
    expect(again.messageId).toBeNull();
    expect(deps.notifier.published).toHaveLength(1);
    expect(deps.repository.notified.get('alarm-1')).toBe('msg-1');
  });

  it('should reject input without the store outcome, naming the field', async () => {
    // Prepare
    const deps = await setup();
    const { stored: _s, ...input } = STORED;

    // Act & Assess
    await expect(notifyFinding(input, deps)).rejects.toMatchObject({
      name: 'InputValidationError',
      field: 'stored',
    });
    expect(deps.notifier.published).toHaveLength(0);
  });
});
