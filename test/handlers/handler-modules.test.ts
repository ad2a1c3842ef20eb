import { describe, expect, it, vi } from 'vitest';
import { HANDLER_NAMES } from '../../lambdas/handlers/env.ts';

// The production wiring builds AWS SDK clients. If any handler module loaded it on import, this
// factory would run and fail the import.
vi.mock('../../lambdas/handlers/runtime.ts', () => {
  throw new Error('runtime.ts was loaded: a handler module imports it eagerly');
});

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
});
