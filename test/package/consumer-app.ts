// A CDK app as a team would have it, in an empty temporary folder: made by `cdk init app
// --language typescript --generate-only` (the CDK CLI of this repository's lockfile), its
// dependencies installed with npm from the npm cache this repository's `npm ci` filled, then the
// package's tarball installed into it with `npm install`. Nothing of this repository is on its
// module path: it resolves only its own node_modules.

import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '../..');

interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  inBundle?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

/** Runs a command in `cwd`; throws with its output when it fails. */
export function run(
  cwd: string,
  command: string,
  args: readonly string[],
  env: Record<string, string> = {},
): SpawnSyncReturns<string> {
  const r = spawnSync(command, args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      // The CLI must not ask the network for notices or newer versions, nor send telemetry.
      CDK_DISABLE_VERSION_CHECK: 'true',
      CDK_DISABLE_CLI_TELEMETRY: 'true',
      ...env,
    },
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw r.error;
  return r;
}

export function mustRun(cwd: string, command: string, args: readonly string[], env?: Record<string, string>) {
  const r = run(cwd, command, args, env);
  if (r.status !== 0) {
    throw new Error(
      `${command} ${args.join(' ')} failed in ${cwd} (exit ${r.status}):\n${r.stdout}\n${r.stderr}`,
    );
  }
  return r;
}

/** The version this repository's lockfile installs of a package. */
export function lockedVersion(name: string): string {
  const version = repositoryLock().packages[`node_modules/${name}`]?.version;
  if (!version) throw new Error(`package-lock.json has no ${name}`);
  return version;
}

function repositoryLock(): { packages: Record<string, LockEntry> } {
  return JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));
}

/**
 * The app's package-lock.json: its dependencies at the versions this repository's lockfile pins,
 * with everything they need, at the same places, resolved and integrity included — so that
 * `npm ci --offline` installs them from the npm cache without asking the registry anything.
 */
export function lockFor(name: string, deps: Record<string, string>, devDeps: Record<string, string>): object {
  const source = repositoryLock().packages;
  const picked = new Map<string, LockEntry>();
  /** Where Node would find `dep` from the package at `from` (a lockfile path; '' is the root). */
  const locate = (from: string, dep: string): string | undefined => {
    let base = from;
    for (;;) {
      const candidate = base ? `${base}/node_modules/${dep}` : `node_modules/${dep}`;
      if (source[candidate]) return candidate;
      if (!base) return undefined;
      const cut = base.lastIndexOf('/node_modules/');
      base = cut < 0 ? '' : base.slice(0, cut);
    }
  };
  const add = (path: string) => {
    if (picked.has(path)) return;
    const entry = source[path] as LockEntry;
    const { dev: _dev, devOptional: _devOptional, peer: _peer, ...kept } = entry;
    picked.set(path, kept);
    // Bundled dependencies arrive inside the package's own tarball.
    for (const inner of Object.keys(source)) {
      if (inner.startsWith(`${path}/node_modules/`) && source[inner]?.inBundle)
        picked.set(inner, source[inner]);
    }
    const required = {
      ...entry.dependencies,
      ...Object.fromEntries(
        Object.entries(entry.peerDependencies ?? {}).filter(
          ([p]) => !entry.peerDependenciesMeta?.[p]?.optional,
        ),
      ),
    };
    for (const dep of Object.keys(required)) {
      const at = locate(path, dep);
      if (!at) throw new Error(`package-lock.json: ${path} needs ${dep}, which it does not hold`);
      if (!source[at]?.inBundle) add(at);
    }
    // Optional ones (esbuild's per-platform binaries): npm ci installs the one for this machine.
    for (const dep of Object.keys(entry.optionalDependencies ?? {})) {
      const at = locate(path, dep);
      if (at) add(at);
    }
  };
  for (const dep of [...Object.keys(deps), ...Object.keys(devDeps)]) add(`node_modules/${dep}`);
  return {
    name,
    version: '0.1.0',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name, version: '0.1.0', dependencies: deps, devDependencies: devDeps },
      ...Object.fromEntries([...picked].sort(([a], [b]) => a.localeCompare(b))),
    },
  };
}

/**
 * `cdk init app --language typescript` in `dir` (which must be empty), then the dependencies
 * installed. What differs from a fresh init, and why: TypeScript and @types/node at this
 * repository's versions (the template's TypeScript 7 is not in the npm cache), cdk-nag added, and
 * Jest left out with its sample test (the test runs `cdk synth`, not the app's unit tests).
 */
export function initApp(dir: string, name: string): void {
  mustRun(dir, join(ROOT, 'node_modules/.bin/cdk'), [
    'init',
    'app',
    '--language',
    'typescript',
    '--generate-only',
  ]);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  const deps = {
    'aws-cdk-lib': lockedVersion('aws-cdk-lib'),
    constructs: lockedVersion('constructs'),
    'cdk-nag': lockedVersion('cdk-nag'),
  };
  const devDeps = Object.fromEntries(
    ['aws-cdk', 'tsx', 'typescript', '@types/node'].map((d) => [d, lockedVersion(d)]),
  );
  for (const d of Object.keys(manifest.devDependencies)) {
    if (!(d in devDeps) && !/jest|swc/.test(d))
      throw new Error(`cdk init's template has a new dev dependency: ${d}`);
  }
  manifest.dependencies = deps;
  manifest.devDependencies = devDeps;
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  rmSync(join(dir, 'test'), { recursive: true, force: true });
  rmSync(join(dir, 'jest.config.js'), { force: true });
  const tsconfigPath = join(dir, 'tsconfig.json');
  const tsconfig = JSON.parse(readFileSync(tsconfigPath, 'utf8')) as {
    compilerOptions: { types?: string[] };
  };
  tsconfig.compilerOptions.types = (tsconfig.compilerOptions.types ?? []).filter((t) => t !== 'jest');
  writeFileSync(tsconfigPath, `${JSON.stringify(tsconfig, null, 2)}\n`);
  writeFileSync(join(dir, 'package-lock.json'), `${JSON.stringify(lockFor(name, deps, devDeps), null, 2)}\n`);
  npmInstall(dir, ['ci']);
}

const NPM_QUIET = ['--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'];

/**
 * npm from the cache alone; when the cache lacks something (a machine whose cache another
 * install filled), the same command again, letting npm ask the registry for what is missing.
 */
export function npmInstall(dir: string, args: readonly string[]): void {
  const offline = run(dir, 'npm', [...args, '--offline', ...NPM_QUIET]);
  if (offline.status === 0) return;
  if (!/ENOTCACHED/.test(offline.stderr)) {
    throw new Error(`npm ${args.join(' ')} --offline failed in ${dir}:\n${offline.stderr}`);
  }
  console.warn(`npm ${args.join(' ')}: the npm cache lacks a package; asking the registry`);
  mustRun(dir, 'npm', [...args, '--prefer-offline', ...NPM_QUIET]);
}
