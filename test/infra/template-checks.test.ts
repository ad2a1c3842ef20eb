// Independent checks on the synthesized app: cdk-nag (AwsSolutions + Serverless) with zero
// unacknowledged findings, cfn-lint with zero errors, asl-validator on the state machine.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { CascadeAnalyzer } from '../../lib/cascade-analyzer.ts';
import { loadConfig } from '../../lib/config.ts';
import { synthStack, TEST_CONTEXT } from './synth.ts';

const aslValidator = createRequire(import.meta.url)('asl-validator') as (definition: unknown) => {
  isValid: boolean;
  errorsText: (sep?: string) => string;
};

let templateFile: string;
let template: { Resources: Record<string, { Type: string; Properties: Record<string, unknown> }> };

beforeAll(() => {
  const outdir = mkdtempSync(join(tmpdir(), 'cascade-synth-'));
  // Synthesis throws ValidationFailed when a cdk-nag finding is not acknowledged.
  const { app } = synthStack(TEST_CONTEXT, outdir);
  app.synth();
  templateFile = join(outdir, 'CascadeAnalyzerTest.template.json');
  template = JSON.parse(readFileSync(templateFile, 'utf8'));
}, 120_000);

describe('Check: cdk-nag', () => {
  it('should synthesize with AwsSolutions and Serverless packs and no unacknowledged finding', () => {
    expect(Object.keys(template.Resources).length).toBeGreaterThan(50);
  });

  it('should fail synthesis when the acknowledgements are left out (the check is live)', () => {
    // Prepare: the same analyzer without its acknowledgements.
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'cascade-nag-')) });
    const config = loadConfig((key) => (TEST_CONTEXT as Record<string, unknown>)[key]);
    new CascadeAnalyzer(new Stack(app, 'Unacknowledged'), 'Default', {
      ...config,
      acknowledgeNagFindings: false,
    });
    Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
    // Act / Assess
    expect(() => app.synth()).toThrow(/AwsSolutions-L1/);
  }, 120_000);
});

describe('Check: Graphviz layer', () => {
  it('should package the module where the API function loads it from (/opt = the layer root)', () => {
    // Prepare: the layer is one of the synthesized asset folders.
    const outdir = join(templateFile, '..');
    const layers = readdirSync(outdir)
      .filter((d) => d.startsWith('asset.'))
      .map((d) => join(outdir, d, 'nodejs/node_modules/@viz-js/viz/dist/viz.js'))
      .filter((f) => existsSync(f));
    // Assess
    expect(layers).toHaveLength(1);
    expect(readFileSync(layers[0] as string, 'utf8').length).toBeGreaterThan(100_000);
  });
});

describe('Check: cfn-lint', () => {
  const found = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
  const available = found.status === 0;
  if (!available && process.env.CI)
    throw new Error('cfn-lint is not installed: CI must have it (pip install cfn-lint)');
  if (!available) console.warn('skipping the cfn-lint check: cfn-lint is not on PATH');

  it.runIf(available)(
    'should report no errors on the template (warnings allowed)',
    () => {
      // Act
      const r = spawnSync('cfn-lint', ['--format', 'parseable', templateFile], { encoding: 'utf8' });
      // Assess: exit status is a bit mask; 2 means errors.
      const errors = r.stdout.split('\n').filter((l) => /:E\d{4}:/.test(l));
      expect(errors).toEqual([]);
      expect((r.status ?? 0) & 2).toBe(0);
    },
    120_000,
  );
});

describe('Check: asl-validator', () => {
  it('should accept the state machine definition', () => {
    // Prepare: resolve the CloudFormation tokens in the definition into plausible ARNs.
    const sm = Object.values(template.Resources).find((r) => r.Type === 'AWS::StepFunctions::StateMachine');
    if (!sm) throw new Error('no state machine in the template');
    const join = (sm.Properties.DefinitionString as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    const text = join[1]
      .map((p) => {
        if (typeof p === 'string') return p;
        const ref = JSON.stringify(p).replace(/[^A-Za-z0-9]/g, '');
        if (ref.includes('Partition')) return 'aws';
        return `arn:aws:lambda:us-east-1:123456789012:function:${ref}`;
      })
      .join('');
    const definition = JSON.parse(text);
    // Act
    const result = aslValidator(definition);
    // Assess
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });
});
