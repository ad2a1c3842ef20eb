// The snapshot bucket as the S3 adapters see it: options, key checks and the client. Reading
// (GetObject) and writing (PutObject) live in modules of their own, so that a function's bundle
// imports only the commands its handler sends (test/infra/permissions.test.ts derives each role's
// grants from them).

import type * as S3 from '@aws-sdk/client-s3';
import { awsSdk } from './aws-sdk.ts';
import { type ClientOptions, clientConfig } from './clients.ts';

const { S3Client } = awsSdk<typeof S3>('@aws-sdk/client-s3');
type S3Client = S3.S3Client;

export interface S3SnapshotStoreOptions {
  /** Create it once per cold start (`createS3Client`). */
  readonly client: S3Client;
  readonly bucket: string;
  /** Prepended to every key, e.g. `snapshots/`. @default '' */
  readonly prefix?: string;
  /** SSE-KMS with this key; SSE-S3 (AES256) when absent. */
  readonly kmsKeyId?: string;
}

/** What the reader and the writer share: the checked options. */
export abstract class SnapshotBucket {
  protected readonly client: S3Client;
  protected readonly bucket: string;
  protected readonly prefix: string;
  protected readonly kmsKeyId: string | undefined;

  constructor(options: S3SnapshotStoreOptions) {
    if (options.bucket.trim() === '') throw new Error('bucket must not be empty');
    this.client = options.client;
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? '';
    this.kmsKeyId = options.kmsKeyId;
  }
}

/** A snapshot key: relative, without `..`, 1 to 1024 characters. */
export function checkKey(key: string): string {
  if (key === '' || key.length > 1024) throw new Error('a snapshot key must have 1 to 1024 characters');
  if (key.startsWith('/') || key.split('/').includes('..')) {
    throw new Error(`snapshot key ${JSON.stringify(key)} must be relative, without ".." segments`);
  }
  return key;
}

export interface S3ClientOptions extends ClientOptions {
  /** Path-style URLs (`endpoint/bucket/key`): needed by local S3 servers such as moto. @default false */
  readonly forcePathStyle?: boolean;
}

export function createS3Client(options: S3ClientOptions = {}): S3Client {
  return new S3Client({ ...clientConfig(options), forcePathStyle: options.forcePathStyle ?? false });
}
