// Synthesizes the real CascadeAnalyzerStack in-process, as `cdk synth` would with the repository's
// cdk.json, and reads back what the local runtime needs from the template: the state machine's
// definition, the function behind each Task state with its environment, and the stack's alarms.
//
// Type-checked with the CDK code (tsconfig.cdk.json); the runtime loads it with a dynamic import
// (see state-machine.ts), so the rest of lambdas/ never compiles aws-cdk-lib's types.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type CfnElement } from 'aws-cdk-lib';
import { CascadeAnalyzerStack } from '../../lib/cascade-analyzer-stack.ts';
import { loadConfig } from '../../lib/config.ts';
import {
  type ContextOverrides,
  type Environment,
  STEP_KEYS,
  type StepKey,
  type SynthesizedAlarm,
  type SynthesizedApp,
  type SynthesizedTask,
} from './app-model.ts';
import { resolver } from './intrinsics.ts';

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';
/** bin/app.ts's default stack name. */
const STACK_NAME = 'CascadeAnalyzer';

/** The functions the local runtime calls that no Task state invokes (keys of `stack.analyzer.functions`). */
const OTHER_FUNCTIONS = ['api', 'sweepOutbox'] as const;
type OtherFunction = (typeof OTHER_FUNCTIONS)[number];

type Json = unknown;
type Obj = Record<string, Json>;
interface CfnResource {
  readonly Type: string;
  readonly Properties?: Obj;
}

/** The context of the repository's cdk.json: the configuration `cdk deploy` would use. */
export function repositoryContext(): Obj {
  const cdkJson = JSON.parse(readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8')) as {
    context?: Obj;
  };
  return { ...(cdkJson.context ?? {}) };
}

export function synthesizeApp(overrides: ContextOverrides = {}): SynthesizedApp {
  return inScratchDir((outdir) => synthesize(outdir, overrides, false));
}

/** Runs `synth` in a cdk.out of its own, removed afterwards: only what it returns is kept. */
function inScratchDir<T>(synth: (outdir: string) => T): T {
  const outdir = mkdtempSync(join(tmpdir(), 'cascade-analyzer-synth-'));
  try {
    return synth(outdir);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

/**
 * The stack synthesized into `outdir` as `cdk synth` writes cdk.out: the template and the assets —
 * each function's esbuild bundle and the Graphviz layer — that `cdk deploy` would upload.
 */
export function synthesizeAssembly(
  outdir: string,
  overrides: ContextOverrides = {},
): { readonly stackName: string; readonly app: SynthesizedApp } {
  return { stackName: STACK_NAME, app: synthesize(outdir, overrides, true) };
}

/** The template `cdk synth` writes for the repository's cdk.json (and `overrides`), without bundling the Lambda code. */
export function synthesizeTemplate(overrides: ContextOverrides = {}): object {
  return inScratchDir((outdir) => synthesizeStack(outdir, overrides, false).template);
}

/** The stack built as bin/app.ts builds it, synthesized into `outdir`, with or without its bundles. */
function synthesizeStack(
  outdir: string,
  overrides: ContextOverrides,
  bundles: boolean,
): { readonly stack: CascadeAnalyzerStack; readonly template: { Resources: Record<string, CfnResource> } } {
  const context = { ...repositoryContext(), ...overrides };
  const app = new App({
    outdir,
    // Without bundles the local runtime calls the handlers' code in-process.
    context: bundles ? context : { ...context, 'aws:cdk:bundling-stacks': [] },
    // The wasm CloudFormation validator costs seconds per synth; `npm run synth` and the infra
    // tests (cfn-lint, cdk-nag) validate this same template.
    builtinCloudFormationValidation: false,
  });
  const config = loadConfig((key) => app.node.tryGetContext(key));
  const stack = new CascadeAnalyzerStack(app, STACK_NAME, { config });
  const template = app.synth().getStackByName(stack.stackName).template as {
    Resources: Record<string, CfnResource>;
  };
  return { stack, template };
}

function synthesize(outdir: string, overrides: ContextOverrides, bundles: boolean): SynthesizedApp {
  const { stack, template } = synthesizeStack(outdir, overrides, bundles);
  const stepOf = new Map<string, StepKey | OtherFunction>();
  for (const [key, fn] of Object.entries(stack.analyzer.functions)) {
    const logicalId = stack.getLogicalId(fn.function.node.defaultChild as CfnElement);
    if ([...STEP_KEYS, ...OTHER_FUNCTIONS].includes(key as StepKey | OtherFunction)) {
      stepOf.set(logicalId, key as StepKey | OtherFunction);
    }
  }
  return readTemplate(template.Resources, stepOf, stack.stackName);
}

function readTemplate(
  resources: Record<string, CfnResource>,
  stepOf: ReadonlyMap<string, StepKey | OtherFunction>,
  stackName: string,
): SynthesizedApp {
  const resolve = resolver(resources, { region: LOCAL_REGION, account: LOCAL_ACCOUNT, stackName });
  const machines = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::StepFunctions::StateMachine');
  if (machines.length !== 1) {
    throw new Error(`the synthesized template has ${machines.length} state machines; expected exactly one`);
  }
  const [machineId, machine] = machines[0] as [string, CfnResource];
  const definitionText = resolve(machine.Properties?.DefinitionString);
  if (typeof definitionText !== 'string') throw new Error(`${machineId}: DefinitionString is not a string`);
  const definition = JSON.parse(definitionText) as { States: Record<string, Obj> };

  const functionEnv = (logicalId: string): Environment => {
    const fn = resources[logicalId];
    const vars = (fn?.Properties?.Environment as { Variables?: Obj } | undefined)?.Variables ?? {};
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries(vars)) env[k] = String(resolve(v));
    return env;
  };

  const tasks: SynthesizedTask[] = [];
  for (const [state, def] of Object.entries(definition.States)) {
    if (def.Type !== 'Task') continue;
    const functionLogicalId = functionIdOfArn(String(def.Resource));
    const step = functionLogicalId === undefined ? undefined : stepOf.get(functionLogicalId);
    if (
      functionLogicalId === undefined ||
      step === undefined ||
      (OTHER_FUNCTIONS as readonly string[]).includes(step)
    ) {
      throw new Error(
        `Task state "${state}" invokes ${String(def.Resource)}, which is none of the analyzer's step functions`,
      );
    }
    tasks.push({
      state,
      step: step as StepKey,
      functionLogicalId,
      environment: functionEnv(functionLogicalId),
    });
  }
  const environmentOf = (key: OtherFunction, what: string): Environment => {
    const id = [...stepOf].find(([, step]) => step === key)?.[0];
    if (id === undefined) throw new Error(`the synthesized stack has no ${what} function`);
    return functionEnv(id);
  };

  const alarms: SynthesizedAlarm[] = Object.entries(resources)
    .filter(([, r]) => r.Type === 'AWS::CloudWatch::Alarm' && typeof r.Properties?.AlarmName === 'string')
    .map(([logicalId, r]) => {
      const p = r.Properties as Obj;
      const metrics = Array.isArray(p.Metrics)
        ? (p.Metrics as Obj[])
        : [
            {
              Id: 'm1',
              MetricStat: {
                Metric: { Namespace: p.Namespace, MetricName: p.MetricName, Dimensions: p.Dimensions ?? [] },
                Period: p.Period,
                Stat: p.Statistic ?? p.ExtendedStatistic,
              },
              ReturnData: true,
            },
          ];
      return {
        logicalId,
        alarmName: String(p.AlarmName),
        description: typeof p.AlarmDescription === 'string' ? p.AlarmDescription : '',
        metrics: resolveLeniently(resolve, metrics) as Obj[],
      };
    });

  return {
    stackName,
    stateMachineLogicalId: machineId,
    definition: definition as Obj,
    tasks,
    apiEnvironment: environmentOf('api', 'API'),
    sweepEnvironment: environmentOf('sweepOutbox', 'SweepOutbox'),
    alarms,
    account: LOCAL_ACCOUNT,
    region: LOCAL_REGION,
  };
}

/** Alarm metrics are shown, not run: one the resolver cannot read keeps its raw intrinsics. */
function resolveLeniently(resolve: (value: Json) => Json, value: Json): Json {
  try {
    return resolve(value);
  } catch {
    return value;
  }
}

/** The logical id in a Lambda ARN this module made (`…:function:<logicalId>`). */
function functionIdOfArn(arn: string): string | undefined {
  return /^arn:aws:lambda:[^:]+:\d{12}:function:([A-Za-z0-9]+)$/.exec(arn)?.[1];
}
