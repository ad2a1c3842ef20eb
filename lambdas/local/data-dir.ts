// The local runtime's data folder (`.cascade-analyzer/` by default), laid out like the deployed
// stores so that history survives between runs:
//   dynamodb/              the findings table (dynalite's LevelDB files)
//   snapshots/<id>.json    graph snapshots       (the bucket's snapshots/ prefix)
//   findings/<id>.json     full findings         (the bucket's findings/ prefix)
//   reports/<id>.html      HTML reports
//   notifications/<id>.txt messages, when no SNS endpoint is used
//   lock.json              which process has the folder open (LevelDB allows one)

import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export const DEFAULT_DATA_DIR = '.cascade-analyzer';

export interface DataDir {
  readonly root: string;
  readonly dynamodb: string;
  /** The snapshot store's folder: keys `snapshots/…` and `findings/…` land under it. */
  readonly objects: string;
  readonly reports: string;
  readonly notifications: string;
  readonly lockFile: string;
}

export function dataDir(root: string = DEFAULT_DATA_DIR): DataDir {
  const abs = resolve(root);
  return {
    root: abs,
    dynamodb: join(abs, 'dynamodb'),
    objects: abs,
    reports: join(abs, 'reports'),
    notifications: join(abs, 'notifications'),
    lockFile: join(abs, 'lock.json'),
  };
}

/** Who holds a data folder: written to lock.json while a command has it open. */
export interface LockInfo {
  readonly pid: number;
  readonly command: string;
  readonly startedAt: string;
  /** Set by `serve`: where its API answers, so other commands can use it instead. */
  readonly apiEndpoint?: string;
}

/** Another live process has the folder open. */
export class DataDirBusyError extends Error {
  override readonly name = 'DataDirBusyError';
  constructor(
    readonly dir: string,
    readonly holder: LockInfo,
  ) {
    super(
      `${dir} is in use by "cascade-analyzer ${holder.command}" (pid ${holder.pid}${holder.apiEndpoint ? `, API on ${holder.apiEndpoint}` : ''}); stop it or use another --data-dir`,
    );
  }
}

export interface DataDirLock {
  readonly info: LockInfo;
  /** Records more about the holder (e.g. the API endpoint once it listens). */
  update(extra: Partial<Pick<LockInfo, 'apiEndpoint'>>): Promise<void>;
  release(): Promise<void>;
}

/** Folders this process holds: a second open from the same process would corrupt LevelDB too. */
const heldHere = new Set<string>();

/**
 * Takes the folder for this process. A lock left by a process that is gone is taken over; one held
 * by a live process raises `DataDirBusyError` naming it.
 */
export async function lockDataDir(dir: DataDir, command: string): Promise<DataDirLock> {
  await mkdir(dir.root, { recursive: true });
  let info: LockInfo = { pid: process.pid, command, startedAt: new Date().toISOString() };
  for (let attempt = 0; ; attempt++) {
    if (heldHere.has(dir.root)) {
      const holder = (await readLock(dir)) ?? info;
      throw new DataDirBusyError(dir.root, holder);
    }
    try {
      await writeFile(dir.lockFile, JSON.stringify(info, null, 2), { flag: 'wx' });
      heldHere.add(dir.root);
      break;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw err;
      const holder = await readLock(dir);
      if (holder !== undefined && holder.pid !== process.pid && isAlive(holder.pid)) {
        throw new DataDirBusyError(dir.root, holder);
      }
      // Stale: its process ended without cleaning up (killed, crashed).
      await rm(dir.lockFile, { force: true });
    }
  }
  let released = false;
  return {
    get info() {
      return info;
    },
    async update(extra) {
      info = { ...info, ...extra };
      if (!released) await writeFile(dir.lockFile, JSON.stringify(info, null, 2));
    },
    async release() {
      if (released) return;
      released = true;
      heldHere.delete(dir.root);
      const holder = await readLock(dir);
      if (holder?.pid === process.pid) await rm(dir.lockFile, { force: true });
    },
  };
}

/** The current holder of the folder, if a live process holds it. */
export async function currentHolder(dir: DataDir): Promise<LockInfo | undefined> {
  const holder = await readLock(dir);
  return holder !== undefined && (holder.pid === process.pid || isAlive(holder.pid)) ? holder : undefined;
}

async function readLock(dir: DataDir): Promise<LockInfo | undefined> {
  try {
    const info = JSON.parse(await readFile(dir.lockFile, 'utf8')) as Partial<LockInfo>;
    return typeof info.pid === 'number' && typeof info.command === 'string' ? (info as LockInfo) : undefined;
  } catch {
    return undefined;
  }
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
