// Large documents (graph snapshots, full findings) stored by key: S3 when deployed, a local folder
// for local runs and tests. Both raise `NotFoundError` for a missing key.

import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, relative, resolve, sep } from 'node:path';
import { NotFoundError, type SnapshotStore } from './ports.ts';
import { S3SnapshotReader } from './s3-snapshot-reader.ts';
import { S3SnapshotWriter } from './s3-snapshot-writer.ts';
import { checkKey, type S3SnapshotStoreOptions } from './snapshot-bucket.ts';

export { createS3Client, type S3ClientOptions, type S3SnapshotStoreOptions } from './snapshot-bucket.ts';

/** The reader and the writer together (Analyze uses both; other functions take one half). */
export class S3SnapshotStore implements SnapshotStore {
  private readonly reader: S3SnapshotReader;
  private readonly writer: S3SnapshotWriter;

  constructor(options: S3SnapshotStoreOptions) {
    this.reader = new S3SnapshotReader(options);
    this.writer = new S3SnapshotWriter(options);
  }

  put(key: string, body: string): Promise<void> {
    return this.writer.put(key, body);
  }

  get(key: string): Promise<string> {
    return this.reader.get(key);
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
