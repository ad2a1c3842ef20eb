import { describe, expect, it, vi } from 'vitest';
import { HANDLER_NAMES } from '../../lambdas/handlers/env.ts';

// Each handler's composition root (lambdas/handlers/wiring/<name>.ts) builds AWS SDK clients. If a
// handler module loaded its root on import, the factory below would run and fail the import.
const loaded = (name: string) => {
  throw new Error(`wiring/${name}.ts was loaded: a handler module imports its composition root eagerly`);
};
vi.mock('../../lambdas/handlers/wiring/prepare.ts', () => loaded('prepare'));
vi.mock('../../lambdas/handlers/wiring/collect-graph.ts', () => loaded('collect-graph'));
vi.mock('../../lambdas/handlers/wiring/collect-evidence.ts', () => loaded('collect-evidence'));
vi.mock('../../lambdas/handlers/wiring/enrich.ts', () => loaded('enrich'));
vi.mock('../../lambdas/handlers/wiring/analyze.ts', () => loaded('analyze'));
vi.mock('../../lambdas/handlers/wiring/store.ts', () => loaded('store'));
vi.mock('../../lambdas/handlers/wiring/notify.ts', () => loaded('notify'));
vi.mock('../../lambdas/handlers/wiring/record-failure.ts', () => loaded('record-failure'));
vi.mock('../../lambdas/handlers/wiring/sweep-outbox.ts', () => loaded('sweep-outbox'));
vi.mock('../../lambdas/handlers/wiring/api.ts', () => loaded('api'));
vi.mock('../../lambdas/handlers/wiring/incident-console.ts', () => loaded('incident-console'));

describe('Handler modules', () => {
  it('should import without building AWS clients or reading the environment, outside Lambda', async () => {
    // Prepare
    vi.stubEnv('AWS_LAMBDA_FUNCTION_NAME', '');

    for (const name of HANDLER_NAMES) {
      // Act
      const mod = (await import(`../../lambdas/handlers/${name}.ts`)) as { handler?: unknown };

      // Assess: the entry the CDK points at (lambdas/handlers/<name>.ts, export `handler`).
      expect(typeof mod.handler, name).toBe('function');
    }
    vi.unstubAllEnvs();
  });

  it('should fail a cold start inside Lambda naming the missing variable', async () => {
    // Prepare: the real composition root of Store, with none of its variables set.
    const { storeDeps } = await vi.importActual<typeof import('../../lambdas/handlers/wiring/store.ts')>(
      '../../lambdas/handlers/wiring/store.ts',
    );

    // Act / Assess
    expect(() => storeDeps({})).toThrow(
      'missing environment variables SNAPSHOT_BUCKET, FINDINGS_TABLE, FINDINGS_RETENTION_DAYS',
    );
  });
});
