// cdk-nag findings we accept. Each acknowledgement names one rule finding on one resource and
// says why; anything not listed here fails the nag test. The CascadeAnalyzer construct applies
// them to itself (unless told not to), so that a team's own app with cdk-nag synthesizes clean.

import { Stack, Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';
import type { CascadeAnalyzer } from './cascade-analyzer.ts';

const ack = (construct: IConstruct | undefined, id: string, reason: string) => {
  if (!construct) throw new Error(`nag suppression ${id}: construct not found`);
  Validations.of(construct).acknowledge({ id, reason });
};

/** The L1 resource behind a path like `Function/ServiceRole/DefaultPolicy`. */
const child = (c: IConstruct, ...path: string[]): IConstruct | undefined => {
  let cur: IConstruct | undefined = c;
  for (const p of path) cur = cur?.node.tryFindChild(p);
  return cur?.node.tryFindChild('Resource') ?? cur;
};

export function acknowledgeNagFindings(analyzer: CascadeAnalyzer): void {
  for (const [name, fn] of Object.entries(analyzer.functions)) {
    const fnResource = child(fn, 'Function');
    ack(
      fnResource,
      'AwsSolutions::AwsSolutions-L1',
      'The design pins the NODEJS_22_X runtime: middy 6 and Powertools 2 are tested on it; moving is a deliberate upgrade.',
    );
    ack(
      fnResource,
      'Serverless::Serverless-LambdaLatestVersion',
      'Same as AwsSolutions-L1: NODEJS_22_X is pinned on purpose.',
    );
    // ExecutionWatch is invoked asynchronously (EventBridge) and has its DLQ; SweepOutbox is invoked
    // asynchronously by a schedule and has none; the others are invoked synchronously.
    if (fn === analyzer.functions.sweepOutbox) {
      ack(
        fnResource,
        'Serverless::Serverless-LambdaDLQ',
        'SweepOutbox is invoked by a schedule whose event is a clock tick carrying no data: a run that fails after its retries is redone by the next tick, and fires its errors alarm. A DLQ would only hold empty ticks.',
      );
    } else if (fn !== analyzer.functions.executionWatch) {
      ack(
        fnResource,
        'Serverless::Serverless-LambdaDLQ',
        `${name} is invoked synchronously (Step Functions task or API Gateway); a DLQ only applies to asynchronous invocations. Failures are caught by the workflow and recorded as FAILED findings.`,
      );
    }
    ack(
      child(fn, 'Role', 'DefaultPolicy'),
      'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      'xray:PutTraceSegments/PutTelemetryRecords (active tracing), xray:GetServiceGraph, xray:GetTraceSummaries, xray:BatchGetTraces, cloudtrail:LookupEvents and cloudwatch:GetMetricData support no resource-level permissions.',
    );
  }
  const objects = (fnName: keyof typeof analyzer.functions, prefix: 'snapshots' | 'findings' | 'evidence') =>
    ack(
      child(analyzer.functions[fnName] as IConstruct, 'Role', 'DefaultPolicy'),
      `AwsSolutions::AwsSolutions-IAM5[Resource::<${logicalId(analyzer.snapshots.bucket)}.Arn>/${prefix}/*]`,
      `Objects are keyed by analysis id under ${prefix}/; access is limited to that prefix of the analyzer's own bucket.`,
    );
  objects('collectGraph', 'snapshots');
  objects('analyze', 'snapshots');
  objects('collectEvidence', 'evidence');
  objects('analyze', 'evidence');
  objects('correlate', 'snapshots');
  for (const f of ['analyze', 'store', 'notify', 'correlate'] as const) objects(f, 'findings');

  const sm = analyzer.workflow.stateMachine;
  const smPolicy = child(sm, 'Role', 'DefaultPolicy');
  ack(
    smPolicy,
    'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
    'X-Ray tracing and CloudWatch Logs delivery of the state machine support no resource-level permissions.',
  );
  // The workflow's own functions: the API, ExecutionWatch and SweepOutbox are invoked by others.
  const outsideWorkflow = [
    analyzer.functions.api,
    analyzer.functions.executionWatch,
    analyzer.functions.sweepOutbox,
  ];
  for (const fn of Object.values(analyzer.functions)) {
    if (outsideWorkflow.includes(fn)) continue;
    ack(
      smPolicy,
      `AwsSolutions::AwsSolutions-IAM5[Resource::<${logicalId(fn.function)}.Arn>:*]`,
      'LambdaInvoke grants the function and its versions/aliases (ARN:*); only the workflow’s own functions.',
    );
  }

  ack(
    analyzer.outboxSweeper.rule.node.defaultChild,
    'Serverless::Serverless-EventBusDLQ',
    'The schedule of SweepOutbox sends a clock tick carrying no data: an undelivered tick is redone by the next one. A DLQ would only hold empty ticks.',
  );

  const api = analyzer.api?.api;
  for (const method of api?.methods ?? []) {
    ack(
      method,
      'AwsSolutions::AwsSolutions-COG4',
      'The API uses IAM (SigV4) authorization for operators and automation, not Cognito user pools.',
    );
  }
  if (api) {
    ack(
      api.deploymentStage,
      'AwsSolutions::AwsSolutions-APIG3',
      'An IAM-authorized, throttled operator API; a WAF web ACL can be attached per account policy but is not required by the product.',
    );
    ack(
      api.node.tryFindChild('CloudWatchRole'),
      'AwsSolutions::AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      'The account-level role API Gateway needs to write execution and access logs; AWS maintains this policy for exactly that purpose.',
    );
  }

  for (const [dlq, of] of [
    [analyzer.trigger.deadLetterQueue, 'the EventBridge target'],
    [analyzer.notifications.deadLetterQueue, 'the SNS subscriptions'],
  ] as const) {
    if (!dlq) continue;
    ack(dlq, 'AwsSolutions::AwsSolutions-SQS3', `This queue is itself the dead-letter queue of ${of}.`);
    ack(
      dlq,
      'Serverless::Serverless-SQSRedrivePolicy',
      `This queue is itself the dead-letter queue of ${of}.`,
    );
  }
}

function logicalId(c: IConstruct): string {
  const resource = (c.node.defaultChild ?? c) as Parameters<Stack['getLogicalId']>[0];
  return Stack.of(c).getLogicalId(resource);
}
