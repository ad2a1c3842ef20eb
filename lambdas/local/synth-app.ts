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

export const LOCAL_ACCOUNT = '000000000000';
export const LOCAL_REGION = 'us-east-1';
/** bin/app.ts's default stack name. */
const STACK_NAME = 'CascadeAnalyzer';

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
  const context = { ...repositoryContext(), ...overrides };
  const outdir = mkdtempSync(join(tmpdir(), 'cascade-analyzer-synth-'));
  try {
    const app = new App({
      outdir,
      // No Lambda bundles: the local runtime calls the handlers' code in-process.
      context: { ...context, 'aws:cdk:bundling-stacks': [] },
      // The wasm CloudFormation validator costs seconds per synth; `npm run synth` and the infra
      // tests (cfn-lint, cdk-nag) validate this same template.
      builtinCloudFormationValidation: false,
    });
    const config = loadConfig((key) => app.node.tryGetContext(key));
    const stack = new CascadeAnalyzerStack(app, STACK_NAME, { config });
    const template = app.synth().getStackByName(stack.stackName).template as {
      Resources: Record<string, CfnResource>;
    };
    const stepOf = new Map<string, StepKey | 'api'>();
    for (const [key, fn] of Object.entries(stack.functions)) {
      const logicalId = stack.getLogicalId(fn.function.node.defaultChild as CfnElement);
      if ((STEP_KEYS as readonly string[]).includes(key) || key === 'api') {
        stepOf.set(logicalId, key as StepKey | 'api');
      }
    }
    return readTemplate(template.Resources, stepOf, stack.stackName);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function readTemplate(
  resources: Record<string, CfnResource>,
  stepOf: ReadonlyMap<string, StepKey | 'api'>,
  stackName: string,
): SynthesizedApp {
  const resolve = resolver(resources);
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
    if (functionLogicalId === undefined || step === undefined || step === 'api') {
      throw new Error(
        `Task state "${state}" invokes ${String(def.Resource)}, which is none of the analyzer's step functions`,
      );
    }
    tasks.push({ state, step, functionLogicalId, environment: functionEnv(functionLogicalId) });
  }
  const apiId = [...stepOf].find(([, step]) => step === 'api')?.[0];
  if (apiId === undefined) throw new Error('the synthesized stack has no API function');

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
    apiEnvironment: functionEnv(apiId),
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

/**
 * Resolves the intrinsics the stack uses in definitions and environments to local values: a
 * resource's `Ref` is its name when the template names it (alarms) or its logical id, a function's
 * `Arn` is a Lambda ARN naming its logical id, pseudo parameters are the local account and region.
 */
function resolver(resources: Record<string, CfnResource>): (value: Json) => Json {
  const PSEUDO: Record<string, string> = {
    'AWS::Region': LOCAL_REGION,
    'AWS::AccountId': LOCAL_ACCOUNT,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackName': STACK_NAME,
  };
  const NAME_PROPS = ['AlarmName', 'TableName', 'TopicName', 'BucketName', 'QueueName', 'FunctionName'];
  const ref = (id: string): string => {
    const pseudo = PSEUDO[id];
    if (pseudo !== undefined) return pseudo;
    const r = resources[id];
    if (r === undefined) throw new Error(`Ref to ${id}, which is not in the template`);
    for (const prop of NAME_PROPS) {
      const name = r.Properties?.[prop];
      if (typeof name === 'string') return name;
    }
    return id;
  };
  const getAtt = (id: string, attr: string): string => {
    const r = resources[id];
    if (r === undefined) throw new Error(`Fn::GetAtt on ${id}, which is not in the template`);
    if (r.Type === 'AWS::Lambda::Function' && attr === 'Arn') {
      return `arn:aws:lambda:${LOCAL_REGION}:${LOCAL_ACCOUNT}:function:${id}`;
    }
    return `${id}.${attr}`;
  };
  const resolve = (value: Json): Json => {
    if (Array.isArray(value)) return value.map(resolve);
    if (typeof value !== 'object' || value === null) return value;
    const obj = value as Obj;
    const keys = Object.keys(obj);
    if (keys.length === 1) {
      if ('Ref' in obj) return ref(String(obj.Ref));
      if ('Fn::GetAtt' in obj) {
        const [id, attr] = obj['Fn::GetAtt'] as [string, string];
        return getAtt(id, attr);
      }
      if ('Fn::Join' in obj) {
        const [sep, parts] = obj['Fn::Join'] as [string, Json[]];
        return parts.map((p) => String(resolve(p))).join(sep);
      }
      const fn = keys[0] as string;
      if (fn.startsWith('Fn::')) throw new Error(`the local runtime cannot resolve ${fn}`);
    }
    return Object.fromEntries(Object.entries(obj).map(([k, v]) => [k, resolve(v)]));
  };
  return resolve;
}
