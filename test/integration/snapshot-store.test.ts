// Snapshot stores: the local folder store, and the S3 store against moto's S3.

import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, HeadObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../lambdas/adapters/ports.ts';
import { createS3Client, FileSnapshotStore, S3SnapshotStore } from '../../lambdas/adapters/snapshot-store.ts';
import { clientOptions, type LocalServer, startMotoServer } from '../support/local-servers.ts';

const DOC = JSON.stringify({ incident: { Services: [{ ReferenceId: 0, Name: 'café → checkout' }] } });

describe('Class: FileSnapshotStore', () => {
  let dir: string;
  let store: FileSnapshotStore;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'snapshots-'));
    store = new FileSnapshotStore({ dir: join(dir, 'store') });
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('should read back what it stored under a nested key, the latest version winning', async () => {
    // Act
    await store.put('snapshots/an-1/graph.json', 'old');
    await store.put('snapshots/an-1/graph.json', DOC);
    const back = await store.get('snapshots/an-1/graph.json');
    // Assess
    expect(back).toBe(DOC);
    expect(await readdir(join(dir, 'store/snapshots/an-1'))).toEqual(['graph.json']);
  });

  it('should throw NotFoundError for a key never stored', async () => {
    // Act
    const act = store.get('snapshots/missing.json');
    // Assess
    await expect(act).rejects.toBeInstanceOf(NotFoundError);
  });

  it.each(['../outside.json', '/etc/passwd', 'a/../../outside.json', ''])(
    'should refuse the key %j that would leave the folder',
    async (key) => {
      // Act / Assess
      await expect(store.put(key, DOC)).rejects.toThrow(/snapshot key/);
      await expect(store.get(key)).rejects.toThrow(/snapshot key/);
    },
  );
});

describe('Class: S3SnapshotStore', () => {
  let moto: LocalServer;
  let client: S3Client;
  const bucket = 'cascade-snapshots';

  beforeAll(async () => {
    moto = await startMotoServer();
    client = createS3Client({ ...clientOptions(moto.endpoint), forcePathStyle: true });
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  }, 60_000);

  afterAll(async () => {
    client?.destroy();
    await moto?.stop();
  });

  it('should store a document encrypted and read it back byte for byte', async () => {
    // Prepare
    const store = new S3SnapshotStore({ client, bucket, prefix: 'snapshots/' });
    // Act
    await store.put('an-1/graph.json', DOC);
    const back = await store.get('an-1/graph.json');
    const head = await client.send(
      new HeadObjectCommand({ Bucket: bucket, Key: 'snapshots/an-1/graph.json' }),
    );
    // Assess
    expect(back).toBe(DOC);
    expect(head.ServerSideEncryption).toBe('AES256');
    expect(head.ContentType).toBe('application/json; charset=utf-8');
  });

  it('should throw NotFoundError for a key never stored', async () => {
    // Prepare
    const store = new S3SnapshotStore({ client, bucket });
    // Act
    const act = store.get('an-404/graph.json');
    // Assess
    await expect(act).rejects.toBeInstanceOf(NotFoundError);
  });

  it('should let other S3 errors through', async () => {
    // Prepare
    const store = new S3SnapshotStore({ client, bucket: 'no-such-bucket-here' });
    // Act
    const act = store.get('an-1/graph.json');
    // Assess
    await expect(act).rejects.toMatchObject({ name: 'NoSuchBucket' });
  });
});
