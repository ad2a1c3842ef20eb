// Snapshot documents into S3 by key (PutObject), encrypted at rest.

import type * as S3 from '@aws-sdk/client-s3';
import { awsSdk } from './aws-sdk.ts';
import type { SnapshotWriter } from './ports.ts';
import { checkKey, SnapshotBucket } from './snapshot-bucket.ts';

const { PutObjectCommand } = awsSdk<typeof S3>('@aws-sdk/client-s3');

export class S3SnapshotWriter extends SnapshotBucket implements SnapshotWriter {
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
}
