import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../lambdas/adapters/ports.ts';
import type { Analyzed } from '../../lambdas/handlers/contracts.ts';
import { storeFinding } from '../../lambdas/handlers/store.ts';
import { MemoryFindingsRepository, MemorySnapshotStore, sampleFinding } from './fakes.ts';

const ANALYZED: Analyzed = {
  analysisId: 'alarm-1',
  service: 'frontend',
  findingKey: 'findings/alarm-1.json',
  status: 'COMPLETED',
  rootCause: 'payments',
};

async function setup() {
  const snapshotStore = new MemorySnapshotStore();
  const repository = new MemoryFindingsRepository();
  await snapshotStore.put(ANALYZED.findingKey, JSON.stringify(sampleFinding('alarm-1', 'frontend')));
  return { snapshotStore, repository };
}

describe('Handler: store', () => {
  it('should put the stored finding and report it created', async () => {
    // Prepare
    const deps = await setup();

    // Act
    const stored = await storeFinding(ANALYZED, deps);

    // Assess
    expect(stored).toEqual({ ...ANALYZED, stored: 'created' });
    expect(deps.repository.findings.get('alarm-1')?.rootCauses[0]?.service).toBe('payments');
  });

  it("should treat a finding already stored as success, 'exists', leaving it unchanged", async () => {
    // Prepare
    const deps = await setup();
    const first = sampleFinding('alarm-1', 'frontend');
    await deps.repository.put({ ...first, summary: 'the first delivery' });

    // Act
    const stored = await storeFinding(ANALYZED, deps);

    // Assess
    expect(stored.stored).toBe('exists');
    expect(deps.repository.findings.get('alarm-1')?.summary).toBe('the first delivery');
  });

  it('should let a result supersede a FAILED finding, and rewrite the S3 copy to the stored finding when its own result loses', async () => {
    // Prepare: a transient failure recorded first.
    const deps = await setup();
    const failed = { ...sampleFinding('alarm-1', 'frontend'), status: 'FAILED' as const, rootCauses: [] };
    await deps.repository.put(failed);

    // Act
    const superseding = await storeFinding(ANALYZED, deps);
    await deps.snapshotStore.put(
      ANALYZED.findingKey,
      JSON.stringify({ ...sampleFinding('alarm-1', 'frontend'), summary: 'a later, different run' }),
    );
    const later = await storeFinding(ANALYZED, deps);

    // Assess
    expect(superseding.stored).toBe('superseded');
    expect(deps.repository.findings.get('alarm-1')?.status).toBe('COMPLETED');
    expect(later.stored).toBe('exists');
    const copy = JSON.parse(await deps.snapshotStore.get(ANALYZED.findingKey));
    expect(copy).toEqual(deps.repository.findings.get('alarm-1'));
  });

  it('should fail when the finding is not in the store', async () => {
    // Prepare
    const deps = await setup();

    // Act & Assess
    await expect(
      storeFinding({ ...ANALYZED, findingKey: 'findings/missing.json' }, deps),
    ).rejects.toBeInstanceOf(NotFoundError);
    expect(deps.repository.findings.size).toBe(0);
  });

  it('should refuse a stored document that is the finding of another analysis', async () => {
    // Prepare
    const deps = await setup();
    await deps.snapshotStore.put(ANALYZED.findingKey, JSON.stringify(sampleFinding('alarm-2', 'frontend')));

    // Act & Assess
    await expect(storeFinding(ANALYZED, deps)).rejects.toThrow(
      'does not hold the finding of analysis alarm-1',
    );
  });
});
