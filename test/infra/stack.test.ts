// Template assertions on the behaviour that matters: what starts the workflow, what the
// workflow does on failure, the table's keys, the API's auth and routes, and exact IAM.

import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { CLAIM_LEASE_MS } from '../../lambdas/core/incidents/model.ts';
import { VERDICT_METRICS as API_VERDICT_METRICS } from '../../lambdas/handlers/api-feedback.ts';
import { VERDICT_METRICS } from '../../lib/constructs/accuracy.ts';
import { OPTIONAL_STEPS, STEP_NAMES, TASK_TIMEOUTS } from '../../lib/constructs/workflow.ts';
import { ANALYZE_MEMORY_MB } from '../../lib/sizing.ts';
import { synthStack } from './synth.ts';

type Template = ReturnType<typeof synthStack>['template'];
let template: Template;
let stack: ReturnType<typeof synthStack>['stack'];

// A guard against a hang, not a budget: synthesis with bundling took 175 s on a loaded machine.
beforeAll(() => {
  ({ template, stack } = synthStack());
}, 900_000);

type Json = Record<string, unknown>;
const resources = (type: string) => template.findResources(type) as Record<string, { Properties: Json }>;

/** The state machine definition with CloudFormation tokens replaced by their logical ids. */
function definition(): { States: Record<string, Json>; StartAt: string; TimeoutSeconds?: number } {
  const [sm] = Object.values(resources('AWS::StepFunctions::StateMachine'));
  if (!sm) throw new Error('no state machine in the template');
  const parts = ((sm.Properties.DefinitionString as Json)['Fn::Join'] as [string, unknown[]])[1];
  const text = parts
    .map((p) => (typeof p === 'string' ? p : JSON.stringify(p).replace(/[^A-Za-z0-9]/g, '')))
    .join('');
  return JSON.parse(text);
}

describe('Stack: EventBridge trigger', () => {
  it('should start the state machine on ALARM and on OK for own, named and prefixed alarms', () => {
    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.cloudwatch'],
        'detail-type': ['CloudWatch Alarm State Change'],
        detail: {
          state: { value: ['ALARM', 'OK'] },
          alarmName: Match.arrayWith([
            'cascade-analyzer-checkout-fault-rate',
            'cascade-analyzer-checkout-p99',
            'cascade-analyzer-payments-fault-rate',
            'cascade-analyzer-payments-p99',
            'legacy-orders-5xx',
            { prefix: 'team-a-' },
          ]),
        },
      },
      Targets: [
        Match.objectLike({
          Arn: { Ref: Match.stringLikeRegexp('WorkflowStateMachine') },
          DeadLetterConfig: { Arn: Match.anyValue() },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
        }),
      ],
    });
  });
});

describe('Stack: execution watch', () => {
  it('should send executions that end FAILED, TIMED_OUT or ABORTED to ExecutionWatch, with a DLQ both ways', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.states'],
        'detail-type': ['Step Functions Execution Status Change'],
        detail: {
          status: ['FAILED', 'TIMED_OUT', 'ABORTED'],
          stateMachineArn: [{ Ref: Match.stringLikeRegexp('WorkflowStateMachine') }],
        },
      },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^ExecutionWatchFunction'), 'Arn'] },
          DeadLetterConfig: { Arn: Match.anyValue() },
          RetryPolicy: { MaximumRetryAttempts: 8, MaximumEventAgeInSeconds: 7200 },
        }),
      ],
    });
    const watch = Object.entries(resources('AWS::Lambda::Function')).find(([id]) =>
      id.startsWith('ExecutionWatch'),
    );
    expect(watch?.[1].Properties.DeadLetterConfig).toEqual({ TargetArn: expect.anything() });
  });
});

describe('Stack: outbox sweeper', () => {
  const sweeper = () => {
    const found = Object.entries(resources('AWS::Lambda::Function')).find(([id]) =>
      id.startsWith('SweepOutbox'),
    );
    if (found === undefined) throw new Error('no SweepOutbox function in the template');
    return found;
  };

  it('should invoke SweepOutbox every 5 minutes, a late tick dropped rather than stacked', () => {
    // Assess
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SweepOutboxFunction'), 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 300 },
        }),
      ],
    });
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      FunctionName: { 'Fn::GetAtt': [sweeper()[0], 'Arn'] },
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OutboxSweeperRule'), 'Arn'] },
    });
  });

  it('should finish a sweep within the claim lease, so a live sweep never loses its claims', () => {
    // Assess
    expect(sweeper()[1].Properties.Timeout).toBeLessThan(CLAIM_LEASE_MS / 1000);
  });

  it('should let SweepOutbox read and write the incidents, read its index and findings, publish to the topic and read the paging secrets only', () => {
    // Prepare
    const st = Object.entries(resources('AWS::IAM::Policy'))
      .filter(([id]) => id.startsWith('SweepOutboxRole'))
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Json[] }).Statement);

    // Assess
    expect(st).toContainEqual(
      expect.objectContaining({
        Action: [
          'dynamodb:GetItem',
          'dynamodb:BatchGetItem',
          'dynamodb:PutItem',
          'dynamodb:ConditionCheckItem',
          'dynamodb:UpdateItem',
        ],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^FindingsTable/), 'Arn'] },
      }),
    );
    const query = st.find((x) => x.Action === 'dynamodb:Query') as { Resource: Json } | undefined;
    expect(JSON.stringify(query?.Resource)).toContain('/index/sweep"');
    expect(st).toContainEqual(
      expect.objectContaining({
        Action: 'sns:Publish',
        Resource: { Ref: expect.stringMatching(/^NotificationsTopic/) },
      }),
    );
    expect(st).toContainEqual(
      expect.objectContaining({
        Action: ['kms:GenerateDataKey', 'kms:Decrypt'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^NotificationsKey/), 'Arn'] },
      }),
    );
    const actions = st.flatMap((x) => x.Action).map(String);
    expect(actions.filter((a) => !/^(logs|xray):/.test(a)).sort()).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'kms:Decrypt',
      'kms:GenerateDataKey',
      'secretsmanager:GetSecretValue',
      'sns:Publish',
    ]);
  });

  it('should alarm on its own errors, to the topic', () => {
    // Assess
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmDescription: Match.stringLikeRegexp('^sweep-outbox Lambda of cascade-analyzer'),
      Dimensions: [{ Name: 'FunctionName', Value: { Ref: sweeper()[0] } }],
      AlarmActions: [{ Ref: Match.stringLikeRegexp('NotificationsTopic') }],
    });
  });
});

describe('Stack: workflow', () => {
  it('should run the steps of DESIGN.md in order and end in Done', () => {
    // Act
    const def = definition();
    // Assess: alarms back to OK go their own way, everything else is an analysis.
    expect(def.StartAt).toBe('Route');
    const route = def.States.Route as { Choices: Json[]; Default: string };
    expect(route.Default).toBe('Prepare');
    expect(route.Choices).toEqual([
      {
        And: [
          { Variable: '$.detail.state.value', IsPresent: true },
          { Variable: '$.detail.state.value', StringEquals: 'OK' },
        ],
        Next: 'ResolveAlarm',
      },
    ]);
    expect(def.States.ResolveAlarm?.Next).toBe('NotifyResolution');
    expect(def.States.NotifyResolution?.Next).toBe('Resolved');
    const order: string[] = [];
    let cur: string | undefined = route.Default;
    while (cur && def.States[cur]?.Next) {
      order.push(cur);
      cur = def.States[cur]?.Next as string;
    }
    expect(order).toEqual([...STEP_NAMES]);
    expect(def.States.Notify?.Next).toBe('Done');
  });

  it('should retry throttling with backoff and full jitter and catch every error into RecordFailure', () => {
    const def = definition();
    for (const name of STEP_NAMES.filter((n) => !OPTIONAL_STEPS.includes(n))) {
      const state = def.States[name] as { Retry: Json[]; Catch: Json[]; TimeoutSeconds?: number };
      expect(state.Retry[0]).toMatchObject({
        ErrorEquals: expect.arrayContaining(['Lambda.TooManyRequestsException', 'ThrottledException']),
        BackoffRate: 2,
        JitterStrategy: 'FULL',
        MaxAttempts: 5,
      });
      expect(state.Catch).toEqual([
        { ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'RecordFailure' },
      ]);
      expect(state.TimeoutSeconds).toBeGreaterThan(0);
    }
    expect(def.States.RecordFailure?.Next).toBe('Failed');
    expect(def.States.Failed?.Type).toBe('Fail');
  });

  it('should give the execution a timeout covering every task timeout and its retries', () => {
    // Prepare
    const def = definition();
    const path = [...STEP_NAMES, 'RecordFailure'];
    const worst = path.reduce((sum, name) => {
      const st = def.States[name] as {
        TimeoutSeconds: number;
        Retry: {
          MaxAttempts: number;
          IntervalSeconds: number;
          BackoffRate: number;
          MaxDelaySeconds: number;
        }[];
      };
      let attempts = 1;
      let waits = 0;
      for (const r of st.Retry) {
        attempts += r.MaxAttempts;
        for (let i = 0; i < r.MaxAttempts; i++)
          waits += Math.min(r.MaxDelaySeconds, r.IntervalSeconds * r.BackoffRate ** i);
      }
      return sum + st.TimeoutSeconds * attempts + waits;
    }, 0);

    // Assess: every Task state has its timeout in TASK_TIMEOUTS (CollectEvidence too), and the
    // execution outlasts the worst path through them.
    const tasks = Object.entries(def.States)
      .filter(([, st]) => (st as { Type?: string }).Type === 'Task')
      .map(([name]) => name);
    expect(tasks).toContain('CollectEvidence');
    for (const name of tasks) {
      expect(TASK_TIMEOUTS[name], name).toBeDefined();
      expect((def.States[name] as { TimeoutSeconds: number }).TimeoutSeconds, name).toBe(TASK_TIMEOUTS[name]);
    }
    expect(def.TimeoutSeconds).toBeGreaterThanOrEqual(worst);
  });

  it('should hand RecordFailure the execution id, so that its retries keep their claim on a message', () => {
    expect((definition().States.RecordFailure as { Parameters: Json }).Parameters).toEqual({
      'input.$': '$',
      'error.$': '$.error',
      'executionId.$': '$$.Execution.Id',
    });
  });

  it('should go on with the graph alone when CollectEvidence fails, the error kept aside', () => {
    // Act
    const state = definition().States.CollectEvidence as { Catch: Json[]; Retry: Json[]; Next: string };
    // Assess
    expect(state.Next).toBe('Enrich');
    expect(state.Catch).toEqual([
      { ErrorEquals: ['States.ALL'], ResultPath: '$.evidenceError', Next: 'Enrich' },
    ]);
    expect(state.Retry[0]).toMatchObject({ JitterStrategy: 'FULL', MaxAttempts: 5 });
  });

  it('should be a traced Standard state machine logging every event', () => {
    template.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL' }),
    });
  });
});

describe('Stack: findings table', () => {
  it('should key findings by analysis id, index them by service and time, expire and back them up', () => {
    template.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      BillingMode: 'PAY_PER_REQUEST',
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      GlobalSecondaryIndexes: [
        Match.objectLike({
          IndexName: 'byService',
          KeySchema: [
            { AttributeName: 'service', KeyType: 'HASH' },
            { AttributeName: 'at', KeyType: 'RANGE' },
          ],
        }),
        Match.objectLike({
          IndexName: 'incidentsByService',
          KeySchema: [
            { AttributeName: 'incidentService', KeyType: 'HASH' },
            { AttributeName: 'incidentAt', KeyType: 'RANGE' },
          ],
          Projection: Match.objectLike({ ProjectionType: 'INCLUDE' }),
        }),
        Match.objectLike({
          IndexName: 'sweep',
          KeySchema: [
            { AttributeName: 'sweepKind', KeyType: 'HASH' },
            { AttributeName: 'sweepAt', KeyType: 'RANGE' },
          ],
          Projection: Match.objectLike({ ProjectionType: 'INCLUDE' }),
        }),
        Match.objectLike({
          IndexName: 'history',
          KeySchema: [
            { AttributeName: 'historyKey', KeyType: 'HASH' },
            { AttributeName: 'historyAt', KeyType: 'RANGE' },
          ],
          Projection: Match.objectLike({ ProjectionType: 'INCLUDE' }),
        }),
      ],
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
      SSESpecification: { SSEEnabled: true },
    });
  });
});

describe('Stack: API', () => {
  it('should require IAM auth on every method', () => {
    const methods = Object.values(resources('AWS::ApiGateway::Method'));
    expect(methods.length).toBe(10);
    for (const m of methods) expect(m.Properties.AuthorizationType).toBe('AWS_IAM');
  });

  it('should expose the routes: analyses, one analysis, its report, incidents, one incident, its postmortem, feedback, accuracy', () => {
    const paths = Object.values(resources('AWS::ApiGateway::Resource')).map((r) => r.Properties.PathPart);
    expect(paths.sort()).toEqual([
      'accuracy',
      'analyses',
      'feedback',
      'findings',
      'incidents',
      'postmortem',
      'report',
      '{id}',
      '{id}',
      '{id}',
    ]);
    const verbs = Object.values(resources('AWS::ApiGateway::Method')).map((m) => m.Properties.HttpMethod);
    expect(verbs.sort()).toEqual(['GET', 'GET', 'GET', 'GET', 'GET', 'GET', 'GET', 'GET', 'POST', 'POST']);
  });

  it('should check a verdict body before it reaches the function (issue 21)', () => {
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      Schema: Match.objectLike({
        required: ['verdict'],
        additionalProperties: false,
        properties: Match.objectLike({
          verdict: { type: 'string', enum: ['right', 'wrong', 'partly'] },
          actual: { type: 'string', minLength: 1, maxLength: 200 },
        }),
      }),
    });
  });

  it('should cap the API function with reserved concurrency, and no step function', () => {
    const fns = Object.entries(resources('AWS::Lambda::Function'));
    const capped = fns.filter(([, f]) => f.Properties.ReservedConcurrentExecutions !== undefined);
    expect(capped.map(([id]) => id)).toEqual([expect.stringMatching(/^ApiHandler/)]);
    expect(capped[0]?.[1].Properties.ReservedConcurrentExecutions).toBe(5);
  });

  it('should validate requests: the body of POST and the required service of the list', () => {
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      RequestValidatorId: Match.anyValue(),
      RequestModels: { 'application/json': Match.anyValue() },
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'GET',
      RequestParameters: Match.objectLike({ 'method.request.querystring.service': true }),
    });
  });

  it('should throttle, trace and write access logs', () => {
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      TracingEnabled: true,
      AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
      MethodSettings: [Match.objectLike({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 })],
    });
  });
});

describe('Stack: IAM', () => {
  const statementsOf = (rolePrefix: string) =>
    Object.entries(resources('AWS::IAM::Policy'))
      .filter(([id]) => id.startsWith(rolePrefix))
      .flatMap(([, p]) => (p.Properties.PolicyDocument as { Statement: Json[] }).Statement);

  it('should use no wildcard actions anywhere', () => {
    for (const p of Object.values(resources('AWS::IAM::Policy'))) {
      for (const s of (p.Properties.PolicyDocument as { Statement: { Action: string | string[] }[] })
        .Statement) {
        for (const a of [s.Action].flat()) expect(a, `action ${a}`).not.toContain('*');
      }
    }
  });

  it('should let CollectGraph read the service graph and write snapshots only', () => {
    const st = statementsOf('CollectGraphRole');
    expect(st).toContainEqual(
      expect.objectContaining({ Action: 'xray:GetServiceGraph', Effect: 'Allow', Resource: '*' }),
    );
    expect(st).toContainEqual(
      expect.objectContaining({
        Action: 's3:PutObject',
        Resource: {
          'Fn::Join': [
            '',
            [{ 'Fn::GetAtt': [expect.stringMatching(/^SnapshotsBucket/), 'Arn'] }, '/snapshots/*'],
          ],
        },
      }),
    );
    expect(st.flatMap((s) => s.Action)).not.toContain('dynamodb:PutItem');
  });

  it('should let CollectEvidence read traces and CloudTrail events and write evidence only', () => {
    const st = statementsOf('CollectEvidenceRole');
    expect(st).toContainEqual(
      expect.objectContaining({
        Action: ['xray:GetTraceSummaries', 'xray:BatchGetTraces'],
        Effect: 'Allow',
        Resource: '*',
      }),
    );
    expect(st).toContainEqual(
      expect.objectContaining({ Action: 'cloudtrail:LookupEvents', Effect: 'Allow', Resource: '*' }),
    );
    expect(st).toContainEqual(
      expect.objectContaining({
        Action: 's3:PutObject',
        Resource: {
          'Fn::Join': [
            '',
            [{ 'Fn::GetAtt': [expect.stringMatching(/^SnapshotsBucket/), 'Arn'] }, '/evidence/*'],
          ],
        },
      }),
    );
    const actions = st.flatMap((s) => s.Action);
    expect(actions.filter((a) => String(a).startsWith('cloudtrail:'))).toEqual(['cloudtrail:LookupEvents']);
    expect(actions).not.toContain('s3:GetObject');
    expect(actions).not.toContain('xray:GetServiceGraph');
  });

  it('should let Analyze read snapshots and evidence', () => {
    const st = statementsOf('AnalyzeRole');
    const get = st.find((s) => s.Action === 's3:GetObject') as { Resource: unknown[] } | undefined;
    expect(JSON.stringify(get?.Resource)).toContain('/evidence/*');
    expect(JSON.stringify(get?.Resource)).toContain('/snapshots/*');
  });

  it('should let Store put and read back items of the findings table and nothing else in DynamoDB', () => {
    const st = statementsOf('StoreRole');
    expect(st).toContainEqual(
      expect.objectContaining({
        Action: ['dynamodb:PutItem', 'dynamodb:GetItem'],
        Resource: { 'Fn::GetAtt': [expect.stringMatching(/^FindingsTable/), 'Arn'] },
      }),
    );
    // "Seen before" (issue 21): past findings through the byService and history indexes, and their
    // verdict records and incidents in one batch read.
    expect(st).toContainEqual(
      expect.objectContaining({
        Action: 'dynamodb:Query',
        Resource: [
          expect.objectContaining({
            'Fn::Join': expect.arrayContaining([expect.arrayContaining(['/index/byService'])]),
          }),
          expect.objectContaining({
            'Fn::Join': expect.arrayContaining([expect.arrayContaining(['/index/history'])]),
          }),
        ],
      }),
    );
    expect(st.flatMap((s) => s.Action).filter((a) => String(a).startsWith('dynamodb:'))).toEqual([
      'dynamodb:PutItem',
      'dynamodb:GetItem',
      'dynamodb:BatchGetItem',
      'dynamodb:Query',
    ]);
  });

  it('should let the incident steps read and conditionally write the findings table, and nothing else in DynamoDB', () => {
    // Consistent reads of the incidents a change involves, then one transaction of conditional puts
    // and condition checks; and the finding a message reports (GetItem; ResolveAlarm sends none).
    const store = ['dynamodb:BatchGetItem', 'dynamodb:PutItem', 'dynamodb:ConditionCheckItem'];
    const expected: Record<string, string[]> = {
      CorrelateRole: ['dynamodb:GetItem', ...store],
      ResolveAlarmRole: store,
      // Notify also sets the outbox flag of findings no alarm started.
      NotifyRole: ['dynamodb:GetItem', ...store, 'dynamodb:UpdateItem'],
    };
    for (const [role, actions] of Object.entries(expected)) {
      const st = statementsOf(role);
      expect(st, role).toContainEqual(
        expect.objectContaining({
          Action: role === 'ResolveAlarmRole' ? store : ['dynamodb:GetItem', ...store],
          Resource: { 'Fn::GetAtt': [expect.stringMatching(/^FindingsTable/), 'Arn'] },
        }),
      );
      expect(
        st.flatMap((x) => x.Action).filter((a) => String(a).startsWith('dynamodb:')),
        role,
      ).toEqual(actions);
    }
    expect(statementsOf('ResolveAlarmRole').flatMap((x) => x.Action)).not.toContain('sns:Publish');
    expect(statementsOf('CorrelateRole').flatMap((x) => x.Action)).not.toContain('sns:Publish');
  });

  it('should let the API start executions of this state machine only and query the index', () => {
    const st = statementsOf('ApiHandlerRole');
    expect(st).toContainEqual(
      expect.objectContaining({
        Action: 'states:StartExecution',
        Resource: { Ref: expect.stringMatching(/^WorkflowStateMachine/) },
      }),
    );
    const query = st.find((x) => x.Action === 'dynamodb:Query') as { Resource: Json[] } | undefined;
    expect(JSON.stringify(query?.Resource)).toContain('/index/byService');
    expect(JSON.stringify(query?.Resource)).toContain('/index/incidentsByService');
    expect(JSON.stringify(query?.Resource)).toContain('/index/history');
    // Its one write: verdict records (issue 21), and no other key of the table.
    const puts = st.filter((s) => JSON.stringify(s.Action).includes('dynamodb:PutItem'));
    expect(puts).toEqual([
      expect.objectContaining({
        Action: 'dynamodb:PutItem',
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['FEEDBACK#*'] } },
      }),
    ]);
  });
});

describe('Stack: live accuracy (issue 21)', () => {
  it('should chart the verdict metrics the API emits, with precision at 1 and 3 over time', () => {
    // The names lib/ declares are the names the handler emits (lib/ does not import Lambda code).
    expect(VERDICT_METRICS).toMatchObject(API_VERDICT_METRICS);
    // The analyzer's own dashboard (the incident dashboard is the other one).
    const body = Object.values(resources('AWS::CloudWatch::Dashboard'))
      .map((d) => JSON.stringify(d.Properties.DashboardBody))
      .find((b) => b.includes('precision at 1'));
    expect(body).toBeDefined();
    for (const name of Object.values(API_VERDICT_METRICS)) expect(body).toContain(name);
    expect(body).toContain('precision at 1');
    expect(body).toContain('precision at 3');
    expect(body).toContain('CascadeAnalyzer');
  });
});

describe('Stack: functions, topic, alarms', () => {
  it('should run every function on Node 22, ARM, traced, bundled as ESM', () => {
    const fns = Object.values(resources('AWS::Lambda::Function'));
    expect(fns.length).toBe(Object.keys(stack.analyzer.functions).length);
    for (const f of fns) {
      expect(f.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        Handler: 'index.handler',
      });
    }
  });

  it('should give the API function Graphviz as a layer and tell it where the module is', () => {
    template.hasResourceProperties('AWS::Lambda::LayerVersion', { CompatibleRuntimes: ['nodejs22.x'] });
    template.hasResourceProperties('AWS::Lambda::Function', {
      Layers: [{ Ref: Match.stringLikeRegexp('^GraphvizLayer') }],
      Environment: {
        Variables: Match.objectLike({
          CASCADE_GRAPHVIZ_MODULE: '/opt/nodejs/node_modules/@viz-js/viz/dist/viz.js',
        }),
      },
    });
  });

  it('should encrypt the topic and refuse non-TLS publishing', () => {
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'oncall@example.com',
    });
  });

  it('should watch each service through X-Ray groups and alarm on the fault share', () => {
    template.hasResourceProperties('AWS::XRay::Group', {
      GroupName: 'ca-payments-faults',
      FilterExpression: 'service("payments") AND fault = true',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmName: 'cascade-analyzer-payments-fault-rate',
      Threshold: 2,
      ComparisonOperator: 'GreaterThanThreshold',
      Metrics: Match.arrayWith([
        Match.objectLike({
          Id: 'part',
          MetricStat: Match.objectLike({
            Metric: Match.objectLike({
              Namespace: 'AWS/X-Ray',
              MetricName: 'ApproximateTraceCount',
              Dimensions: [{ Name: 'GroupName', Value: 'ca-payments-faults' }],
            }),
          }),
        }),
      ]),
    });
  });

  it('should alarm on its own failures: failed executions, undelivered events, API 5xx, each Lambda', () => {
    const alarms = Object.values(resources('AWS::CloudWatch::Alarm'));
    const own = alarms.filter((a) => !String(a.Properties.AlarmName ?? '').startsWith('cascade-analyzer-'));
    expect(own.length).toBe(4 + Object.keys(stack.analyzer.functions).length);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ExecutionsFailed',
      Namespace: 'AWS/States',
      AlarmActions: [{ Ref: Match.stringLikeRegexp('NotificationsTopic') }],
    });
  });

  it("should alarm on this stack's API 5xx only: the API is named after the stack, and the alarm reads that name", () => {
    // Prepare
    const [api] = Object.values(resources('AWS::ApiGateway::RestApi'));
    const apiName = api?.Properties.Name;

    // Assess
    expect(apiName).toBe(`${stack.stackName}-api`);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: '5XXError',
      Namespace: 'AWS/ApiGateway',
      Dimensions: [{ Name: 'ApiName', Value: apiName }],
    });
  });
});

describe('Stack: Analyze function sizing', () => {
  it('should give Analyze the memory lib/sizing.ts derives from the measured 10k peak', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: 'Runs the cascade analysis on the graph snapshot',
      MemorySize: ANALYZE_MEMORY_MB,
    });
  });
});

describe('Stack: incident dashboard', () => {
  /** The dashboard body with each Fn::GetAtt written as `<logicalId>.<attribute>`. */
  const board = (name: string) => {
    const found = Object.values(resources('AWS::CloudWatch::Dashboard')).find(
      (d) => d.Properties.DashboardName === name,
    );
    if (found === undefined) throw new Error(`no dashboard ${name}`);
    const [, parts] = (found.Properties.DashboardBody as { 'Fn::Join': [string, unknown[]] })['Fn::Join'];
    const text = parts
      .map((p) =>
        typeof p === 'string' ? p : ((p as { 'Fn::GetAtt': string[] })['Fn::GetAtt'] ?? []).join('.'),
      )
      .join('');
    return JSON.parse(text) as {
      widgets: { type: string; properties: Record<string, unknown> }[];
      variables: Record<string, unknown>[];
    };
  };

  it('should draw the incidents with a custom widget calling the widget function, chosen by a pattern variable', () => {
    // Prepare
    const [widgetId] = Object.keys(resources('AWS::Lambda::Function')).filter((id) =>
      id.startsWith('IncidentConsoleFunction'),
    );
    // Act
    const body = board(`${stack.stackName}-incidents`);
    // Assess
    const custom = body.widgets.find((w) => w.type === 'custom');
    expect(custom?.properties).toMatchObject({
      endpoint: `${widgetId}.Arn`,
      params: { incident: 'open-incidents' },
      updateOn: { refresh: true, resize: false, timeRange: false },
    });
    expect(body.variables).toEqual([
      expect.objectContaining({
        type: 'pattern',
        pattern: 'open-incidents',
        inputType: 'input',
        id: 'incident',
        defaultValue: 'open-incidents',
        visible: true,
      }),
    ]);
  });

  it('should tell every function that sends incident messages where the dashboard is', () => {
    // Assess
    for (const id of ['Notify', 'RecordFailure', 'ExecutionWatch', 'SweepOutbox', 'IncidentConsole']) {
      const [fn] = Object.entries(resources('AWS::Lambda::Function')).filter(([k]) =>
        k.startsWith(`${id}Function`),
      );
      if (fn === undefined) throw new Error(`no function ${id}`);
      const env = (fn[1].Properties.Environment as { Variables: Record<string, unknown> }).Variables;
      expect(env.INCIDENT_DASHBOARD, id).toBe(`${stack.stackName}-incidents`);
    }
  });
});
