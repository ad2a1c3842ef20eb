// The paging settings a sending function reads from PAGING (JSON, set by lib/constructs/paging.ts
// from the cdk.json key `paging`): where pages go and which Secrets Manager secrets hold the
// PagerDuty routing keys and the webhook's signing key. Names and ARNs of secrets only, never
// their values. Absent or blank: no paging.

import { ENV } from './contracts.ts';
import type { Env } from './env.ts';
import { ConfigurationError, fieldPath } from './errors.ts';
import * as z from './zod.ts';

const secretId = () => z.string().check(z.minLength(1), z.maxLength(2048));
const httpUrl = () =>
  z.string().check(
    z.refine((s) => {
      try {
        const u = new URL(s);
        return u.protocol === 'https:' || u.protocol === 'http:';
      } catch {
        return false;
      }
    }, 'must be an http(s) URL'),
  );

export const PagingSettingsSchema = z.object({
  pagerDuty: z.optional(
    z.object({
      /** The secret holding the routing key of services without one of their own. */
      routingKeySecret: z.optional(secretId()),
      /** Watched service → the secret holding its routing key. */
      services: z.optional(z.record(z.string().check(z.minLength(1)), secretId())),
      /** The Events API v2 endpoint. @default https://events.pagerduty.com/v2/enqueue */
      url: z.optional(httpUrl()),
    }),
  ),
  webhook: z.optional(
    z.object({
      url: httpUrl(),
      /** The secret holding the signing key. */
      secret: secretId(),
    }),
  ),
  /** Where a person opens an incident, `{incidentId}` replaced. */
  incidentUrl: z.optional(httpUrl()),
});

export type PagingSettings = z.infer<typeof PagingSettingsSchema>;

/** PAGING, parsed; undefined when paging is off. A bad value fails the cold start naming the field. */
export function pagingSettings(env: Env): PagingSettings | undefined {
  const raw = (env[ENV.paging] ?? '').trim();
  if (raw === '') return undefined;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ConfigurationError(`environment variable ${ENV.paging} is not valid JSON`);
  }
  const parsed = PagingSettingsSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigurationError(
      `environment variable ${ENV.paging}: ${issue ? fieldPath(issue.path) || '(object)' : ''}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const s = parsed.data;
  const pd = s.pagerDuty;
  if (pd !== undefined && pd.routingKeySecret === undefined && Object.keys(pd.services ?? {}).length === 0) {
    throw new ConfigurationError(
      `environment variable ${ENV.paging}: pagerDuty: give routingKeySecret or services (the secrets holding routing keys)`,
    );
  }
  return s;
}
