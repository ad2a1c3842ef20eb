// The configuration every AWS SDK client of the adapters shares. Each adapter module creates its
// own client (`createS3Client` in snapshot-store.ts, …) so that a bundle imports only the SDK
// packages its handler uses; this module imports none. Callers create each client once per cold
// start, never per request. Endpoints follow the SDK's own AWS_ENDPOINT_URL(_<SERVICE>) variables
// unless `endpoint` is given; the region comes from AWS_REGION.

export interface ClientOptions {
  /** @default process.env.AWS_REGION (required when not given) */
  readonly region?: string;
  /** Total attempts including the first, for the SDK's own retry strategy. @default 3 (1 for X-Ray) */
  readonly maxAttempts?: number;
  /** Overrides AWS_ENDPOINT_URL_<SERVICE>; local servers and tests. */
  readonly endpoint?: string;
  /** Explicit credentials (local servers, tests); otherwise the SDK's default chain. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
  /** Milliseconds to establish a connection. @default 3000 */
  readonly connectionTimeoutMs?: number;
  /** Milliseconds for a response once connected. @default 30000 */
  readonly requestTimeoutMs?: number;
}

/** Total attempts of every client but X-Ray's. */
export const DEFAULT_MAX_ATTEMPTS = 3;

/** Reads AWS_REGION; Lambda always sets it, so a missing one is a configuration error worth naming. */
export function resolveRegion(region?: string): string {
  const value = region ?? process.env.AWS_REGION;
  if (value === undefined || value.trim() === '') {
    throw new Error(
      'AWS_REGION is not set: the AWS clients need a region (Lambda sets it; export it locally)',
    );
  }
  return value;
}

/** Region, retries, timeouts, endpoint and credentials for an SDK client's constructor. */
export function clientConfig(options: ClientOptions, defaultMaxAttempts = DEFAULT_MAX_ATTEMPTS) {
  const maxAttempts = options.maxAttempts ?? defaultMaxAttempts;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new Error(`maxAttempts must be a whole number ≥ 1, got ${maxAttempts}`);
  }
  return {
    region: resolveRegion(options.region),
    maxAttempts,
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? 3_000,
      requestTimeout: options.requestTimeoutMs ?? 30_000,
    },
    ...(options.endpoint !== undefined ? { endpoint: options.endpoint } : {}),
    ...(options.credentials !== undefined
      ? {
          credentials: {
            accessKeyId: options.credentials.accessKeyId,
            secretAccessKey: options.credentials.secretAccessKey,
          },
        }
      : {}),
  };
}
