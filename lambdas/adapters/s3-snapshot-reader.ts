// Snapshot documents out of S3 by key (GetObject); a missing key is a `NotFoundError`.

import type * as S3 from '@aws-sdk/client-s3';
import { awsSdk } from './aws-sdk.ts';
import { NotFoundError, type SnapshotReader } from './ports.ts';
import { checkKey, SnapshotBucket } from './snapshot-bucket.ts';

const { GetObjectCommand, NoSuchKey } = awsSdk<typeof S3>('@aws-sdk/client-s3');

export class S3SnapshotReader extends SnapshotBucket implements SnapshotReader {
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
