// A service that is not in the graph is refused by the CLI with exit 2, one line and the names the
// user probably meant — never analyzed as the whole graph (issue 18, section 3).

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, EXAMPLE } from '../support/cli.ts';

describe('CLI: a --service that is not in the graph', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'cascade-analyzer-unknown-service-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should refuse demo --service fronted with exit 2 and suggest frontend, before running anything', async () => {
    // Act
    const run = cli('demo', '--service', 'fronted', '--no-sns', '--data-dir', join(dir, 'data'));

    // Assess
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('--service: service "fronted" is not in the graph');
    expect(run.stderr).toContain('did you mean "frontend"?');
    // Nothing was started: no data folder, no finding.
    expect(await readdir(dir)).toEqual([]);
  });

  it('should refuse demo --graph FILE --service NAME for a name the file does not hold', () => {
    // Act
    const run = cli(
      'demo',
      '--graph',
      EXAMPLE,
      '--service',
      'paymnet-service',
      '--no-sns',
      '--data-dir',
      dir,
    );

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain('did you mean "payment-service"?');
  });

  it.each([
    ['fronend', 'frontend'],
    ['fronted', 'frontend'],
    ['Frontend', 'frontend'],
  ])('should suggest the service meant for analyze --service %s', (typo, meant) => {
    // Act
    const run = cli('analyze', '--graph', EXAMPLE, '--service', typo);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toContain(`did you mean "${meant}"`);
  });
});
