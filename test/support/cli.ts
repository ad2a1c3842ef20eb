// Runs the CLI as a user does (node + the bin launcher, from the repository root).

import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { join, resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const EXAMPLE = join(ROOT, 'examples/shop-incident.json');

export function cli(...args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [join(ROOT, 'bin/cascade-analyzer.mjs'), ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export interface CliResult {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * The environment of a user with no SNS endpoint and no page secret configured, plus `extra`
 * (e.g. `COLUMNS`), so that a test never reaches the machine's own settings.
 */
export function userEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, ...extra };
  delete env.AWS_ENDPOINT_URL_SNS;
  delete env.CASCADE_PAGE_SECRET;
  return env;
}

/** The CLI in a child process, as a user runs it in `cwd`, without blocking the test's event loop. */
export function runCli(
  args: readonly string[],
  cwd: string,
  env: NodeJS.ProcessEnv = userEnv(),
): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [join(ROOT, 'bin/cascade-analyzer.mjs'), ...args], { cwd, env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    child.once('error', fail);
    child.once('close', (code) => done({ code, stdout, stderr }));
  });
}

/** `serve` running in a child process: its endpoint once it listens, its output so far, its exit. */
export interface ServeProcess {
  readonly child: ChildProcess;
  readonly endpoint: string;
  readonly output: () => string;
  readonly exited: Promise<number | null>;
}

/**
 * Starts `serve --port 0 --no-sns` in `cwd` and waits until it listens or exits, however long this
 * machine takes (the calling test's timeout bounds it).
 */
export async function startServe(cwd: string, env: NodeJS.ProcessEnv = userEnv()): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    [join(ROOT, 'bin/cascade-analyzer.mjs'), 'serve', '--port', '0', '--no-sns'],
    {
      cwd,
      env,
    },
  );
  let out = '';
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
  });
  const exited = new Promise<number | null>((r) => child.once('close', r));
  while (!/listening on (http:\/\/\S+)/.test(out) && child.exitCode === null)
    await new Promise((r) => setTimeout(r, 50));
  return {
    child,
    endpoint: /listening on (http:\/\/\S+)/.exec(out)?.[1] as string,
    output: () => out,
    exited,
  };
}
