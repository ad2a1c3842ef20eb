// What the DynamoDB stores share: page tokens (base64url JSON of LastEvaluatedKey, checked strictly
// on the way back in), ISO time bounds of a list, and telling a failed condition from an error.

import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { BadRequestError } from './ports.ts';

export function encodeNext(key: Record<string, AttributeValue>): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/**
 * The key a `next` token stands for: exactly `keyNames`, each a non-empty string, and `accept`ed
 * (it belongs to this list); anything else is a caller's bad input.
 */
export function decodeNext(
  token: string,
  keyNames: readonly string[],
  accept: (key: Record<string, AttributeValue>) => boolean,
): Record<string, AttributeValue> {
  const bad = (): BadRequestError => new BadRequestError('next is not a token this list returned');
  if (token.length === 0 || token.length > 4096 || !/^[A-Za-z0-9_-]+$/.test(token)) throw bad();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw bad();
  const entries = Object.entries(parsed);
  const names = entries.map(([k]) => k).sort();
  if (names.join('\n') !== [...keyNames].sort().join('\n')) throw bad();
  const key: Record<string, AttributeValue> = {};
  for (const [k, v] of entries) {
    if (typeof v !== 'object' || v === null || Object.keys(v).length !== 1) throw bad();
    const s = (v as { S?: unknown }).S;
    if (typeof s !== 'string' || s === '') throw bad();
    key[k] = { S: s };
  }
  if (!accept(key)) throw bad();
  return key;
}

/** Checks a list query (service, limit up to `maxLimit`, bounds) and gives its bounds in UTC ISO-8601. */
export function checkListQuery(
  query: { readonly service: string; readonly limit: number; readonly from?: string; readonly to?: string },
  maxLimit: number,
): { from: string | undefined; to: string | undefined } {
  if (query.service === '') throw new BadRequestError('service must not be empty');
  if (!Number.isInteger(query.limit) || query.limit < 1 || query.limit > maxLimit) {
    throw new BadRequestError(`limit must be a whole number from 1 to ${maxLimit}`);
  }
  const from = query.from === undefined ? undefined : parseBound(query.from, 'from');
  const to = query.to === undefined ? undefined : parseBound(query.to, 'to');
  if (from !== undefined && to !== undefined && from > to) {
    throw new BadRequestError('from must not be later than to');
  }
  return { from, to };
}

/** A list's `from` or `to`, normalised to UTC ISO-8601. */
export function parseBound(value: string, name: string): string {
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new BadRequestError(`${name} must be an ISO-8601 time`);
  return new Date(ms).toISOString();
}

export function isConditionFailure(err: unknown): boolean {
  return (err as { name?: unknown }).name === 'ConditionalCheckFailedException';
}
