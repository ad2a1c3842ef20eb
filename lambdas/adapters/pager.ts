// Delivers rendered pages over HTTPS: PagerDuty's Events API v2 (the routing key of the incident's
// route added to each event) and the signed webhook (HMAC-SHA256 over `timestamp.body`). These
// classes only serialize, sign and send; what a page says is rendered in lambdas/report/pages.ts.
// A receiver that may take the page later (5xx, 408, 429, network error, timeout) makes `deliver`
// throw, so the incident's outbox keeps the message and a retry or the sweep sends it again.

import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Page, PageChannel, PageReceipt, Pager, SecretSource } from './ports.ts';

export const PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com/v2/enqueue';
/** How long one request may take: well within the sending functions' 30 s. */
export const PAGE_TIMEOUT_MS = 5_000;

export const WEBHOOK_HEADERS = {
  id: 'x-cascade-message-id',
  timestamp: 'x-cascade-timestamp',
  signature: 'x-cascade-signature',
} as const;

/** The signature header's value: `v1=` and the hex HMAC-SHA256 of `<timestamp>.<body>` under the secret. */
export function signWebhookBody(secret: string, timestamp: number, body: string): string {
  return `v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

/**
 * What a receiver checks: the signature over the timestamp and the exact body bytes, and a
 * timestamp within `toleranceSeconds` of its clock (an old request replayed is refused).
 */
export function verifyWebhookSignature(
  secret: string,
  headers: { readonly timestamp: string | undefined; readonly signature: string | undefined },
  body: string,
  nowSeconds: number,
  toleranceSeconds = 300,
): { ok: true } | { ok: false; reason: string } {
  const ts = Number(headers.timestamp);
  if (headers.timestamp === undefined || !/^\d+$/.test(headers.timestamp) || !Number.isSafeInteger(ts))
    return { ok: false, reason: `missing or malformed ${WEBHOOK_HEADERS.timestamp}` };
  if (Math.abs(nowSeconds - ts) > toleranceSeconds)
    return { ok: false, reason: `timestamp ${ts} is more than ${toleranceSeconds} s from now` };
  const expected = Buffer.from(signWebhookBody(secret, ts, body));
  const given = Buffer.from(headers.signature ?? '');
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return { ok: false, reason: 'signature does not match' };
  return { ok: true };
}

export type Fetch = typeof fetch;

/** A receiver's answer that retrying may change: its outage, throttling or a timeout. */
export class PageDeliveryError extends Error {
  override readonly name = 'PageDeliveryError';
}

interface HttpOptions {
  readonly fetch?: Fetch;
  /** @default PAGE_TIMEOUT_MS */
  readonly timeoutMs?: number;
}

async function post(
  channel: PageChannel,
  url: string,
  body: string,
  headers: Record<string, string>,
  options: HttpOptions,
): Promise<PageReceipt> {
  const doFetch = options.fetch ?? fetch;
  let res: Response;
  try {
    res = await doFetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'cascade-analyzer', ...headers },
      body,
      signal: AbortSignal.timeout(options.timeoutMs ?? PAGE_TIMEOUT_MS),
      redirect: 'error',
    });
  } catch (err) {
    throw new PageDeliveryError(`${channel}: ${hostOf(url)} unreachable: ${(err as Error).message}`);
  }
  const text = (await res.text().catch(() => '')).slice(0, 300).replace(/\s+/g, ' ');
  if (res.status >= 200 && res.status < 300) return { outcome: 'accepted', detail: `${res.status}` };
  if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
    return { outcome: 'rejected', detail: `${hostOf(url)} answered ${res.status}: ${text}` };
  }
  throw new PageDeliveryError(`${channel}: ${hostOf(url)} answered ${res.status}: ${text}`);
}

/** The host only: a webhook URL's path or query may hold a token of its own. */
function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(bad URL)';
  }
}

export interface PagerDutyRoutes {
  /** Secret (name or ARN) holding the routing key for services without their own. */
  readonly defaultSecret?: string;
  /** Watched service → secret holding its routing key. */
  readonly services?: Readonly<Record<string, string>>;
}

export interface PagerDutyPagerOptions extends HttpOptions {
  readonly secrets: SecretSource;
  readonly routes: PagerDutyRoutes;
  /** @default PAGERDUTY_EVENTS_URL */
  readonly url?: string;
}

export class PagerDutyPager implements Pager {
  readonly channel = 'pagerduty' as const;
  private readonly url: string;

  constructor(private readonly options: PagerDutyPagerOptions) {
    this.url = options.url ?? PAGERDUTY_EVENTS_URL;
    if (options.routes.defaultSecret === undefined && Object.keys(options.routes.services ?? {}).length === 0)
      throw new Error('PagerDuty paging needs a routing key secret: a default one or one per service');
  }

  async deliver(page: Page): Promise<PageReceipt> {
    const routes = this.options.routes;
    const secretId =
      (page.route !== undefined ? routes.services?.[page.route] : undefined) ?? routes.defaultSecret;
    if (secretId === undefined)
      return {
        outcome: 'rejected',
        detail: `no PagerDuty routing key for service ${page.route ?? '(none)'}`,
      };
    const routingKey = await this.options.secrets.get(secretId);
    if (!/^[A-Za-z0-9]{32}$/.test(routingKey)) {
      // PagerDuty would refuse it (400): say which secret is wrong instead, without its value.
      return {
        outcome: 'rejected',
        detail: `secret ${secretId} is not a 32-character PagerDuty routing key`,
      };
    }
    const details: string[] = [];
    for (const doc of page.documents) {
      const receipt = await post(
        'pagerduty',
        this.url,
        JSON.stringify({ routing_key: routingKey, ...doc }),
        {},
        this.options,
      );
      if (receipt.outcome === 'rejected') return receipt;
      details.push(receipt.detail);
    }
    return { outcome: 'accepted', detail: details.join(', ') };
  }
}

export interface WebhookPagerOptions extends HttpOptions {
  readonly url: string;
  readonly secrets: SecretSource;
  /** The secret (name or ARN) holding the signing key. */
  readonly secret: string;
  /** @default Date.now */
  readonly now?: () => number;
}

export class WebhookPager implements Pager {
  readonly channel = 'webhook' as const;

  constructor(private readonly options: WebhookPagerOptions) {
    const url = new URL(options.url);
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new Error(`webhook URL must be http(s), got ${url.protocol}`);
  }

  async deliver(page: Page): Promise<PageReceipt> {
    const secret = await this.options.secrets.get(this.options.secret);
    const details: string[] = [];
    for (const doc of page.documents) {
      const body = JSON.stringify(doc);
      const timestamp = Math.floor((this.options.now ?? Date.now)() / 1000);
      const receipt = await post(
        'webhook',
        this.options.url,
        body,
        {
          [WEBHOOK_HEADERS.id]: page.id,
          [WEBHOOK_HEADERS.timestamp]: String(timestamp),
          [WEBHOOK_HEADERS.signature]: signWebhookBody(secret, timestamp, body),
        },
        this.options,
      );
      if (receipt.outcome === 'rejected') return receipt;
      details.push(receipt.detail);
    }
    return { outcome: 'accepted', detail: details.join(', ') };
  }
}
