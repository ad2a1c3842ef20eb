// API scoping: which services a caller may see and analyse. API Gateway's IAM authorization says
// who the caller is (`requestContext.identity`); `API_ACCESS` maps callers to services. Pure.

import type { APIGatewayProxyEvent } from 'aws-lambda';
import * as z from './zod.ts';

export const AccessRuleSchema = z.strictObject({
  /**
   * The caller's ARN as API Gateway reports it (`arn:aws:sts::<account>:assumed-role/<role>/<session>`
   * for a role), exactly, or a prefix ending in `*` (e.g. `…:assumed-role/team-payments-*`).
   */
  principal: z.string().check(z.minLength(1), z.maxLength(2048)),
  /** The services this caller may see and analyse; `*` for all. */
  services: z.array(z.string().check(z.minLength(1), z.maxLength(256))).check(z.minLength(1)),
});
export type AccessRule = z.infer<typeof AccessRuleSchema>;
export const AccessRulesSchema = z.array(AccessRuleSchema).check(z.maxLength(200));

/** The caller's ARN (IAM user, or assumed role with its session), or undefined when API Gateway gave none. */
export function callerOf(event: APIGatewayProxyEvent): string | undefined {
  const arn = event.requestContext?.identity?.userArn;
  return typeof arn === 'string' && arn !== '' ? arn : undefined;
}

/**
 * `all` without rules; otherwise the union of the services of every rule the caller matches, and
 * `denied` when none does (a caller API Gateway let in but the list does not name).
 */
export function scopeOf(
  caller: string | undefined,
  rules: readonly AccessRule[],
): 'all' | 'denied' | Set<string> {
  if (rules.length === 0) return 'all';
  if (caller === undefined) return 'denied';
  const services = new Set<string>();
  let matched = false;
  for (const rule of rules) {
    const hit = rule.principal.endsWith('*')
      ? caller.startsWith(rule.principal.slice(0, -1))
      : caller === rule.principal;
    if (!hit) continue;
    matched = true;
    if (rule.services.includes('*')) return 'all';
    for (const s of rule.services) services.add(s);
  }
  return matched ? services : 'denied';
}
