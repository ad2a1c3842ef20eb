// `demo`, `serve` and `findings` as a user runs them: the CLI in a child process, in a fresh
// working directory, reading and writing the default data folder there.

import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateTopicCommand } from '@aws-sdk/client-sns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSnsClient } from '../../lambdas/adapters/notifier.ts';
import type { Finding } from '../../lambdas/core/model.ts';
import { LOCAL_TOPIC_NAME } from '../../lambdas/local/local-aws.ts';
import { type CliResult as Result, runCli, startServe, userEnv } from '../support/cli.ts';
import { clientOptions, type LocalServer, startMotoServer } from '../support/local-servers.ts';
import { ROOT_CAUSE, subscribeQueue } from './e2e-kit.ts';

/**
 * A step's or an execution's time as the CLI prints it (lambdas/local/progress.ts duration): "87 ms",
 * or "2.0 s" once it takes a second, as it may on a busy machine. Tests match either, never a speed.
 */
const DURATION = String.raw`(?:\d+ ms|\d+\.\d s)`;

/**
 * How long a test or hook may run before it counts as hung: a guard, not a budget. A demo takes
 * seconds here and several minutes on a machine loaded to twice its cores (the storm timed out at
 * 90 s there), so no result depends on the machine's speed.
 */
const HANG_GUARD_MS = 900_000;

/** The CLI in a child process, in `cwd`, as a user whose terminal is 100 columns wide. */
const cli = (args: readonly string[], cwd: string): Promise<Result> =>
  runCli(args, cwd, userEnv({ COLUMNS: '100' }));

describe('E2E: the demo, serve and findings commands', () => {
  let cwd: string;

  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'cascade-analyzer-cli-'));
  });

  afterAll(async () => {
    await rm(cwd, { recursive: true, force: true });
  });

  it(
    'should run the shop demo end to end and name the external payment API',
    async () => {
      // Act
      const run = await cli(['demo', '--no-sns'], cwd);

      // Assess
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      const steps = /^WORKFLOW {4}([\s\S]*?)· SUCCEEDED in/m.exec(run.stdout)?.[1]?.replace(/\s+/g, ' ');
      expect(steps).toBe(
        'Prepare ✓ CollectGraph ✓ CollectEvidence ✓ Enrich ✓ Analyze ✓ Store ✓ Correlate ✓ Notify ✓ ',
      );
      expect(run.stdout).toMatch(/^ALARM {7}cascade-analyzer-frontend-fault-rate on frontend → ALARM at /m);
      expect(run.stdout).toMatch(
        new RegExp(`^MESSAGE {5}"\\[cascade\\] ${ROOT_CAUSE.replace(/\./g, '\\.')}: root cause`, 'm'),
      );
      // The first screen (24 lines at 100 columns) holds the answer: root cause with its confidence
      // in words, the proof, what changed, the path to the users and the first step (issue 19 §2).
      const screen = run.stdout.split('\n').slice(0, 24).join('\n');
      expect(screen).toMatch(
        new RegExp(
          `^ROOT CAUSE  ${ROOT_CAUSE.replace(/\./g, '\\.')}, an external dependency: almost certain \\(99 %\\)$`,
          'm',
        ),
      );
      expect(screen).toMatch(/^PROOF {7}failure rate 15\.3 % over 21708 requests, baseline 0\.2 %$/m);
      expect(screen).toMatch(
        /^CHANGED {5}payment-service \(on the path to the users\), 4 min before the start/m,
      );
      expect(screen).toMatch(
        /^PATH {8}api\.payments\.example\.com → payment-service → order-service → frontend$/m,
      );
      expect(screen).toMatch(/^FIRST STEP {2}Put a circuit breaker in payment-service/m);
      // A link is never cut (a cut link opens nothing): a line that holds only a link may be longer.
      expect(
        run.stdout.split('\n').filter((l) => [...l].length > 100 && !/^\S*\s+https:\/\/\S+$/.test(l)),
      ).toEqual([]);
      expect(run.stdout).not.toMatch(
        /z = |impact \d+\/100|score|propagator|\[remote\]|conditional put|largest state payload|for machines\]/,
      );
      const file = /^FINDING +(\S+\.json)$/m.exec(run.stdout)?.[1];
      const finding = JSON.parse(await readFile(join(cwd, file as string), 'utf8')) as Finding;
      expect(finding.rootCauses[0]?.service).toBe(ROOT_CAUSE);
      const note = /written to\s+(\S+\.txt)/.exec(run.stdout)?.[1];
      expect(await readFile(join(cwd, note as string), 'utf8')).toContain(`Root cause: ${ROOT_CAUSE}`);
      const report = /^REPORT +(\S+\.html)$/m.exec(run.stdout)?.[1];
      expect(existsSync(join(cwd, report as string))).toBe(true);
    },
    HANG_GUARD_MS,
  );

  it(
    'should keep history: a second demo sees the first finding, and findings list and get read both',
    async () => {
      // Act
      const second = await cli(['demo', '--no-sns'], cwd);
      const list = await cli(['findings', 'list', '--json'], cwd);
      const table = await cli(['findings', 'list'], cwd);
      const items = (JSON.parse(list.stdout) as { items: { analysisId: string; rootCause: string }[] }).items;
      const get = await cli(['findings', 'get', items[0]?.analysisId ?? '', '--format', 'json'], cwd);
      const missing = await cli(['findings', 'get', 'alarm-0000'], cwd);

      // Assess
      expect(second.code).toBe(0);
      // The first demo on the fresh folder also seeded three past incidents (issue 21).
      expect(second.stdout.replace(/\s+/g, ' ')).toContain('(4 earlier finding(s) for frontend)');
      expect(list.code).toBe(0);
      expect(items).toHaveLength(5);
      expect(items.map((i) => i.rootCause)).toEqual(Array(5).fill(ROOT_CAUSE));
      expect(table.stdout.split('\n').filter((l) => l.includes(' frontend '))).toHaveLength(5);
      expect((JSON.parse(get.stdout) as Finding).analysisId).toBe(items[0]?.analysisId);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toContain('no analysis alarm-0000');
    },
    HANG_GUARD_MS,
  );

  it(
    'should show an alarm storm as one incident with one message, resolved with one more, and list it with incidents',
    async () => {
      // Act
      const storm = await cli(['demo', '--scenario', 'storm', '--no-sns', '--data-dir', 'storm-data'], cwd);
      // The storm keeps its state in a folder of its own, emptied first (bin/commands/demo-state.ts).
      const stormDir = join('storm-data', 'scenarios', 'storm');
      const list = await cli(['incidents', 'list', '--json', '--data-dir', stormDir], cwd);
      const items = (
        JSON.parse(list.stdout) as { items: { incidentId: string; status: string; alarmCount: number }[] }
      ).items;
      const listed = await cli(['incidents', 'list', '--data-dir', stormDir], cwd);
      const get = await cli(['incidents', 'get', items[0]?.incidentId ?? '', '--data-dir', stormDir], cwd);
      const missing = await cli(
        ['incidents', 'get', 'inc-000000000000000000000000', '--data-dir', stormDir],
        cwd,
      );
      const postmortem = await cli(
        ['incidents', 'export', items[0]?.incidentId ?? '', '--format', 'markdown', '--data-dir', stormDir],
        cwd,
      );

      // Assess
      expect(storm.stderr).toBe('');
      expect(storm.code).toBe(0);
      expect(storm.stdout).toContain('20 executions');
      // The list counts what the index holds, every alarm event that joined (16 alarms fired 20 times).
      expect(listed.stdout).toContain(`${items[0]?.alarmCount} alarm events`);
      expect(items[0]?.alarmCount).toBe(20);
      expect(storm.stdout).toContain('20 succeeded, 0 failed · 1 incident(s) · 1 message(s)');
      expect(storm.stdout).toContain('message: [cascade] resolved after');
      expect(items.map((i) => [i.status, i.alarmCount])).toEqual([['RESOLVED', 20]]);
      expect(get.code).toBe(0);
      expect(get.stdout).toContain('root cause: bank-api');
      expect(get.stdout).toContain('every alarm back to OK');
      expect(missing.code).toBe(1);
      // The postmortem draft: a UTC timeline holding each of the 16 alarms once, then the resolution.
      expect(postmortem.code).toBe(0);
      expect(postmortem.stdout).toContain('## Timeline (UTC)');
      const alarmRows = postmortem.stdout.split('\n').filter((l) => /^\| .* (First alarm|Alarm): /.test(l));
      expect(alarmRows).toHaveLength(16);
      expect(new Set(alarmRows.map((l) => /(cascade-analyzer-\S+)/.exec(l)?.[1])).size).toBe(16);
      expect(postmortem.stdout).toMatch(/\| Resolved: every alarm back to OK/);
    },
    HANG_GUARD_MS,
  );

  it(
    'should exit 2 with one line naming the file for a graph that is not one',
    async () => {
      // Prepare
      const bad = join(cwd, 'bad.json');
      await writeFile(bad, JSON.stringify({ incident: { Services: 'nope' } }));

      // Act
      const run = await cli(['demo', '--graph', bad, '--no-sns'], cwd);

      // Assess
      expect(run.code).toBe(2);
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toContain(bad);
      expect(run.stderr).toContain('Services');
    },
    HANG_GUARD_MS,
  );

  it(
    'should refuse, exit 1 and name the holder when another live process has the data folder',
    async () => {
      // Prepare: a folder with a table, held by this (live) test process as a running demo holds it
      const held = join(cwd, 'held');
      await mkdir(join(held, 'dynamodb'), { recursive: true });
      const holder = { pid: process.pid, command: 'demo', startedAt: new Date().toISOString() };
      await writeFile(join(held, 'lock.json'), JSON.stringify(holder));

      for (const args of [
        ['demo', '--no-sns'],
        ['serve', '--no-sns'],
        ['findings', 'list'],
        ['incidents', 'list'],
      ]) {
        // Act
        const run = await cli([...args, '--data-dir', held], cwd);

        // Assess
        expect(run.code, args.join(' ')).toBe(1);
        expect(run.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
        expect(run.stderr).toContain(`cascade-analyzer: ${args[0]}: `);
        expect(run.stderr).toContain(`is in use by "cascade-analyzer demo" (pid ${process.pid})`);
      }
      expect(JSON.parse(await readFile(join(held, 'lock.json'), 'utf8'))).toEqual(holder);
    },
    HANG_GUARD_MS,
  );

  describe('serve', () => {
    let server: ChildProcess | undefined;

    afterAll(() => {
      if (server?.exitCode === null && server.pid !== undefined) process.kill(server.pid, 'SIGKILL');
    });

    it(
      'should serve the API over HTTP, let findings and incidents read through it, and stop cleanly on SIGINT',
      async () => {
        // Prepare
        const serve = await startServe(cwd);
        const { child, endpoint, exited } = serve;
        server = child;

        // Act
        const started = await fetch(`${endpoint}/analyses`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: '{"service":"frontend"}',
        });
        const { analysisId } = (await started.json()) as { analysisId: string };
        // Until the analysis is stored, however long this machine takes (the test's timeout bounds it).
        let status = 0;
        while (status !== 200) {
          const res = await fetch(`${endpoint}/analyses/${analysisId}`);
          status = res.status;
          await res.body?.cancel();
          if (status !== 200) await new Promise((r) => setTimeout(r, 25));
        }
        const through = await cli(['findings', 'list', '--service', 'frontend', '--json'], cwd);
        const incidentsOfOne = await cli(['incidents', 'list', '--service', 'frontend', '--json'], cwd);
        const incidentsOfAll = await cli(['incidents', 'list'], cwd);
        child.kill('SIGINT');
        const code = await exited;

        // Assess
        expect(started.status).toBe(202);
        expect(status).toBe(200);
        expect(through.code).toBe(0);
        const ids = (JSON.parse(through.stdout) as { items: { analysisId: string }[] }).items.map(
          (i) => i.analysisId,
        );
        expect(ids[0]).toBe(analysisId);
        expect(incidentsOfOne.code).toBe(0);
        expect(Array.isArray(JSON.parse(incidentsOfOne.stdout).items)).toBe(true);
        expect(incidentsOfAll.code).toBe(2);
        expect(incidentsOfAll.stderr.trim().split('\n')).toHaveLength(1);
        expect(incidentsOfAll.stderr).toContain('lists one service at a time: give --service NAME');
        expect(serve.output()).toContain(`POST /analyses → 202`);
        expect(serve.output()).toMatch(
          new RegExp(`execution ${analysisId} SUCCEEDED in ${DURATION}: COMPLETED, root cause ${ROOT_CAUSE}`),
        );
        expect(code).toBe(0);
        expect(existsSync(join(cwd, '.cascade-analyzer', 'lock.json'))).toBe(false);
      },
      HANG_GUARD_MS,
    );
  });

  describe('with moto SNS', () => {
    let moto: LocalServer;

    beforeAll(async () => {
      moto = await startMotoServer();
    }, HANG_GUARD_MS);

    afterAll(async () => {
      await moto?.stop();
    });

    it(
      'should publish the demo notification to SNS, where a subscriber reads it',
      async () => {
        // Prepare: subscribe a queue to the topic the demo publishes to (CreateTopic is idempotent).
        const sns = createSnsClient(clientOptions(moto.endpoint));
        const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: LOCAL_TOPIC_NAME }));
        sns.destroy();
        const queue = await subscribeQueue(moto.endpoint, TopicArn as string, 'cli-demo');

        // Act
        const run = await cli(['demo', '--sns-endpoint', moto.endpoint, '--data-dir', 'with-sns'], cwd);
        // The seeded history's three incidents (issue 21) and this run's: each opened, then resolved.
        const messages = await queue.receive({ min: 8 });
        queue.destroy();

        // Assess
        expect(run.code).toBe(0);
        expect(run.stdout.replace(/\s+/g, ' ')).toContain(`published to ${TopicArn}`);
        expect(messages).toHaveLength(8);
        expect(messages.map((m) => m.attributes.notificationKind).sort()).toEqual([
          ...Array(4).fill('opened'),
          ...Array(4).fill('resolved'),
        ]);
        for (const m of messages) {
          expect(m.attributes.rootCause).toBe(ROOT_CAUSE);
          expect(m.attributes.service).toBe('frontend');
        }
      },
      HANG_GUARD_MS,
    );
  });
});
