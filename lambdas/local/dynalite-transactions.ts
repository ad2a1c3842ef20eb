// TransactWriteItems for dynalite, which has no transactions: an HTTP front on the embedded server
// that runs a transaction's actions one by one, each with its own condition, under an exclusive
// lock (every other request waits for it, and it waits for requests in flight), and puts back what
// it changed when one condition fails. Every other request goes to dynalite unchanged.

import { createServer, type IncomingMessage, request, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

type Json = Record<string, unknown>;
type Key = Record<string, unknown>;

const TARGET_PREFIX = 'DynamoDB_20120810.';

/** A readers–writer lock: ordinary requests share it, a transaction holds it alone. */
class TransactionLock {
  private active = 0;
  private writer: Promise<void> | undefined;
  private idle: (() => void) | undefined;

  async shared<T>(run: () => Promise<T>): Promise<T> {
    while (this.writer !== undefined) await this.writer;
    this.active++;
    try {
      return await run();
    } finally {
      this.active--;
      if (this.active === 0) this.idle?.();
    }
  }

  async exclusive<T>(run: () => Promise<T>): Promise<T> {
    while (this.writer !== undefined) await this.writer;
    let release: () => void = () => undefined;
    this.writer = new Promise<void>((r) => {
      release = r;
    });
    try {
      if (this.active > 0) await new Promise<void>((r) => (this.idle = r));
      this.idle = undefined;
      return await run();
    } finally {
      this.writer = undefined;
      release();
    }
  }
}

interface Upstream {
  readonly port: number;
}

function call(up: Upstream, target: string, body: Json, headers: IncomingMessage['headers']) {
  return new Promise<{ status: number; body: string }>((resolve, reject) => {
    const text = JSON.stringify(body);
    const req = request(
      {
        host: '127.0.0.1',
        port: up.port,
        method: 'POST',
        path: '/',
        headers: {
          ...headers,
          'x-amz-target': `${TARGET_PREFIX}${target}`,
          'content-length': Buffer.byteLength(text),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 500, body: Buffer.concat(chunks).toString() }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(text);
  });
}

function errorType(body: string): string {
  try {
    return String((JSON.parse(body) as { __type?: unknown }).__type ?? '');
  } catch {
    return '';
  }
}

/** One action of a transaction as the single-item request dynalite knows. */
function asSingle(action: Json): { target: string; input: Json; key: Key; table: string } {
  const [kind, spec] = Object.entries(action)[0] as [string, Json];
  const table = String(spec.TableName);
  const names = spec.ExpressionAttributeNames as Json | undefined;
  const values = spec.ExpressionAttributeValues as Json | undefined;
  const common = {
    TableName: table,
    ...(spec.ConditionExpression !== undefined ? { ConditionExpression: spec.ConditionExpression } : {}),
    ...(names !== undefined ? { ExpressionAttributeNames: names } : {}),
    ...(values !== undefined ? { ExpressionAttributeValues: values } : {}),
  };
  if (kind === 'Put') {
    const item = spec.Item as Json;
    return { target: 'PutItem', input: { ...common, Item: item }, key: item, table };
  }
  if (kind === 'Update') {
    const key = spec.Key as Key;
    return {
      target: 'UpdateItem',
      input: { ...common, Key: key, UpdateExpression: spec.UpdateExpression },
      key,
      table,
    };
  }
  if (kind === 'Delete') {
    const key = spec.Key as Key;
    return { target: 'DeleteItem', input: { ...common, Key: key }, key, table };
  }
  // ConditionCheck: an update of a marker attribute under the condition; the item is put back after.
  const key = spec.Key as Key;
  return {
    target: 'UpdateItem',
    input: {
      ...common,
      Key: key,
      UpdateExpression: 'SET #txcheck = :txcheck',
      ExpressionAttributeNames: { ...(names ?? {}), '#txcheck': '__txcheck' },
      ExpressionAttributeValues: { ...(values ?? {}), ':txcheck': { BOOL: true } },
    },
    key,
    table,
  };
}

/** The key attributes of an item, from the table's key schema. */
async function keyNames(up: Upstream, table: string, headers: IncomingMessage['headers']): Promise<string[]> {
  const out = await call(up, 'DescribeTable', { TableName: table }, headers);
  const schema = (JSON.parse(out.body) as { Table?: { KeySchema?: { AttributeName: string }[] } }).Table
    ?.KeySchema;
  return (schema ?? []).map((k) => k.AttributeName);
}

async function transact(up: Upstream, body: Json, headers: IncomingMessage['headers']) {
  const actions = ((body.TransactItems as Json[] | undefined) ?? []).map(asSingle);
  const keys = new Map<string, string[]>();
  const images: { table: string; key: Key; before: Json | undefined }[] = [];
  for (const a of actions) {
    let names = keys.get(a.table);
    if (names === undefined) {
      names = await keyNames(up, a.table, headers);
      keys.set(a.table, names);
    }
    const key = Object.fromEntries(names.map((n) => [n, a.key[n]]));
    const got = await call(up, 'GetItem', { TableName: a.table, Key: key, ConsistentRead: true }, headers);
    images.push({ table: a.table, key, before: (JSON.parse(got.body) as { Item?: Json }).Item });
  }
  const restore = async (upTo: number) => {
    for (let i = upTo; i >= 0; i--) {
      const img = images[i];
      if (img === undefined) continue;
      if (img.before === undefined)
        await call(up, 'DeleteItem', { TableName: img.table, Key: img.key }, headers);
      else await call(up, 'PutItem', { TableName: img.table, Item: img.before }, headers);
    }
  };
  for (let i = 0; i < actions.length; i++) {
    const a = actions[i] as (typeof actions)[number];
    const out = await call(up, a.target, a.input, headers);
    if (out.status >= 400) {
      await restore(i - 1);
      if (!errorType(out.body).endsWith('ConditionalCheckFailedException')) return out;
      const reasons = actions.map((_, j) =>
        j === i
          ? { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' }
          : { Code: 'None' },
      );
      return {
        status: 400,
        body: JSON.stringify({
          __type: 'com.amazonaws.dynamodb.v20120810#TransactionCanceledException',
          message: `Transaction cancelled, please refer cancellation reasons for specific reasons [${reasons.map((r) => r.Code).join(', ')}]`,
          CancellationReasons: reasons,
        }),
      };
    }
  }
  // The condition checks changed nothing in the end: put their items back as they were.
  for (let i = 0; i < actions.length; i++) {
    const spec = Object.keys((body.TransactItems as Json[])[i] ?? {})[0];
    const img = images[i];
    if (spec !== 'ConditionCheck' || img === undefined) continue;
    if (img.before === undefined)
      await call(up, 'DeleteItem', { TableName: img.table, Key: img.key }, headers);
    else await call(up, 'PutItem', { TableName: img.table, Item: img.before }, headers);
  }
  return { status: 200, body: '{}' };
}

function pipe(up: Upstream, req: IncomingMessage, raw: Buffer, res: ServerResponse): Promise<void> {
  return new Promise((resolve, reject) => {
    const fwd = request(
      { host: '127.0.0.1', port: up.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 500, answer.headers);
        answer.pipe(res);
        answer.on('end', resolve);
        answer.on('error', reject);
      },
    );
    fwd.on('error', reject);
    fwd.end(raw);
  });
}

/** A front on `upstream` (dynalite) that adds TransactWriteItems; listen on it as on dynalite. */
export function transactionsFront(upstream: Server): Server {
  const up: Upstream = { port: (upstream.address() as AddressInfo).port };
  const lock = new TransactionLock();
  return createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const raw = Buffer.concat(chunks);
      const target = String(req.headers['x-amz-target'] ?? '');
      const handle =
        target === `${TARGET_PREFIX}TransactWriteItems`
          ? lock.exclusive(async () => {
              const { 'content-length': _len, ...headers } = req.headers;
              const out = await transact(up, JSON.parse(raw.toString() || '{}') as Json, headers);
              res.writeHead(out.status, { 'content-type': 'application/x-amz-json-1.0' });
              res.end(out.body);
            })
          : lock.shared(() => pipe(up, req, raw, res));
      handle.catch((err: unknown) => {
        if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(JSON.stringify({ __type: 'InternalFailure', message: String(err) }));
      });
    });
  });
}
