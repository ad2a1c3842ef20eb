// The stack's CloudFormation template as `cdk synth` writes it with the repository's cdk.json: the
// configuration a user deploys by default. Lambda code is not bundled — the picture draws
// resources, not code, and esbuild would add seconds for asset hashes the picture never shows.
//
// Type-checked with the CDK code (tsconfig.cdk.json), like lambdas/local/synth-app.ts.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { repositoryContext, STACK_NAME } from '../../lambdas/local/synth-app.ts';
import { CascadeAnalyzerStack } from '../../lib/cascade-analyzer-stack.ts';
import { loadConfig } from '../../lib/config.ts';

export function synthesizeTemplate(): object {
  const outdir = mkdtempSync(join(tmpdir(), 'cascade-analyzer-architecture-'));
  try {
    const app = new App({
      outdir,
      context: { ...repositoryContext(), 'aws:cdk:bundling-stacks': [] },
      // `npm run synth` and the infra tests validate this same template.
      builtinCloudFormationValidation: false,
    });
    const config = loadConfig((key) => app.node.tryGetContext(key));
    const stack = new CascadeAnalyzerStack(app, STACK_NAME, { config });
    return app.synth().getStackByName(stack.stackName).template as object;
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}
