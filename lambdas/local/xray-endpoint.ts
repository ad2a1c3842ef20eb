// A local X-Ray endpoint for `POST /ServiceGraph` (GetServiceGraph), reached by the real SDK client
// through `AWS_ENDPOINT_URL_XRAY` or an `endpoint` option. It answers from fixed pages or from a
// function of the requested window (a replayed snapshot, see replay.ts), pages with NextToken like
// X-Ray, and can throttle (HTTP 429 ThrottledException) or fail on demand.

import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What a GetServiceGraph call asked for. */
export interface GraphRequest {
  readonly start: Date;
  readonly end: Date;
  readonly groupName: string | undefined;
}

/** The pages X-Ray answers a request with, in order; the endpoint adds `NextToken` to all but the last. */
export type GraphPages = readonly Readonly<Record<string, unknown>>[];

export interface LocalXRayOptions {
  /** The same pages for every request. Give this or `graphs`. */
  readonly pages?: GraphPages;
  /** Pages per request (computed once per distinct window and group, then kept for the follow-up pages). */
  readonly graphs?: (request: GraphRequest) => GraphPages;
  /** Answer this many requests with HTTP 429 ThrottledException before serving any. @default 0 */
  readonly throttleFirst?: number;
  /** Answer every request with this error instead (e.g. 400 InvalidRequestException). */
  readonly failWith?: { readonly status: number; readonly type: string; readonly message: string };
  /** @default 0 (any free port) */
  readonly port?: number;
}

export interface XRayRequestLog {
  readonly path: string;
  readonly body: Record<string, unknown>;
  readonly status: number;
}

export interface LocalXRay {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  /** Every request received, in order, with the status it got. */
  readonly requests: readonly XRayRequestLog[];
  /** Throttle the next `count` requests (HTTP 429), as X-Ray does under load. */
  throttleNext(count: number): void;
  stop(): Promise<void>;
}

/** Distinct windows whose pages are kept for follow-up page requests. */
const PAGE_CACHE_SIZE = 8;

export async function startLocalXRay(options: LocalXRayOptions): Promise<LocalXRay> {
  const { pages, graphs } = options;
  if ((pages === undefined) === (graphs === undefined)) {
    throw new Error('startLocalXRay: give exactly one of `pages` and `graphs`');
  }
  const requests: XRayRequestLog[] = [];
  let throttlesLeft = options.throttleFirst ?? 0;
  const cache = new Map<string, GraphPages>();
  const pagesFor = (body: Record<string, unknown>): GraphPages => {
    if (pages !== undefined) return pages;
    const request: GraphRequest = {
      start: toDate(body.StartTime),
      end: toDate(body.EndTime),
      groupName: typeof body.GroupName === 'string' ? body.GroupName : undefined,
    };
    const key = `${request.start.getTime()}|${request.end.getTime()}|${request.groupName ?? ''}`;
    let answer = cache.get(key);
    if (answer === undefined) {
      answer = (graphs as NonNullable<typeof graphs>)(request);
      cache.set(key, answer);
      if (cache.size > PAGE_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
    }
    return answer;
  };

  const server = createServer((req, res) => {
    void readBody(req).then((raw) => {
      let body: Record<string, unknown> = {};
      const reply = (status: number, payload: unknown) => answer(res, requests, req, body, status, payload);
      try {
        body = raw === '' ? {} : (JSON.parse(raw) as Record<string, unknown>);
      } catch {
        return reply(400, errorBody('InvalidRequestException', 'body is not JSON'));
      }
      if (req.method !== 'POST' || req.url?.split('?')[0] !== '/ServiceGraph') {
        return reply(404, errorBody('UnknownOperationException', `no ${req.url}`));
      }
      if (options.failWith) {
        const f = options.failWith;
        return reply(f.status, errorBody(f.type, f.message));
      }
      if (throttlesLeft > 0) {
        throttlesLeft--;
        return reply(429, errorBody('ThrottledException', 'Rate exceeded'));
      }
      if (body.StartTime === undefined || body.EndTime === undefined) {
        return reply(400, errorBody('InvalidRequestException', 'StartTime and EndTime are required'));
      }
      let answerPages: GraphPages;
      try {
        answerPages = pagesFor(body);
      } catch (err) {
        return reply(500, errorBody('InternalFailure', (err as Error).message));
      }
      const token = body.NextToken;
      const index = token === undefined ? 0 : Number(/^page-(\d+)$/.exec(String(token))?.[1] ?? Number.NaN);
      const page = answerPages[index];
      if (page === undefined) return reply(400, errorBody('InvalidRequestException', 'Invalid NextToken'));
      const more = index + 1 < answerPages.length;
      reply(200, { ...page, ...(more ? { NextToken: `page-${index + 1}` } : {}) });
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

/** The SDK sends epoch seconds; other clients may send ISO-8601. */
function toDate(value: unknown): Date {
  if (typeof value === 'number') return new Date(value * 1000);
  return new Date(String(value));
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

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((err) => (err ? reject(err) : resolve()));
    server.closeAllConnections();
  });
}
