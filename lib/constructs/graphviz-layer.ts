// A Lambda layer with @viz-js/viz (Graphviz in WebAssembly, 1.2 MB) for the functions that draw
// reports, so that their bundles stay small. Built by copying the installed package: no Docker,
// no network, works offline. The published package ships the copy prebuilt (lib/package-assets.ts).

import { cpSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DockerImage } from 'aws-cdk-lib';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { prebuiltAsset } from '../package-assets.ts';

/** The folder name of the prebuilt layer in the package's assets. */
export const GRAPHVIZ_ASSET_NAME = 'graphviz-layer';

/** Where the module lands inside a function that uses the layer (set as CASCADE_GRAPHVIZ_MODULE). */
export const GRAPHVIZ_MODULE_PATH = '/opt/nodejs/node_modules/@viz-js/viz/dist/viz.js';

export class GraphvizLayer extends Construct {
  public readonly layer: lambda.LayerVersion;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const prebuilt = prebuiltAsset(GRAPHVIZ_ASSET_NAME);
    this.layer = new lambda.LayerVersion(this, 'Layer', {
      description: '@viz-js/viz (Graphviz compiled to WebAssembly) for cascade-analyzer reports',
      compatibleRuntimes: [lambda.Runtime.NODEJS_22_X],
      compatibleArchitectures: [lambda.Architecture.ARM_64, lambda.Architecture.X86_64],
      code: prebuilt ? lambda.Code.fromAsset(prebuilt) : fromInstalledPackage(),
    });
  }
}

/** The layer copied from this repository's node_modules at synth. */
function fromInstalledPackage(): lambda.Code {
  const installed = join(new URL('../../', import.meta.url).pathname, 'node_modules/@viz-js/viz');
  return lambda.Code.fromAsset(installed, {
    bundling: {
      // Never used: the local copy below always succeeds.
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22'),
      local: {
        tryBundle(outputDir: string): boolean {
          // The package's manifest (it makes dist/viz.js an ES module) and the one build the
          // function loads (GRAPHVIZ_MODULE_PATH), not its CommonJS and global builds: 1.2 MB, not 3.6.
          const target = join(outputDir, 'nodejs/node_modules/@viz-js/viz');
          mkdirSync(join(target, 'dist'), { recursive: true });
          for (const part of ['package.json', 'dist/viz.js'])
            cpSync(join(installed, part), join(target, part));
          return true;
        },
      },
    },
  });
}
