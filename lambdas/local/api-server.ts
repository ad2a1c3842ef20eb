// The REST API's Lambda handler (`route`) on a local HTTP port: each request becomes the
// API Gateway proxy event the deployed API would send, each result the HTTP response, so the routes
// and status codes are the deployed ones. No IAM auth: it listens on 127.0.0.1 only.

import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { type ApiDeps, route } from '../handlers/api.ts';
import { closeServer } from './xray-endpoint.ts';

/** API Gateway refuses payloads over 10 MB; nothing this API takes comes near. */
const MAX_BODY_BYTES = 1024 * 1024;

export interface ApiRequestLog {
  readonly method: string;
  readonly path: string;
  readonly status: number;
  readonly ms: number;
}

export interface LocalApiOptions {
  readonly deps: ApiDeps;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** @default '127.0.0.1' */
  readonly host?: string;
  /** Told about every request once answered. */
  readonly onRequest?: (log: ApiRequestLog) => void;
}

export interface LocalApi {
  /** `http://127.0.0.1:<port>` */
  readonly endpoint: string;
  stop(): Promise<void>;
}

export async function startLocalApi(options: LocalApiOptions): Promise<LocalApi> {
  const host = options.host ?? '127.0.0.1';
  const server = createServer((req, res) => {
    const started = Date.now();
    void (async () => {
      let result: APIGatewayProxyResult;
      const url = new URL(req.url ?? '/', 'http://localhost');
      try {
        const body = await readBody(req);
        result =
          body === undefined
            ? {
                statusCode: 413,
                headers: { 'Content-Type': 'application/json' },
                body: '{"message":"payload too large"}',
              }
            : await route(proxyEvent(req, url, body), options.deps);
      } catch {
        // `route` answers every error itself; this is the connection failing underneath.
        result = {
          statusCode: 500,
          headers: { 'Content-Type': 'application/json' },
          body: '{"message":"internal error"}',
        };
      }
      res.writeHead(result.statusCode, stringHeaders(result.headers));
      res.end(result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body);
      options.onRequest?.({
        method: req.method ?? 'GET',
        path: url.pathname + url.search,
        status: result.statusCode,
        ms: Date.now() - started,
      });
    })();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return { endpoint: `http://${host}:${port}`, stop: () => closeServer(server) };
}

/** The proxy-integration event API Gateway builds for this request (REST API, stage `local`). */
export function proxyEvent(req: IncomingMessage, url: URL, body: string): APIGatewayProxyEvent {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    headers[name] = values.join(',');
    multiValueHeaders[name] = values;
  }
  const query: Record<string, string> = {};
  const multiQuery: Record<string, string[]> = {};
  for (const [k, v] of url.searchParams) {
    // API Gateway keeps the last value of a repeated parameter in queryStringParameters.
    query[k] = v;
    multiQuery[k] = [...(multiQuery[k] ?? []), v];
  }
  const hasQuery = Object.keys(query).length > 0;
  const requestId = randomUUID();
  const method = (req.method ?? 'GET').toUpperCase();
  return {
    httpMethod: method,
    path: url.pathname,
    resource: '/{proxy+}',
    body: body === '' ? null : body,
    isBase64Encoded: false,
    headers,
    multiValueHeaders,
    queryStringParameters: hasQuery ? query : null,
    multiValueQueryStringParameters: hasQuery ? multiQuery : null,
    pathParameters: { proxy: url.pathname.replace(/^\//, '') },
    stageVariables: null,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      authorizer: undefined,
      protocol: `HTTP/${req.httpVersion}`,
      httpMethod: method,
      identity: localIdentity(req.socket.remoteAddress ?? '127.0.0.1', headers['user-agent'] ?? null),
      path: url.pathname,
      stage: 'local',
      requestId,
      requestTimeEpoch: Date.now(),
      resourceId: 'local',
      resourcePath: '/{proxy+}',
    },
  };
}

function localIdentity(
  sourceIp: string,
  userAgent: string | null,
): APIGatewayProxyEvent['requestContext']['identity'] {
  return {
    accessKey: null,
    accountId: null,
    apiKey: null,
    apiKeyId: null,
    caller: null,
    clientCert: null,
    cognitoAuthenticationProvider: null,
    cognitoAuthenticationType: null,
    cognitoIdentityId: null,
    cognitoIdentityPoolId: null,
    principalOrgId: null,
    sourceIp,
    user: null,
    userAgent,
    userArn: null,
  };
}

/** The body as text, or undefined when it is over the limit. */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooBig = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) tooBig = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(tooBig ? undefined : Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function stringHeaders(headers: APIGatewayProxyResult['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers ?? {})) out[k] = String(v);
  return out;
}
