// The HTTP side of the local AWS endpoints (X-Ray, CloudTrail): JSON bodies in and out, the error
// shape the SDK parses (`__type` plus `x-amzn-ErrorType`), a log of every request, throttling
// (HTTP 429) and failures on demand, and NextToken pages.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EndpointRequest {
  /** The URL path without the query (REST-JSON services such as X-Ray route on it). */
  readonly path: string;
  /** The `X-Amz-Target` header (JSON-1.1 services such as CloudTrail route on it). */
  readonly target: string | undefined;
  readonly body: Record<string, unknown>;
}

export interface RouteAnswer {
  readonly status: number;
  readonly payload: unknown;
}

/** Answers a request, or returns undefined for an operation the endpoint does not know (404). */
export type Route = (request: EndpointRequest) => (() => RouteAnswer) | undefined;

export interface RequestLog {
  readonly path: string;
  readonly target?: string;
  readonly body: Record<string, unknown>;
  readonly status: number;
}

export interface JsonEndpointOptions {
  /** Answer this many requests with HTTP 429 before serving any. @default 0 */
  readonly throttleFirst?: number;
  /** The error type of a throttled answer, as the real service names it. */
  readonly throttleType: string;
  /** Answer every request with this error instead (e.g. 400 InvalidRequestException). */
  readonly failWith?: { readonly status: number; readonly type: string; readonly message: string };
  /** @default 0 (any free port) */
  readonly port?: number;
}

export interface LocalJsonEndpoint {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Every request received, in order, with the status it got. */
  readonly requests: readonly RequestLog[];
  /** Throttle the next `count` requests (HTTP 429), as AWS does under load. */
  throttleNext(count: number): void;
  stop(): Promise<void>;
}

export async function startJsonEndpoint(
  route: Route,
  options: JsonEndpointOptions,
): Promise<LocalJsonEndpoint> {
  const requests: RequestLog[] = [];
  let throttlesLeft = options.throttleFirst ?? 0;
  const server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      const path = req.url?.split('?')[0] ?? '';
      const targetHeader = req.headers['x-amz-target'];
      const target = typeof targetHeader === 'string' ? targetHeader : undefined;
      let body: Record<string, unknown> = {};
      const reply = ({ status, payload }: RouteAnswer) => {
        requests.push({ path, ...(target !== undefined ? { target } : {}), body, status });
        send(res, status, payload);
      };
      try {
        body = raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>);
      } catch {
        return reply(errorAnswer(400, 'InvalidRequestException', 'body is not JSON'));
      }
      const handler = req.method === 'POST' ? route({ path, target, body }) : undefined;
      if (handler === undefined) {
        return reply(errorAnswer(404, 'UnknownOperationException', `no ${target ?? req.url}`));
      }
      if (options.failWith) {
        const f = options.failWith;
        return reply(errorAnswer(f.status, f.type, f.message));
      }
      if (throttlesLeft > 0) {
        throttlesLeft--;
        return reply(errorAnswer(429, options.throttleType, 'Rate exceeded'));
      }
      try {
        reply(handler());
      } catch (err) {
        reply(errorAnswer(500, 'InternalFailure', (err as Error).message));
      }
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    throttleNext(count: number) {
      throttlesLeft = count;
    },
    stop: () => closeServer(server),
  };
}

export function errorAnswer(status: number, type: string, message: string): RouteAnswer {
  return { status, payload: { __type: type, message } };
}

/** Page `NextToken` of `pages` (tokens `page-1`, `page-2`…), NextToken added to all but the last. */
export function pageAnswer(pages: readonly Readonly<Record<string, unknown>>[], token: unknown): RouteAnswer {
  const index = token === undefined ? 0 : Number(/^page-(\d+)$/.exec(String(token))?.[1] ?? Number.NaN);
  const page = pages[index];
  if (page === undefined) return errorAnswer(400, 'InvalidRequestException', 'Invalid NextToken');
  const more = index + 1 < pages.length;
  return { status: 200, payload: { ...page, ...(more ? { NextToken: `page-${index + 1}` } : {}) } };
}

/** The SDK sends epoch seconds; other clients may send ISO-8601. */
export function toDate(value: unknown): Date {
  if (typeof value === 'number') return new Date(value * 1000);
  return new Date(String(value));
}

function send(res: ServerResponse, status: number, payload: unknown): void {
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

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}
