// Large documents (graph snapshots, full findings) stored by key: S3 when deployed, a local folder
// for local runs and tests. Both raise `NotFoundError` for a missing key.

import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { type ClientOptions, clientConfig } from './clients.ts';
import { NotFoundError, type SnapshotStore } from './ports.ts';

export interface S3SnapshotStoreOptions {
  /** Create it once per cold start (`createS3Client`). */
  readonly client: S3Client;
  readonly bucket: string;
  /** Prepended to every key, e.g. `snapshots/`. @default '' */
  readonly prefix?: string;
  /** SSE-KMS with this key; SSE-S3 (AES256) when absent. */
  readonly kmsKeyId?: string;
}

export class S3SnapshotStore implements SnapshotStore {
  private readonly client: S3Client;
  private readonly bucket: string;
  private readonly prefix: string;
  private readonly kmsKeyId: string | undefined;

  constructor(options: S3SnapshotStoreOptions) {
    if (options.bucket.trim() === '') throw new Error('bucket must not be empty');
    this.client = options.client;
    this.bucket = options.bucket;
    this.prefix = options.prefix ?? '';
    this.kmsKeyId = options.kmsKeyId;
  }

  async put(key: string, body: string): Promise<void> {
    await this.client.send(
      new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.prefix + checkKey(key),
        Body: body,
        ContentType: 'application/json; charset=utf-8',
        ...(this.kmsKeyId !== undefined
          ? { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: this.kmsKeyId }
          : { ServerSideEncryption: 'AES256' }),
      }),
    );
  }

  async get(key: string): Promise<string> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.prefix + checkKey(key) }),
      );
      if (out.Body === undefined) throw new Error(`s3://${this.bucket}/${this.prefix}${key} has no body`);
      return await out.Body.transformToString('utf-8');
    } catch (err) {
      if (err instanceof NoSuchKey || (err as { name?: unknown }).name === 'NoSuchKey') {
        throw new NotFoundError(`no snapshot under key ${key}`);
      }
      throw err;
    }
  }
}

export interface FileSnapshotStoreOptions {
  /** The folder holding the documents; created on the first put. */
  readonly dir: string;
}

export class FileSnapshotStore implements SnapshotStore {
  private readonly dir: string;

  constructor(options: FileSnapshotStoreOptions) {
    this.dir = resolve(options.dir);
  }

  async put(key: string, body: string): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    // Write then rename, so that a reader never sees half a document.
    const tmp = `${path}.${randomUUID()}.tmp`;
    await writeFile(tmp, body, 'utf8');
    await rename(tmp, path);
  }

  async get(key: string): Promise<string> {
    try {
      return await readFile(this.pathOf(key), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT')
        throw new NotFoundError(`no snapshot under key ${key}`);
      throw err;
    }
  }

  private pathOf(key: string): string {
    const path = resolve(this.dir, checkKey(key));
    const rel = relative(this.dir, path);
    if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || isAbsolute(rel)) {
      throw new Error(`snapshot key ${JSON.stringify(key)} points outside the store`);
    }
    return path;
  }
}

function checkKey(key: string): string {
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
