// A Lambda layer with @viz-js/viz (Graphviz in WebAssembly, 1.5 MB) for the functions that draw
// reports, so that their bundles stay small. Built by copying the installed package: no Docker,
// no network, works offline.

import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

const ROOT = new URL('../../', import.meta.url).pathname;
const PACKAGE = join(ROOT, 'node_modules/@viz-js/viz');

/** Where the module lands inside a function that uses the layer (set as CASCADE_GRAPHVIZ_MODULE). */
export const GRAPHVIZ_MODULE_PATH = '/opt/nodejs/node_modules/@viz-js/viz/dist/viz.js';

export class GraphvizLayer extends Construct {
  public readonly layer: lambda.LayerVersion;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.layer = new lambda.LayerVersion(this, 'Layer', {
      description: '@viz-js/viz (Graphviz compiled to WebAssembly) for cascade-analyzer reports',
      compatibleRuntimes: [lambda.Runtime.NODEJS_22_X],
      compatibleArchitectures: [lambda.Architecture.ARM_64, lambda.Architecture.X86_64],
      code: lambda.Code.fromAsset(PACKAGE, {
        bundling: {
          // Never used: the local copy below always succeeds.
          image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22'),
          local: {
            tryBundle(outputDir: string): boolean {
              const target = join(outputDir, 'nodejs/node_modules/@viz-js/viz');
              mkdirSync(target, { recursive: true });
              for (const part of ['package.json', 'dist']) {
                cpSync(join(PACKAGE, part), join(target, part), { recursive: true });
              }
              return true;
            },
          },
        },
      }),
    });
  }
}
