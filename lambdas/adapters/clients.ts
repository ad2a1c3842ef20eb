// AWS SDK client construction for the adapters. Callers create each client once per cold start
// (module scope), never per request. Endpoints follow the SDK's own AWS_ENDPOINT_URL(_<SERVICE>)
// variables unless `endpoint` is given; the region comes from AWS_REGION.

import { CloudTrailClient } from '@aws-sdk/client-cloudtrail';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SNSClient } from '@aws-sdk/client-sns';
import { XRayClient } from '@aws-sdk/client-xray';

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

const DEFAULT_MAX_ATTEMPTS = 3;

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

function baseConfig(options: ClientOptions, defaultMaxAttempts: number) {
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

/**
 * X-Ray defaults to one attempt: `XRayGraphSource` retries throttling itself with full jitter, and
 * SDK retries underneath would multiply the attempts.
 */
export function createXRayClient(options: ClientOptions = {}): XRayClient {
  return new XRayClient(baseConfig(options, 1));
}

/** One attempt, like X-Ray: `CloudTrailChangeSource` paces and retries throttling itself. */
export function createCloudTrailClient(options: ClientOptions = {}): CloudTrailClient {
  return new CloudTrailClient(baseConfig(options, 1));
}

export function createCloudWatchClient(options: ClientOptions = {}): CloudWatchClient {
  return new CloudWatchClient(baseConfig(options, DEFAULT_MAX_ATTEMPTS));
}

export function createDynamoDBClient(options: ClientOptions = {}): DynamoDBClient {
  return new DynamoDBClient(baseConfig(options, DEFAULT_MAX_ATTEMPTS));
}

export function createSnsClient(options: ClientOptions = {}): SNSClient {
  return new SNSClient(baseConfig(options, DEFAULT_MAX_ATTEMPTS));
}

export interface S3ClientOptions extends ClientOptions {
  /** Path-style URLs (`endpoint/bucket/key`): needed by local S3 servers such as moto. @default false */
  readonly forcePathStyle?: boolean;
}

export function createS3Client(options: S3ClientOptions = {}): S3Client {
  return new S3Client({
    ...baseConfig(options, DEFAULT_MAX_ATTEMPTS),
    forcePathStyle: options.forcePathStyle ?? false,
  });
}
