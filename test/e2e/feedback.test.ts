// Issue 21 as a user runs it on a fresh clone: `demo` (with its seeded history), then
// `findings feedback <id> --wrong --actual payment-service`, then `accuracy --format json`; a second
// demo run names the first incident and its confirmed root cause; and the same through `serve`'s API.

import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccuracyReport, FeedbackRecord } from '../../lambdas/core/feedback.ts';
import { DEMO_VERDICT_BY } from '../../lambdas/core/feedback.ts';
import { type CliResult as Result, runCli, startServe } from '../support/cli.ts';

/** A guard against a hung child, not a budget: no result depends on the machine's speed. */
const HANG_GUARD_MS = 900_000;

const cli = (args: readonly string[], cwd: string): Promise<Result> => runCli(args, cwd);

const analysisIdOf = (demo: Result) => /findings get (alarm-[0-9a-f]+)/.exec(demo.stdout)?.[1] as string;
const incidentIdOf = (demo: Result) =>
  /^INCIDENT +(inc-[0-9a-f]{24}) \(opened by this alarm\)/m.exec(demo.stdout)?.[1] as string;
/** The output with its wrapping undone: one space between words. */
const flat = (demo: Result) => demo.stdout.replace(/\s+/g, ' ');

describe('E2E: on-call feedback, live accuracy and "seen before" (issue 21)', () => {
  let cwd: string;
  let server: ChildProcess | undefined;

  beforeAll(async () => {
    cwd = await mkdtemp(join(tmpdir(), 'cascade-analyzer-feedback-'));
  });

  afterAll(async () => {
    if (server?.exitCode === null && server.pid !== undefined) process.kill(server.pid, 'SIGKILL');
    await rm(cwd, { recursive: true, force: true });
  });

  it(
    'should record a verdict after demo, count it in accuracy, keep it in the history, and name it on the next run',
    async () => {
      // Act: a fresh clone's first demo, a verdict, the accuracy, the history, a second demo.
      const first = await cli(['demo', '--no-sns'], cwd);
      const id = analysisIdOf(first);
      const firstIncident = incidentIdOf(first);
      const verdict = await cli(['findings', 'feedback', id, '--wrong', '--actual', 'payment-service'], cwd);
      const accuracy = await cli(['accuracy', '--format', 'json'], cwd);
      const history = await cli(['findings', 'feedback', id, '--json'], cwd);
      const second = await cli(['demo', '--no-sns'], cwd);
      const unknown = await cli(['findings', 'feedback', 'alarm-0000', '--right'], cwd);
      const tooLong = await cli(['findings', 'feedback', id, '--wrong', '--actual', 'x'.repeat(201)], cwd);

      // Assess: the first run seeded a history the demo says is its own, and "seen before" names it.
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/^HISTORY +3 past incidents seeded by the demo \(/m);
      expect(flat(first)).toContain(`their verdicts are by "${DEMO_VERDICT_BY}"`);
      expect(flat(first)).toMatch(
        /SEEN BEFORE \d{4}-\d\d-\d\d \d\d:\d\d UTC, root cause api\.payments\.example\.com \(confirmed right by demo-seeded-history\), resolved in 51 min — incident inc-/,
      );
      expect(flat(first)).toContain(`VERDICT npx cascade-analyzer findings feedback ${id} --right`);
      expect(flat(first)).toMatch(
        / OK cascade-analyzer-frontend-fault-rate → OK at [0-9:]+ UTC; \[cascade\] resolved after/,
      );

      // Assess: the verdict is counted (one wrong verdict by a person, two seeded right ones).
      expect(verdict.code, verdict.stderr).toBe(0);
      expect(accuracy.code, accuracy.stderr).toBe(0);
      const report = JSON.parse(accuracy.stdout) as AccuracyReport;
      expect(report).toMatchObject({ findings: 4, demoVerdicts: 2 });
      expect(report.overall).toMatchObject({ verdicts: 3, right: 2, wrong: 1, partly: 0 });
      expect(report.overall.precisionAt1).toBeCloseTo(2 / 3);
      expect(report.verdictShare).toBe(0.75);
      const thisWeek = report.weeks.at(-1);
      expect(thisWeek).toMatchObject({ findings: 1, verdicts: 1, wrong: 1, precisionAt1: 0 });

      // Assess: the finding's history holds it.
      const record = JSON.parse(history.stdout) as FeedbackRecord;
      expect(record.history).toEqual([
        expect.objectContaining({
          verdict: 'wrong',
          actual: 'payment-service',
          by: expect.stringMatching(/^local:/),
        }),
      ]);

      // Assess: the second run names the first incident and the root cause on-call confirmed.
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).not.toMatch(/^HISTORY /m);
      expect(flat(second)).toMatch(
        new RegExp(
          `SEEN BEFORE \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC, root cause payment-service \\(confirmed wrong by local:[^;]+; the analysis had said api\\.payments\\.example\\.com\\), resolved (in \\d+ min|within a minute) — incident ${firstIncident}, same root cause`,
        ),
      );

      // Assess: bad input, as everywhere else.
      expect(unknown.code).toBe(1);
      expect(unknown.stderr).toContain('no analysis alarm-0000');
      expect(tooLong.code).toBe(2);
      expect(tooLong.stderr).toContain('actual: must have at most 200 characters');
    },
    HANG_GUARD_MS,
  );

  it(
    'should take a verdict and answer the accuracy through the API of serve, and the CLI through it',
    async () => {
      // Prepare: serve holds the folder the first test filled.
      const serve = await startServe(cwd);
      const { child, endpoint, exited } = serve;
      server = child;
      const list = await cli(['findings', 'list', '--service', 'frontend', '--json'], cwd);
      const [newest] = (JSON.parse(list.stdout) as { items: { analysisId: string }[] }).items;
      const id = newest?.analysisId as string;

      // Act
      const posted = await fetch(`${endpoint}/findings/${id}/feedback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ verdict: 'wrong', actual: 'payment-service', by: 'carol' }),
      });
      const badActual = await fetch(`${endpoint}/findings/${id}/feedback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ verdict: 'wrong', actual: 'pay\u0000ment' }),
      });
      const unknown = await fetch(`${endpoint}/findings/alarm-0000/feedback`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"verdict":"right"}',
      });
      const accuracy = await fetch(`${endpoint}/accuracy`);
      const viaCli = await cli(['findings', 'feedback', id, '--right', '--by', 'dave'], cwd);
      const accuracyViaCli = await cli(['accuracy', '--format', 'json'], cwd);
      child.kill('SIGINT');
      const code = await exited;

      // Assess
      expect(posted.status).toBe(200);
      expect(((await posted.json()) as FeedbackRecord).verdicts).toEqual([
        expect.objectContaining({ verdict: 'wrong', actual: 'payment-service', by: 'carol' }),
      ]);
      expect(badActual.status).toBe(400);
      expect(((await badActual.json()) as { message: string }).message).toBe(
        'actual: must not contain control characters',
      );
      expect(unknown.status).toBe(404);
      expect(accuracy.status).toBe(200);
      const report = (await accuracy.json()) as AccuracyReport;
      expect(report.overall).toMatchObject({ verdicts: 4, wrong: 2, right: 2 });
      expect(viaCli.code, viaCli.stderr).toBe(0);
      expect(viaCli.stdout).toContain('RIGHT  by dave');
      expect(JSON.parse(accuracyViaCli.stdout).overall).toMatchObject({ verdicts: 4, right: 3, wrong: 1 });
      expect(code).toBe(0);
    },
    HANG_GUARD_MS,
  );
});
