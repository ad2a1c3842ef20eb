// Typed errors of the handlers. Their `name` is the error type Step Functions sees, so the
// workflow can tell bad input (not worth a retry) from throttling (retried) and from bugs.

import type * as z from './zod.ts';

/** The input of a step or request is not what it must be; `field` is the path of the first problem. */
export class InputValidationError extends Error {
  override readonly name = 'InputValidationError';
  constructor(
    readonly what: string,
    readonly field: string,
    readonly problem: string,
  ) {
    super(`${what}: ${field}: ${problem}`);
  }
}

/** An alarm that maps to no service: not one of ours, and no watched service matches its metrics. */
export class UnknownAlarmServiceError extends Error {
  override readonly name = 'UnknownAlarmServiceError';
  constructor(
    readonly alarmName: string,
    reason: string,
  ) {
    super(`alarm "${alarmName}": cannot tell which service it watches: ${reason}`);
  }
}

/** A missing or malformed environment variable: raised at cold start, naming the variable. */
export class ConfigurationError extends Error {
  override readonly name = 'ConfigurationError';
}

/** Parses with zod; on failure raises an `InputValidationError` naming the first offending field. */
export function parseInput<T extends z.ZodMiniType>(schema: T, input: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const field = issue ? fieldPath(issue.path) : '';
  const message = issue?.message ?? 'invalid';
  // zod says "expected string, received undefined" for an absent field; "required" says it better.
  const problem = /received undefined$/.test(message) ? 'required' : message.replace(/^Invalid input: /, '');
  throw new InputValidationError(what, field || '(input)', problem);
}

/** `detail.configuration.metrics[0].id` from zod's path. */
export function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((p, i) => (typeof p === 'number' ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`))
    .join('');
}
