// Reads a synthesized cloud assembly (cdk.out): the stack's template and, for each Lambda function
// and layer, the folder of its asset — the very files `cdk deploy` uploads. Plain JSON and paths,
// no aws-cdk-lib, so that tests, the bundled local run and the benchmark share it.

import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export type Json = unknown;
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, Json>;
}
export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
}

export interface FunctionAsset {
  readonly logicalId: string;
  /** The asset folder: what Lambda unpacks to /var/task. */
  readonly dir: string;
  /** `index.handler` → dir/index.mjs, export `handler`. */
  readonly entry: string;
  readonly exportName: string;
  /** The template's environment variables, intrinsics unresolved. */
  readonly environment: Readonly<Record<string, Json>>;
  /** Asset folders of the function's layers, in order (what Lambda unpacks to /opt). */
  readonly layers: readonly string[];
}

export interface CloudAssembly {
  readonly outdir: string;
  readonly stackName: string;
  readonly template: CfnTemplate;
  readonly functions: readonly FunctionAsset[];
}

/** The asset folder behind a `Code`/`Content` property of a template resource (`<hash>.zip`). */
function assetDir(outdir: string, owner: string, code: Json): string {
  const key = (code as { S3Key?: Json } | undefined)?.S3Key;
  if (typeof key !== 'string' || !key.endsWith('.zip')) {
    throw new Error(`${owner}: its code is not a file asset of this assembly (S3Key ${JSON.stringify(key)})`);
  }
  const dir = join(outdir, `asset.${key.slice(0, -'.zip'.length)}`);
  if (!existsSync(dir))
    throw new Error(`${owner}: asset folder ${dir} is missing (synthesized without bundling?)`);
  return dir;
}

export function readCloudAssembly(outdir: string, stackName: string): CloudAssembly {
  const file = join(outdir, `${stackName}.template.json`);
  if (!existsSync(file))
    throw new Error(`no template ${file}: was the stack ${stackName} synthesized there?`);
  const template = JSON.parse(readFileSync(file, 'utf8')) as CfnTemplate;
  const functions: FunctionAsset[] = [];
  for (const [logicalId, r] of Object.entries(template.Resources)) {
    if (r.Type !== 'AWS::Lambda::Function') continue;
    const p = r.Properties ?? {};
    const handler = String(p.Handler ?? '');
    const m = /^([\w./-]+)\.(\w+)$/.exec(handler);
    if (!m) throw new Error(`${logicalId}: handler ${JSON.stringify(handler)} is not <file>.<export>`);
    const dir = assetDir(outdir, logicalId, p.Code);
    const file = [`${m[1]}.mjs`, `${m[1]}.js`].map((f) => join(dir, f)).find(existsSync);
    if (file === undefined) throw new Error(`${logicalId}: ${m[1]}.mjs is not in its asset ${dir}`);
    const layers = ((p.Layers ?? []) as Json[]).map((ref) => {
      const id = (ref as { Ref?: Json }).Ref;
      const layer = typeof id === 'string' ? template.Resources[id] : undefined;
      if (layer?.Type !== 'AWS::Lambda::LayerVersion') {
        throw new Error(`${logicalId}: layer ${JSON.stringify(ref)} is not a layer of this stack`);
      }
      return assetDir(outdir, String(id), layer.Properties?.Content);
    });
    functions.push({
      logicalId,
      dir,
      entry: file,
      exportName: m[2] as string,
      environment: ((p.Environment as { Variables?: Record<string, Json> } | undefined)?.Variables ??
        {}) as Record<string, Json>,
      layers,
    });
  }
  return { outdir, stackName, template, functions };
}

/** Every logical id a template value refers to (`Ref`, `Fn::GetAtt`), however deep. */
export function referencedIds(value: Json, out: Set<string> = new Set()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) referencedIds(v, out);
  } else if (typeof value === 'object' && value !== null) {
    const obj = value as Record<string, Json>;
    if (typeof obj.Ref === 'string' && !obj.Ref.startsWith('AWS::')) out.add(obj.Ref);
    const att = obj['Fn::GetAtt'];
    if (Array.isArray(att) && typeof att[0] === 'string') out.add(att[0]);
    for (const v of Object.values(obj)) referencedIds(v, out);
  }
  return out;
}
