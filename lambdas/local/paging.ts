// Pages on this machine (`demo --page-to URL`): the deployed pagers, pointed at a receiver the user
// runs. A URL whose path ends in /v2/enqueue gets PagerDuty Events API v2 events, any other URL the
// signed webhook's documents. The key is CASCADE_PAGE_SECRET when set (a PagerDuty routing key, or
// the webhook's signing key), else a demo value printed in docs/paging.md: no Secrets Manager here.

import { PagerDutyPager, WebhookPager } from '../adapters/pager.ts';
import type { Pager, SecretSource } from '../adapters/ports.ts';

/** The routing key the demo sends when CASCADE_PAGE_SECRET is not set (32 characters, as PagerDuty's). */
export const DEMO_ROUTING_KEY = 'cascadeanalyzerdemoroutingkey000';
/** The webhook signing key the demo uses when CASCADE_PAGE_SECRET is not set. */
export const DEMO_WEBHOOK_SECRET = 'cascade-analyzer-demo-webhook-secret';
export const PAGE_SECRET_VARIABLE = 'CASCADE_PAGE_SECRET';

/** One value for every secret id: what a secret holds on this machine. */
export class FixedSecret implements SecretSource {
  constructor(private readonly value: string) {}
  async get(): Promise<string> {
    return this.value;
  }
}

export interface LocalPager {
  readonly pager: Pager;
  /** `PagerDuty Events API v2` or `signed webhook`, for the terminal. */
  readonly shape: string;
  /** Where the key came from, for the terminal (never the key itself unless it is the demo's). */
  readonly key: string;
}

/** The pager for `--page-to url`; a URL that is not http(s) is refused naming it. */
export function localPager(
  url: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): LocalPager {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(`--page-to: "${url}" is not a URL`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new Error(`--page-to: "${url}" is not an http(s) URL`);
  const given = env[PAGE_SECRET_VARIABLE]?.trim() || undefined;
  if (/\/v2\/enqueue\/?$/.test(parsed.pathname)) {
    const key = given ?? DEMO_ROUTING_KEY;
    return {
      pager: new PagerDutyPager({ url, secrets: new FixedSecret(key), routes: { defaultSecret: 'local' } }),
      shape: 'PagerDuty Events API v2',
      key:
        given !== undefined
          ? `routing key from ${PAGE_SECRET_VARIABLE}`
          : `demo routing key ${DEMO_ROUTING_KEY}`,
    };
  }
  const secret = given ?? DEMO_WEBHOOK_SECRET;
  return {
    pager: new WebhookPager({ url, secret: 'local', secrets: new FixedSecret(secret) }),
    shape: 'signed webhook',
    key:
      given !== undefined
        ? `signing key from ${PAGE_SECRET_VARIABLE}`
        : `demo signing key "${DEMO_WEBHOOK_SECRET}"`,
  };
}
