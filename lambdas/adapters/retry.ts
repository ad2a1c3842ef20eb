// Throttling retried with exponential backoff and full jitter, for the adapters that page through
// rate-limited read APIs (X-Ray, CloudTrail). Other errors pass through at once.

export interface RetryOptions {
  /** Attempts per call, the first included. @default 5 */
  readonly maxAttempts?: number;
  /** Backoff cap before jitter for the first retry, doubled each retry. @default 200 */
  readonly baseDelayMs?: number;
  /** @default 10000 */
  readonly maxDelayMs?: number;
  /** Injectable for tests. @default setTimeout */
  readonly sleep?: (ms: number) => Promise<void>;
  /** [0, 1); injectable for tests. @default Math.random */
  readonly random?: () => number;
}

export const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class ThrottleRetry {
  readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;

  constructor(options: RetryOptions = {}) {
    this.maxAttempts = options.maxAttempts ?? 5;
    if (!Number.isInteger(this.maxAttempts) || this.maxAttempts < 1) {
      throw new Error(`maxAttempts must be a whole number ≥ 1, got ${this.maxAttempts}`);
    }
    this.baseDelayMs = options.baseDelayMs ?? 200;
    this.maxDelayMs = options.maxDelayMs ?? 10_000;
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
  }

  /** Calls `send` until it is not throttled, at most `maxAttempts` times; `what` names the call in the error. */
  async call<T>(what: string, send: () => Promise<T>): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await send();
      } catch (err) {
        if (!isThrottle(err)) throw err;
        if (attempt >= this.maxAttempts) {
          throw new Error(`${what} was still throttled after ${attempt} attempts`, { cause: err });
        }
        // Full jitter: a random delay up to the exponential cap spreads retrying callers apart.
        const cap = Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1));
        await this.sleep(Math.floor(this.random() * cap));
      }
    }
  }
}

export function isThrottle(err: unknown): boolean {
  if (typeof err !== 'object' || err === null) return false;
  const e = err as { name?: unknown; $metadata?: { httpStatusCode?: unknown } };
  return (
    e.name === 'ThrottledException' || e.name === 'ThrottlingException' || e.$metadata?.httpStatusCode === 429
  );
}

/** Dates become ISO strings, undefined members disappear: the result survives JSON unchanged. */
export function toJsonSafe(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toJsonSafe);
  if (typeof value === 'object' && value !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (v !== undefined) out[k] = toJsonSafe(v);
    }
    return out;
  }
  return value;
}
