// One wrapper for every Lambda of the analyzer: runtime, ARM, tracing, bundling, log retention
// and an alarm on the function's own errors are fixed here so no function forgets one. From the
// repository's sources the handler is bundled at synth; from the published package its bundle is
// prebuilt (lib/package-assets.ts), made by the same bundling options below.

import { Duration, Stack } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { prebuiltAsset } from '../package-assets.ts';

export interface AnalyzerFunctionProps {
  /** Handler module under lambdas/handlers, without extension, e.g. `collect-graph`. */
  readonly handler: string;
  readonly description: string;
  readonly environment?: Readonly<Record<string, string>>;
  /** @default Duration.seconds(30) */
  readonly timeout?: Duration;
  /** @default 512 */
  readonly memorySize?: number;
  /** @default logs.RetentionDays.ONE_MONTH */
  readonly logRetention?: logs.RetentionDays;
  readonly logLevel: string;
  /** @default none */
  readonly layers?: readonly lambda.ILayerVersion[];
  /** @default none: the account's unreserved pool */
  readonly reservedConcurrency?: number;
  /** For functions invoked asynchronously: where failed events go. @default none */
  readonly deadLetterQueue?: sqs.IQueue;
}

/** The repository root, where lambdas/handlers lives (lib/constructs → ../..). */
const root = () => new URL('../../', import.meta.url).pathname;

/**
 * How esbuild bundles a handler: at synth from the sources, and once for the package
 * (scripts/build-package.mjs synthesizes the stack and keeps these bundles).
 */
export const HANDLER_BUNDLING: nodejs.BundlingOptions = {
  format: nodejs.OutputFormat.ESM,
  target: 'node22',
  minify: true,
  sourceMap: true,
  sourcesContent: false,
  // The Node.js 22 runtime ships AWS SDK v3; bundling it again would only add megabytes.
  externalModules: ['@aws-sdk/*'],
  mainFields: ['module', 'main'],
  // The X-Ray SDK's use of semver is one version comparison (lambdas/bundling/semver.ts).
  esbuildArgs: { '--alias:semver': new URL('../../lambdas/bundling/semver.ts', import.meta.url).pathname },
  // ESM bundles still meet CommonJS dependencies that call require().
  banner: "import { createRequire } from 'module'; const require = createRequire(import.meta.url);",
};

/** The folder name of a handler's prebuilt bundle in the package's assets. */
export const handlerAssetName = (handler: string) => `handler-${handler}`;

export class AnalyzerFunction extends Construct {
  /** The handler module's name (lambdas/handlers/<handler>.ts). */
  public readonly handler: string;
  public readonly function: lambda.Function;
  public readonly errorsAlarm: cloudwatch.Alarm;
  public readonly logGroup: logs.LogGroup;
  /** The function's own role: writes to its own log group only, plus what the stack grants. */
  public readonly role: iam.Role;

  constructor(scope: Construct, id: string, props: AnalyzerFunctionProps) {
    super(scope, id);
    this.handler = props.handler;
    if (!/^[a-z][a-z0-9-]*$/.test(props.handler)) {
      throw new Error(`AnalyzerFunction ${id}: handler "${props.handler}" must be a kebab-case module name`);
    }
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
    });
    // Instead of the AWS managed basic execution role: logs to this function's group and nothing else.
    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `cascade-analyzer ${props.handler} function`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    const settings: Omit<lambda.FunctionProps, 'code' | 'handler'> = {
      role: this.role,
      layers: [...(props.layers ?? [])],
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 512,
      timeout: props.timeout ?? Duration.seconds(30),
      ...(props.reservedConcurrency !== undefined
        ? { reservedConcurrentExecutions: props.reservedConcurrency }
        : {}),
      ...(props.deadLetterQueue !== undefined ? { deadLetterQueue: props.deadLetterQueue } : {}),
      tracing: lambda.Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: lambda.LoggingFormat.JSON,
      environment: {
        POWERTOOLS_SERVICE_NAME: 'cascade-analyzer',
        POWERTOOLS_METRICS_NAMESPACE: 'CascadeAnalyzer',
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
    };
    const prebuilt = prebuiltAsset(handlerAssetName(props.handler));
    this.function = prebuilt
      ? new lambda.Function(this, 'Function', {
          ...settings,
          code: lambda.Code.fromAsset(prebuilt),
          handler: 'index.handler',
        })
      : new nodejs.NodejsFunction(this, 'Function', {
          ...settings,
          entry: `${root()}lambdas/handlers/${props.handler}.ts`,
          handler: 'handler',
          projectRoot: root(),
          depsLockFilePath: `${root()}package-lock.json`,
          bundling: HANDLER_BUNDLING,
        });
    this.errorsAlarm = new cloudwatch.Alarm(this, 'Errors', {
      alarmDescription: `${props.handler} Lambda of cascade-analyzer in ${Stack.of(this).stackName} fails`,
      metric: this.function.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
  }
}
