// A local receiver of pages, as PagerDuty's Events API v2 and a webhook consumer answer: it checks
// every PagerDuty event against the documented fields and limits ("Send an Alert Event": routing_key
// of 32 characters, event_action, dedup_key ≤ 255, payload.summary ≤ 1024, source, severity of four
// values; "API Limits": 512 KB) and answers 400 with the problems, as PagerDuty does, or 202; and it
// checks every webhook request's HMAC-SHA256 signature and timestamp. It can be made to answer 500
// (an outage) to see that pages come afterwards, once per id.

import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { verifyWebhookSignature, WEBHOOK_HEADERS } from '../../lambdas/adapters/pager.ts';

export interface ReceivedPage {
  readonly path: string;
  readonly status: number;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body: string;
  readonly json: unknown;
  /** Why the receiver refused it (400 or 401); empty when it took it. */
  readonly problems: readonly string[];
}

export interface PageReceiver {
  readonly url: string;
  /** Every request, in arrival order, whatever the answer. */
  readonly received: ReceivedPage[];
  /** The requests answered 2xx. */
  accepted(): ReceivedPage[];
  /** While true, every request is answered 500 (and recorded). */
  down: boolean;
  close(): Promise<void>;
}

const TOP_LEVEL = new Set([
  'routing_key',
  'event_action',
  'dedup_key',
  'payload',
  'images',
  'links',
  'client',
  'client_url',
]);
const PAYLOAD = new Set([
  'summary',
  'source',
  'severity',
  'timestamp',
  'component',
  'group',
  'class',
  'custom_details',
]);
const SEVERITIES = new Set(['critical', 'error', 'warning', 'info']);

/** The problems PagerDuty's Events API v2 would find in `body` (the raw request text); empty when valid. */
export function pagerDutyProblems(body: string): string[] {
  const problems: string[] = [];
  if (Buffer.byteLength(body) > 512 * 1024) problems.push('payload over 512 KB');
  let event: Record<string, unknown>;
  try {
    event = JSON.parse(body) as Record<string, unknown>;
  } catch {
    return ['not JSON'];
  }
  if (typeof event !== 'object' || event === null || Array.isArray(event)) return ['not a JSON object'];
  for (const k of Object.keys(event)) if (!TOP_LEVEL.has(k)) problems.push(`unknown field ${k}`);
  const str = (v: unknown) => typeof v === 'string';
  if (!str(event.routing_key) || (event.routing_key as string).length !== 32)
    problems.push("Length of 'routing_key' is incorrect (should be 32 characters)");
  const action = event.event_action;
  if (action !== 'trigger' && action !== 'acknowledge' && action !== 'resolve')
    problems.push(`event_action must be trigger, acknowledge or resolve, got ${JSON.stringify(action)}`);
  if (event.dedup_key !== undefined && (!str(event.dedup_key) || (event.dedup_key as string).length > 255))
    problems.push('dedup_key must be a string of at most 255 characters');
  if (action !== 'trigger' && event.dedup_key === undefined)
    problems.push(`${String(action)} needs a dedup_key`);
  if (action === 'trigger') {
    const p = event.payload as Record<string, unknown> | undefined;
    if (typeof p !== 'object' || p === null) problems.push('trigger needs a payload');
    else {
      for (const k of Object.keys(p)) if (!PAYLOAD.has(k)) problems.push(`unknown payload field ${k}`);
      if (!str(p.summary) || (p.summary as string).length === 0 || (p.summary as string).length > 1024)
        problems.push('payload.summary must be 1 to 1024 characters');
      if (!str(p.source) || (p.source as string).trim() === '') problems.push('payload.source is required');
      if (!SEVERITIES.has(p.severity as string))
        problems.push('payload.severity must be critical, error, warning or info');
      if (p.timestamp !== undefined && (!str(p.timestamp) || Number.isNaN(Date.parse(p.timestamp as string))))
        problems.push('payload.timestamp must be ISO 8601');
      for (const k of ['component', 'group', 'class'])
        if (p[k] !== undefined && !str(p[k])) problems.push(`payload.${k} must be a string`);
      if (
        p.custom_details !== undefined &&
        (typeof p.custom_details !== 'object' || Array.isArray(p.custom_details))
      )
        problems.push('payload.custom_details must be an object');
    }
  }
  if (event.links !== undefined) {
    if (!Array.isArray(event.links)) problems.push('links must be a list');
    else
      for (const l of event.links as Record<string, unknown>[])
        if (!str(l?.href)) problems.push('every link needs an href');
  }
  if (event.images !== undefined) {
    if (!Array.isArray(event.images)) problems.push('images must be a list');
    else
      for (const i of event.images as Record<string, unknown>[])
        if (!str(i?.src) || !(i.src as string).startsWith('https://'))
          problems.push('every image needs an https src');
  }
  return problems;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((done, fail) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.once('end', () => done(Buffer.concat(chunks).toString('utf8')));
    req.once('error', fail);
  });
}

/** Starts a receiver on a free port of 127.0.0.1. `webhookSecret` checks signatures of non-PagerDuty paths. */
export async function startPageReceiver(webhookSecret: string): Promise<PageReceiver> {
  const received: ReceivedPage[] = [];
  const state = { down: false };
  const server: Server = createServer(async (req, res) => {
    const body = await readBody(req);
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const headers = Object.fromEntries(
      Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(',') : v]),
    );
    let json: unknown;
    try {
      json = JSON.parse(body);
    } catch {
      json = undefined;
    }
    let status: number;
    let problems: string[] = [];
    let answer: unknown;
    if (state.down) {
      status = 500;
      answer = { status: 'error', message: 'receiver down (test)' };
    } else if (path.endsWith('/v2/enqueue')) {
      problems = pagerDutyProblems(body);
      status = problems.length === 0 ? 202 : 400;
      answer =
        status === 202
          ? {
              status: 'success',
              message: 'Event processed',
              dedup_key: (json as { dedup_key?: string }).dedup_key,
            }
          : { status: 'invalid event', message: 'Event object is invalid', errors: problems };
    } else {
      const check = verifyWebhookSignature(
        webhookSecret,
        { timestamp: headers[WEBHOOK_HEADERS.timestamp], signature: headers[WEBHOOK_HEADERS.signature] },
        body,
        Math.floor(Date.now() / 1000),
      );
      if (!check.ok) problems = [check.reason];
      status = check.ok ? 204 : 401;
    }
    received.push({ path, status, headers, body, json, problems });
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(status === 204 ? undefined : JSON.stringify(answer ?? { problems }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    accepted: () => received.filter((r) => r.status >= 200 && r.status < 300),
    get down() {
      return state.down;
    },
    set down(v: boolean) {
      state.down = v;
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}
