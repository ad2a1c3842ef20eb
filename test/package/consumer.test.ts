// The package as a team uses it (docs/own-cdk-app.md): built and packed with `npm pack`, installed
// into a fresh `cdk init app --language typescript` app in an empty temporary folder, added to its
// stack, and synthesized by `cdk synth` with cdk-nag. The app has no access to this repository's
// sources or toolchain: its Lambda code must come prebuilt from the tarball. An ES module app
// imports the same package.

import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildPackage, packPackage } from '../../scripts/build-package.ts';
import { initApp, mustRun, npmInstall, run } from './consumer-app.ts';

const SLOW = 600_000;
let work: string;
let app: string;
let tarball: { file: string; bytes: number; files: number };
let prebuilt: string;

const STACK = `import * as cdk from 'aws-cdk-lib/core';
import { CascadeAnalyzer } from 'cascade-analyzer';
import { Construct } from 'constructs';

export class MyAppStack extends cdk.Stack {
  constructor(scope: Construct, id: string, props?: cdk.StackProps) {
    super(scope, id, props);

    new CascadeAnalyzer(this, 'Cascade', { watchedServices: [{ name: 'checkout-api' }] });
  }
}
`;

/** An ES module app: the same construct through \`import\`, synthesized by \`node\`. */
const ESM_APP = `import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { CascadeAnalyzer } from 'cascade-analyzer';

const app = new App({ outdir: process.argv[2], builtinCloudFormationValidation: false });
const stack = new Stack(app, 'EsmStack');
new CascadeAnalyzer(stack, 'Cascade', {
  watchedServices: [{ name: 'checkout-api', p99Seconds: 2 }],
  notificationEmails: ['oncall@example.com'],
});
Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
app.synth();
`;

/** The ES module app's types, checked by the app's own \`tsc\` (cdk.json runs it before each synth). */
const ESM_TYPES = `import { App, Stack } from 'aws-cdk-lib';
import { CascadeAnalyzer, type CascadeAnalyzerProps, ConfigError } from 'cascade-analyzer';

const props: CascadeAnalyzerProps = { watchedServices: [{ name: 'checkout-api' }], api: false };
export const analyzer = new CascadeAnalyzer(new Stack(new App(), 'Typed'), 'Cascade', props);
export const apiUrl: string | undefined = analyzer.api?.api.url;
export const error: Error = new ConfigError('typed');
`;

/** Hash of every file in a folder, by relative path: two folders with equal hashes hold the same bytes. */
function folderHash(dir: string): string {
  const hash = createHash('sha256');
  const walk = (d: string) => {
    for (const name of readdirSync(d).sort()) {
      const path = join(d, name);
      if (statSync(path).isDirectory()) walk(path);
      else hash.update(relative(dir, path)).update('\0').update(readFileSync(path)).update('\0');
    }
  };
  walk(dir);
  return hash.digest('hex');
}

interface ValidationReport {
  pluginReports: {
    pluginName: string;
    conclusion: string;
    violations: unknown[];
    suppressedViolations: { ruleName: string; reason: string }[];
  }[];
}

/**
 * What cdk-nag concluded, from the report synthesis writes beside the templates: it proves the
 * pack ran, found what the construct acknowledges, and nothing else.
 */
function nagReport(outdir: string) {
  const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as ValidationReport;
  const nag = report.pluginReports.find((p) => p.pluginName === 'AwsSolutions');
  if (!nag)
    throw new Error(`${outdir}/validation-report.json has no AwsSolutions report: cdk-nag did not run`);
  return nag;
}

/** Prints how long each phase took: informative only, nothing depends on it. */
function phase(name: string, since: number): number {
  console.log(`${name}: ${((performance.now() - since) / 1000).toFixed(1)} s`);
  return performance.now();
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'cascade-consumer-'));
  let t = performance.now();
  // Prepare: the package, packed as `npm pack` does.
  const built = await buildPackage(join(work, 'package'));
  tarball = packPackage(built.dir, work);
  console.log(`cascade-analyzer tarball: ${tarball.bytes} bytes, ${tarball.files} files`);
  t = phase('build and pack the package', t);
  // A fresh app, then the tarball installed into it. The app already has aws-cdk-lib and
  // constructs; --legacy-peer-deps keeps npm from asking the registry about them again (the test
  // runs from the npm cache), and `npm ls` below checks the peer dependencies instead.
  app = join(work, 'my-app');
  mkdirSync(app);
  initApp(app, 'my-app');
  t = phase('cdk init and npm ci', t);
  npmInstall(app, ['install', tarball.file, '--legacy-peer-deps']);
  phase('npm install the tarball', t);
  prebuilt = join(app, 'node_modules/cascade-analyzer/assets');
  writeFileSync(join(app, 'lib/my-app-stack.ts'), STACK);
  const bin = readFileSync(join(app, 'bin/my-app.ts'), 'utf8');
  writeFileSync(
    join(app, 'bin/my-app.ts'),
    `${bin.replace("import * as cdk from 'aws-cdk-lib/core';", "import * as cdk from 'aws-cdk-lib/core';\nimport { AwsSolutionsChecks } from 'cdk-nag';")}\ncdk.Validations.of(app).addPlugins(new AwsSolutionsChecks(app));\n`,
  );
  writeFileSync(join(app, 'bin/esm-app.mjs'), ESM_APP);
  writeFileSync(join(app, 'bin/esm-types.mts'), ESM_TYPES);
}, SLOW);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('Package: cascade-analyzer tarball', () => {
  it('should hold only the built construct, its declarations and the prebuilt assets', () => {
    // Act
    const files = mustRun(work, 'tar', ['-tzf', tarball.file])
      .stdout.split('\n')
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, ''));
    // Assess: no sources, tests, benchmarks or pictures; each handler's bundle is there.
    const allowed = /^(package\.json|README\.md|THIRD_PARTY_LICENSES|index\.js|[\w/-]+\.d\.ts|assets\/.+)$/;
    expect(files.filter((f) => !allowed.test(f))).toEqual([]);
    expect(files.filter((f) => /(^|\/)(test|bench|lambdas|docs)\/|\.png$|(?<!\.d)\.ts$/.test(f))).toEqual([]);
    expect(files).toContain('assets/handler-analyze/index.mjs');
    expect(files).toContain('assets/graphviz-layer/nodejs/node_modules/@viz-js/viz/dist/viz.js');
    // A size budget (docs/own-cdk-app.md reports the size): the bundles, their source maps and
    // Graphviz are most of it.
    expect(tarball.bytes).toBeLessThan(4 * 1024 * 1024);
  });

  it('should declare aws-cdk-lib and constructs as peer dependencies, and nothing else to install', () => {
    // Prepare
    const manifest = JSON.parse(
      readFileSync(join(app, 'node_modules/cascade-analyzer/package.json'), 'utf8'),
    );
    // Act: npm checks the installed tree, peer dependencies included.
    const ls = run(app, 'npm', ['ls', '--offline', '--all']);
    // Assess
    expect(Object.keys(manifest.peerDependencies).sort()).toEqual(['aws-cdk-lib', 'constructs']);
    expect(manifest.dependencies).toBeUndefined();
    expect(manifest.exports['.']).toEqual({ types: './index.d.ts', default: './index.js' });
    expect(ls.stderr).not.toMatch(/invalid|missing|UNMET/i);
    expect(ls.status).toBe(0);
  });
});

describe('Package: a TypeScript CommonJS app made by cdk init', () => {
  let synth: ReturnType<typeof run>;
  let template: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

  beforeAll(() => {
    // Act: `cdk synth` runs the app as cdk.json says: `npx tsc && npx tsx bin/my-app.ts`.
    const t = performance.now();
    synth = run(app, join(app, 'node_modules/.bin/cdk'), ['synth', '--quiet', '--no-notices']);
    phase('cdk synth', t);
    if (synth.status === 0) {
      template = JSON.parse(readFileSync(join(app, 'cdk.out/MyAppStack.template.json'), 'utf8'));
    }
  }, SLOW);

  it('should synthesize with cdk-nag (AwsSolutions) and no unacknowledged finding', () => {
    // Assess: the pack ran, every finding it made is acknowledged with a reason, none is left.
    expect(synth.stderr + synth.stdout).not.toMatch(/AwsSolutions-|error TS\d+/);
    expect(synth.status).toBe(0);
    const nag = nagReport(join(app, 'cdk.out'));
    expect(nag.violations).toEqual([]);
    expect(nag.conclusion).toBe('success');
    expect(nag.suppressedViolations.length).toBeGreaterThan(0);
    for (const s of nag.suppressedViolations) expect(s.reason.length, s.ruleName).toBeGreaterThan(20);
    const types = Object.values(template.Resources).map((r) => r.Type);
    expect(types.filter((t) => t === 'AWS::Lambda::Function')).toHaveLength(14);
    expect(types).toContain('AWS::StepFunctions::StateMachine');
    expect(types).toContain('AWS::ApiGateway::RestApi');
    expect(types.filter((t) => t === 'AWS::CloudWatch::Alarm').length).toBeGreaterThan(2);
  });

  it("should take every function's code and the layer from the package's prebuilt assets, bundling nothing", () => {
    // Prepare: the package's asset folders, by content.
    const packaged = new Map(readdirSync(prebuilt).map((name) => [folderHash(join(prebuilt, name)), name]));
    const assets = Object.values(template.Resources)
      .filter((r) => r.Type === 'AWS::Lambda::Function' || r.Type === 'AWS::Lambda::LayerVersion')
      .map((r) => {
        const code = (r.Properties.Code ?? r.Properties.Content) as { S3Key: string };
        return join(app, 'cdk.out', `asset.${code.S3Key.replace(/\.zip$/, '')}`);
      });
    // Act
    const sources = assets.map((a) => packaged.get(folderHash(a)) ?? `not from the package: ${a}`);
    // Assess: 14 handler bundles and the layer, each byte for byte a folder of the tarball.
    expect(new Set(sources)).toEqual(new Set(readdirSync(prebuilt)));
    expect(sources).toHaveLength(15);
  });
});

describe('Package: an ES module app', () => {
  it('should synthesize with cdk-nag and no unacknowledged finding', () => {
    // Act
    const out = join(work, 'esm.out');
    const r = run(app, process.execPath, ['bin/esm-app.mjs', out]);
    // Assess: no finding, error or deprecation printed (a Node.js notice about the machine may be).
    expect(r.stderr).not.toMatch(/AwsSolutions|Error|\[WARNING\]|is deprecated/);
    expect(r.status).toBe(0);
    const template = JSON.parse(readFileSync(join(out, 'EsmStack.template.json'), 'utf8'));
    const types = Object.values(template.Resources as Record<string, { Type: string }>).map((x) => x.Type);
    expect(types.filter((t) => t === 'AWS::Lambda::Function')).toHaveLength(14);
    expect(types).toContain('AWS::SNS::Subscription');
    expect(nagReport(out).violations).toEqual([]);
    expect(nagReport(out).conclusion).toBe('success');
  });

  it('should reject bad props with an error naming the construct and the prop', () => {
    // Act
    const r = run(app, process.execPath, [
      '--input-type=module',
      '-e',
      `import { App, Stack } from 'aws-cdk-lib';
       import { CascadeAnalyzer } from 'cascade-analyzer';
       new CascadeAnalyzer(new Stack(new App(), 'Bad'), 'Cascade', { watchedServices: [{ name: 'checkout-api', faultRate: 5 }] });`,
    ]);
    // Assess
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(
      /ConfigError: CascadeAnalyzer Cascade: prop "watchedServices\[0\]\.faultRate": Too big/,
    );
  });
});
