// Builds the construct package (docs/own-cdk-app.md) into dist/package, and packs it with
// `npm run package`. A consumer's CDK app needs none of this repository's toolchain:
//
// - assets/: each handler's Lambda bundle and the Graphviz layer, taken from a synth of the
//   CascadeAnalyzer construct — the same bundles `cdk synth` and `demo --bundled` use;
// - index.js: lib/index.ts and what it imports, bundled to one CommonJS file (zod inside it),
//   aws-cdk-lib and constructs left to the consumer (peer dependencies);
// - *.d.ts: the type declarations of lib/index.ts and what it exposes, nothing else;
// - package.json, README.md (docs/own-cdk-app.md) and the licence of the bundled zod.
//
// `npx tsx scripts/build-package.ts` builds; `--pack` also runs `npm pack` and prints the tarball.

import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { App, type CfnElement, Stack } from 'aws-cdk-lib';
import { build } from 'esbuild';
import ts from 'typescript';
import { CascadeAnalyzer } from '../lib/cascade-analyzer.ts';
import { handlerAssetName } from '../lib/constructs/analyzer-function.ts';
import { GRAPHVIZ_ASSET_NAME } from '../lib/constructs/graphviz-layer.ts';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
export const PACKAGE_DIR = join(ROOT, 'dist/package');

/** What the package's code may import: its peer dependencies and Node's own modules. */
const PEERS = ['aws-cdk-lib', 'constructs'] as const;
/**
 * The aws-cdk-lib versions the package supports, within major version 2: from the first release
 * whose `Validations.of(…).acknowledge()` accepts an id naming one finding, such as
 * `AwsSolutions::AwsSolutions-IAM5[Resource::*]` (2.257.0 to 2.268.0 reject it: InvalidValidationId).
 * Checked by hand on 2026-12-07 (docs/own-cdk-app.md#supported-versions).
 */
export const AWS_CDK_LIB_RANGE = '^2.269.0';
export const CONSTRUCTS_RANGE = '^10.5.1';

export interface BuiltPackage {
  readonly dir: string;
  readonly name: string;
  readonly version: string;
  /** Asset folder names under assets/. */
  readonly assets: readonly string[];
}

export async function buildPackage(outDir = PACKAGE_DIR): Promise<BuiltPackage> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const assets = prebuildAssets(join(outDir, 'assets'));
  await bundleConstruct(outDir);
  emitDeclarations(outDir);
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
  const manifest = packageManifest(root);
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  writeFileSync(join(outDir, 'README.md'), readme());
  writeFileSync(
    join(outDir, 'THIRD_PARTY_LICENSES'),
    `index.js bundles zod (https://zod.dev), under this licence:\n\n${readFileSync(join(ROOT, 'node_modules/zod/LICENSE'), 'utf8')}`,
  );
  return { dir: outDir, name: String(root.name), version: String(root.version), assets };
}

/** `npm pack` of the built folder into `destination`: the tarball's path and size. */
export function packPackage(
  dir: string,
  destination: string,
): { file: string; bytes: number; files: number } {
  mkdirSync(destination, { recursive: true });
  const r = spawnSync('npm', ['pack', '--json', '--pack-destination', destination], {
    cwd: dir,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`npm pack failed in ${dir}: ${r.stderr}`);
  const [info] = JSON.parse(r.stdout) as { filename: string; size: number; entryCount: number }[];
  if (!info) throw new Error(`npm pack printed no tarball: ${r.stdout}`);
  return { file: join(destination, info.filename), bytes: info.size, files: info.entryCount };
}

/**
 * Synthesizes the construct with its bundles, as `cdk synth` does in this repository, and copies
 * each function's bundle and the layer into `target`, named as lib/package-assets.ts looks them up.
 */
function prebuildAssets(target: string): string[] {
  const outdir = mkdtempSync(join(tmpdir(), 'cascade-package-'));
  try {
    // The wasm CloudFormation validator adds seconds and judges a template no one deploys.
    const app = new App({ outdir, builtinCloudFormationValidation: false });
    const stack = new Stack(app, 'Package');
    const analyzer = new CascadeAnalyzer(stack, 'Analyzer', { watchedServices: [{ name: 'package' }] });
    const template = app.synth().getStackByName(stack.stackName).template as {
      Resources: Record<string, { Properties: { Code?: { S3Key?: string }; Content?: { S3Key?: string } } }>;
    };
    const assetOf = (element: CfnElement, what: string): string => {
      const properties = template.Resources[stack.getLogicalId(element)]?.Properties;
      const key = properties?.Code?.S3Key ?? properties?.Content?.S3Key;
      const folder = key ? join(outdir, `asset.${key.replace(/\.zip$/, '')}`) : undefined;
      if (!folder || !existsSync(folder)) throw new Error(`no synthesized asset folder for ${what}`);
      return folder;
    };
    const names: string[] = [];
    const copy = (from: string, name: string) => {
      cpSync(from, join(target, name), { recursive: true });
      names.push(name);
    };
    for (const fn of Object.values(analyzer.functions)) {
      if (!fn) continue;
      copy(assetOf(fn.function.node.defaultChild as CfnElement, fn.handler), handlerAssetName(fn.handler));
    }
    if (!analyzer.graphviz) throw new Error('the analyzer was built without its API: no Graphviz layer');
    copy(assetOf(analyzer.graphviz.layer.node.defaultChild as CfnElement, 'Graphviz'), GRAPHVIZ_ASSET_NAME);
    return names.sort();
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** lib/index.ts as one CommonJS file; the assets folder is the one beside it. */
async function bundleConstruct(outDir: string): Promise<void> {
  const result = await build({
    absWorkingDir: ROOT,
    entryPoints: ['lib/index.ts'],
    outfile: join(outDir, 'index.js'),
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node20',
    external: [...PEERS, ...PEERS.map((p) => `${p}/*`)],
    // The sources find files beside themselves through import.meta.url, and the prebuilt assets
    // through a constant only this build sets (lib/package-assets.ts).
    banner: {
      js: [
        '"use strict";',
        '// cascade-analyzer: the CascadeAnalyzer construct. Built from lib/ by scripts/build-package.ts.',
        'const __cascadeModuleUrl = require("node:url").pathToFileURL(__filename).href;',
        'const __cascadeAssets = require("node:path").join(__dirname, "assets");',
      ].join('\n'),
    },
    define: { 'import.meta.url': '__cascadeModuleUrl', __CASCADE_ANALYZER_ASSETS__: '__cascadeAssets' },
    legalComments: 'inline',
    // Whitespace and syntax only: the construct's own names stay readable in a consumer's stack trace.
    minifyWhitespace: true,
    minifySyntax: true,
    logLevel: 'warning',
  });
  if (result.errors.length > 0) throw new Error(`bundling lib/index.ts failed: ${result.errors[0]?.text}`);
  const code = readFileSync(join(outDir, 'index.js'), 'utf8');
  if (code.includes('__CASCADE_ANALYZER_ASSETS__') || !code.includes('typeof __cascadeAssets')) {
    throw new Error('index.js does not read the assets folder beside it: the define did not apply');
  }
}

/**
 * Type declarations of lib/index.ts and the files it exposes, with `.js` specifiers (the sources
 * import `.ts`). Fails when a declaration a consumer would read imports anything but the peers.
 */
function emitDeclarations(outDir: string): void {
  const config = ts.getParsedCommandLineOfConfigFile(
    join(ROOT, 'tsconfig.cdk.json'),
    {},
    {
      ...ts.sys,
      onUnRecoverableConfigFileDiagnostic: (d) => {
        throw new Error(ts.flattenDiagnosticMessageText(d.messageText, '\n'));
      },
    },
  );
  if (!config) throw new Error('tsconfig.cdk.json could not be read');
  const declarations = new Map<string, string>();
  const program = ts.createProgram([join(ROOT, 'lib/index.ts')], {
    ...config.options,
    noEmit: false,
    declaration: true,
    emitDeclarationOnly: true,
    rootDir: join(ROOT, 'lib'),
    outDir,
  });
  const emitted = program.emit(undefined, (file, text) => declarations.set(resolve(file), text));
  // The type check itself is `npm run typecheck`'s; here only what stops the emit.
  const errors = emitted.diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    throw new Error(
      `declarations: ${ts.formatDiagnostics(errors, { getCanonicalFileName: (f) => f, getCurrentDirectory: () => ROOT, getNewLine: () => '\n' })}`,
    );
  }
  // Only what index.d.ts reaches ships; a bare import other than a peer's would need a dependency.
  const specifier = /((?:from|import)\s*\(?\s*)'([^']+)'/g;
  const reached = new Set<string>();
  const visit = (file: string) => {
    if (reached.has(file)) return;
    const text = declarations.get(file);
    if (text === undefined) throw new Error(`declarations: ${relative(outDir, file)} was not emitted`);
    reached.add(file);
    for (const [, , spec] of text.matchAll(specifier)) {
      if (spec?.startsWith('.')) visit(resolve(dirname(file), spec.replace(/\.ts$/, '.d.ts')));
      else if (!PEERS.some((p) => spec === p || spec?.startsWith(`${p}/`)) && !spec?.startsWith('node:')) {
        throw new Error(
          `declarations: ${relative(outDir, file)} imports "${spec}", which a consumer does not have (only ${PEERS.join(', ')})`,
        );
      }
    }
  };
  visit(join(outDir, 'index.d.ts'));
  for (const file of reached) {
    mkdirSync(dirname(file), { recursive: true });
    const text = (declarations.get(file) as string).replace(specifier, (all, lead: string, spec: string) =>
      spec.startsWith('.') ? `${lead}'${spec.replace(/\.ts$/, '.js')}'` : all,
    );
    writeFileSync(file, text);
  }
}

function packageManifest(root: Record<string, unknown>): Record<string, unknown> {
  return {
    name: root.name,
    version: root.version,
    description:
      'An AWS CDK construct: when a CloudWatch alarm fires, find where the microservice cascade started in the X-Ray service graph, and tell the on-call engineer.',
    license: root.license,
    keywords: ['aws-cdk', 'cdk', 'construct', 'x-ray', 'cloudwatch', 'incident', 'root-cause', 'on-call'],
    // No "type": the code is CommonJS, as aws-cdk-lib's is, for require() and import alike.
    main: './index.js',
    types: './index.d.ts',
    exports: {
      '.': { types: './index.d.ts', default: './index.js' },
      './package.json': './package.json',
    },
    files: ['index.js', '**/*.d.ts', 'assets/', 'THIRD_PARTY_LICENSES'],
    engines: root.engines,
    peerDependencies: { 'aws-cdk-lib': AWS_CDK_LIB_RANGE, constructs: CONSTRUCTS_RANGE },
  };
}

/** docs/own-cdk-app.md, with the links into this repository's docs made plain text. */
function readme(): string {
  const page = readFileSync(join(ROOT, 'docs/own-cdk-app.md'), 'utf8');
  return page.replace(/\[([^\]]+)\]\((?!https?:)[^)]+\)/g, '$1');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const built = await buildPackage();
  console.log(`built ${relative(ROOT, built.dir)}: ${built.assets.length} prebuilt assets`);
  if (process.argv.includes('--pack')) {
    const packed = packPackage(built.dir, join(ROOT, 'dist'));
    console.log(`packed ${relative(ROOT, packed.file)}: ${packed.bytes} bytes, ${packed.files} files`);
  }
}
