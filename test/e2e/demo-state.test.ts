// The demo and its state (issue 18, section 5): in one data folder, each demo run shows what its
// docs say whatever ran before. Scenarios with services of the same name (frontend, orders) used to
// join each other's incidents, and the storm printed another scenario's root cause, still OPEN.

import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.ts';

const cli = runCli;

describe('E2E: demo scenarios in one data folder', () => {
  let cwd: string;

  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'cascade-analyzer-demo-state-'));
  });

  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it('should give each scenario its own incidents, and the storm its documented result whatever ran before', async () => {
    // Act: as a new user following docs/getting-started.md, one scenario after another.
    const shop = await cli(['demo', '--no-sns'], cwd);
    const boutique = await cli(['demo', '--scenario', 'online-boutique', '--no-sns'], cwd);
    const sockShop = await cli(['demo', '--scenario', 'sock-shop', '--no-sns', '--verbose'], cwd);
    const storm = await cli(['demo', '--scenario', 'storm', '--no-sns'], cwd);

    // Assess: every single-alarm scenario opens an incident of its own, with its own root cause.
    for (const [name, run] of [
      ['shop', shop],
      ['online-boutique', boutique],
      ['sock-shop', sockShop],
    ] as const) {
      expect(run.code, `${name}: ${run.stderr}`).toBe(0);
      expect(run.stdout, name).toMatch(/^INCIDENT {4}inc-[0-9a-f]{24} \(opened by this alarm\)/m);
      expect(run.stdout, name).not.toContain('this alarm joined it');
      expect(run.stdout, name).not.toContain('root cause now');
    }
    expect(shop.stdout).toMatch(/^ROOT CAUSE {2}api\.payments\.example\.com, /m);
    // --verbose shows each step and where the scenario keeps its state.
    expect(sockShop.stdout).toMatch(/^ {2}Correlate +✓ .*opened incident inc-/m);
    expect(sockShop.stdout).toMatch(/^incidents +this scenario's own/m);
    expect(boutique.stdout.replace(/\s+/g, ' ')).toContain(
      `--data-dir ${join('.cascade-analyzer', 'scenarios', 'online-boutique')}`,
    );

    // Assess: the storm is one incident, one root-cause message, resolved with one more, its own root cause.
    expect(storm.code, storm.stderr).toBe(0);
    expect(storm.stdout).toMatch(/^state +a clean table in /m);
    expect(storm.stdout).toContain('20 succeeded, 0 failed · 1 incident(s) · 1 message(s)');
    expect(storm.stdout).toContain('message: [cascade] bank-api: root cause');
    expect(storm.stdout).toContain('message: [cascade] resolved after');
    expect(storm.stdout).toMatch(/^incident inc-[0-9a-f]{24} · RESOLVED · /m);
    expect(storm.stdout).toContain('root cause: bank-api');
    expect(storm.stdout).toContain('alarms (16):');

    // Assess: the command it prints shows the same incident again.
    const again = /see it again: npx cascade-analyzer (incidents get \S+ --data-dir \S+)/.exec(
      storm.stdout,
    )?.[1];
    expect(again).toBeDefined();
    const get = await cli((again as string).split(' '), cwd);
    expect(get.code, get.stderr).toBe(0);
    expect(get.stdout).toContain('RESOLVED');
    expect(get.stdout).toContain('root cause: bank-api');
  }, 600_000);
});
