// Every call granted, nothing more: the AWS calls each function can make, derived from its deployed
// bundle (the SDK commands it takes), against what its role, the KMS key policies and the topic
// policies allow. Pure over the template and the bundles' text, so that a test can also run it on a
// template it broke on purpose.

import { type CfnTemplate, type Json, referencedIds } from '../../lambdas/local/cloud-assembly.ts';

/** IAM's prefix per SDK client package; a package missing here fails the check until added. */
const IAM_PREFIX: Readonly<Record<string, string>> = {
  'client-s3': 's3',
  'client-dynamodb': 'dynamodb',
  'client-sns': 'sns',
  'client-xray': 'xray',
  'client-cloudwatch': 'cloudwatch',
  'client-sfn': 'states',
  'client-sqs': 'sqs',
  'client-cloudtrail': 'cloudtrail',
  'client-secrets-manager': 'secretsmanager',
};

/** The environment variable that names the resource each service's calls go to; `*`: no resource-level permissions. */
const TARGET_VARIABLE: Readonly<Record<string, string>> = {
  s3: 'SNAPSHOT_BUCKET',
  dynamodb: 'FINDINGS_TABLE',
  sns: 'TOPIC_ARN',
  states: 'STATE_MACHINE_ARN',
  xray: '*',
  cloudwatch: '*',
  cloudtrail: '*',
  // The paging secrets: every secret PAGING names (lib/constructs/paging.ts), as `secret:<name>`.
  secretsmanager: 'PAGING',
};

/**
 * The snapshot bucket's key prefixes each function's S3 calls touch, by the function's construct id.
 * Declared, not derived: the keys travel in the workflow's state (CollectGraph's `snapshotKey`,
 * CollectEvidence's `evidenceKey`, Analyze's `findingKey`), so a bundle does not show which prefix
 * a GetObject reads. An S3 call of a function missing here is a problem until it is added.
 */
const S3_PREFIXES: Readonly<Record<string, Readonly<Record<string, readonly string[]>>>> = {
  CollectGraph: { 's3:PutObject': ['snapshots'] },
  CollectEvidence: { 's3:PutObject': ['evidence'] },
  Analyze: { 's3:GetObject': ['snapshots', 'evidence'], 's3:PutObject': ['findings'] },
  Store: { 's3:GetObject': ['findings'], 's3:PutObject': ['findings'] },
  Notify: { 's3:GetObject': ['findings'] },
  Correlate: { 's3:GetObject': ['snapshots', 'findings'] },
};

/**
 * SDK calls IAM authorizes as other actions: a DynamoDB transaction is authorized action by action
 * ("Using IAM with DynamoDB transactions", AWS docs). The incidents writer's transactions put items
 * and check conditions only (lambdas/adapters/incidents-writer.ts).
 */
const ACTIONS_OF_CALL: Readonly<Record<string, readonly string[]>> = {
  'dynamodb:TransactWriteItems': ['dynamodb:PutItem', 'dynamodb:ConditionCheckItem'],
};

/** What the Step Functions service needs for a state machine's logging and tracing (AWS docs). */
const STATE_MACHINE_LOG_ACTIONS = [
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
];
const STATE_MACHINE_TRACE_ACTIONS = [
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
];

/** One call a principal makes: an IAM action on a resource of the template (`*`: no resource). */
export interface Call {
  readonly action: string;
  readonly target: string;
  /** Why the call is made, for messages. */
  readonly because: string;
}

interface Grant {
  readonly actions: readonly string[];
  /** Logical ids the statement's resources name; `*` for the wildcard resource. */
  readonly targets: ReadonlySet<string>;
}

type Resources = CfnTemplate['Resources'];

/**
 * What a bundle takes from the AWS SDK: `import {…} from "@aws-sdk/x"`, or, as the adapters load it
 * (lambdas/adapters/aws-sdk.ts), `{GetObjectCommand: a, …} = f("@aws-sdk/x")`.
 */
const SDK_USES = [
  /import\s*\{([^}]*)\}\s*from\s*["']@aws-sdk\/([a-z0-9-]+)["']/g,
  /\{([^{}]*)\}\s*=\s*[\w$]+\(\s*["']@aws-sdk\/([a-z0-9-]+)["']\s*\)/g,
];

/** The SDK commands a bundle takes, as IAM actions: `s3:GetObject` for GetObjectCommand. */
export function sdkCalls(bundle: string): { action: string; pkg: string; command: string }[] {
  const calls: { action: string; pkg: string; command: string }[] = [];
  for (const m of SDK_USES.flatMap((re) => [...bundle.matchAll(re)])) {
    const pkg = m[2] as string;
    for (const spec of (m[1] as string).split(',')) {
      const name = spec.trim().split(/\s+as\s+|\s*:\s*/)[0] ?? '';
      if (!name.endsWith('Command')) continue;
      const prefix = IAM_PREFIX[pkg];
      if (prefix === undefined)
        throw new Error(`no IAM prefix known for @aws-sdk/${pkg}: add it to IAM_PREFIX`);
      const action = `${prefix}:${name.slice(0, -'Command'.length)}`;
      for (const a of ACTIONS_OF_CALL[action] ?? [action])
        calls.push({ action: a, pkg: `@aws-sdk/${pkg}`, command: name });
    }
  }
  return calls;
}

const asList = (v: Json): Json[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

function grantsOf(statements: readonly Json[], all: Resources): Grant[] {
  return statements
    .map((s) => s as Record<string, Json>)
    .filter((s) => s.Effect === 'Allow')
    .map((s) => {
      const resources = asList(s.Resource);
      const targets = new Set<string>(resources.includes('*') ? ['*'] : []);
      for (const r of resources) for (const t of resourceTargets(r, all)) targets.add(t);
      return { actions: asList(s.Action).map(String), targets };
    });
}

/**
 * The template resources a statement's resource names: logical ids, and for objects of a bucket
 * (`arnForObjects('evidence/*')`, a join ending in `/evidence/*`) the bucket's id with that suffix.
 */
function resourceTargets(resource: Json, all: Resources): string[] {
  const secret = secretTarget(resource);
  if (secret !== undefined) return [secret];
  const ids = [...referencedIds(resource)];
  const join = (resource as { 'Fn::Join'?: [string, Json[]] } | null)?.['Fn::Join'];
  const last = join?.[1]?.at(-1);
  const [id] = ids;
  if (ids.length === 1 && id !== undefined && all[id]?.Type === 'AWS::S3::Bucket' && typeof last === 'string')
    return [`${id}${last}`];
  return ids;
}

/**
 * A Secrets Manager secret as `secret:<name>`, from an ARN or an ARN pattern (`…:secret:name-??????`,
 * built with the partition, region and account of the stack), or from the name itself; undefined
 * for anything else.
 */
function secretTarget(resource: Json): string | undefined {
  const text =
    typeof resource === 'string'
      ? resource
      : (() => {
          const join = (resource as { 'Fn::Join'?: [string, Json[]] } | null)?.['Fn::Join'];
          return join?.[1]?.map((p) => (typeof p === 'string' ? p : '(ref)')).join(join[0]);
        })();
  const m =
    text === undefined
      ? null
      : /:secretsmanager:[^:]*:[^:]*:secret:(.+?)(?:-\?{6}|-[A-Za-z0-9]{6})$/.exec(text);
  return m === null ? undefined : `secret:${m[1]}`;
}

/** The secrets a PAGING value names, as `secret:<name>`: what a sending function may read. */
function pagingSecrets(value: Json): string[] {
  if (typeof value !== 'string') return [];
  const p = JSON.parse(value) as {
    pagerDuty?: { routingKeySecret?: string; services?: Record<string, string> };
    webhook?: { secret?: string };
  };
  const ids = [
    p.pagerDuty?.routingKeySecret,
    ...Object.values(p.pagerDuty?.services ?? {}),
    p.webhook?.secret,
  ].filter((s): s is string => s !== undefined);
  return [...new Set(ids.map((id) => (id.startsWith('arn:') ? (secretTarget(id) ?? id) : `secret:${id}`)))];
}

/** IAM action matching: `kms:GenerateDataKey*` covers `kms:GenerateDataKey`; case-insensitive. */
function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`, 'i');
  return re.test(action);
}

/** The identity-policy statements attached to each role (AWS::IAM::Policy and inline policies). */
function roleStatements(resources: Resources): Map<string, Json[]> {
  const byRole = new Map<string, Json[]>();
  const add = (role: string, statements: Json) => {
    byRole.set(role, [...(byRole.get(role) ?? []), ...asList(statements)]);
  };
  for (const [id, r] of Object.entries(resources)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::IAM::Policy') {
      for (const role of asList(p.Roles)) {
        const roleId = (role as { Ref?: Json }).Ref;
        if (typeof roleId === 'string') add(roleId, (p.PolicyDocument as { Statement?: Json })?.Statement);
      }
    }
    if (r.Type === 'AWS::IAM::Role') {
      add(id, []);
      for (const inline of asList(p.Policies)) {
        add(id, (inline as { PolicyDocument?: { Statement?: Json } }).PolicyDocument?.Statement);
      }
    }
  }
  return byRole;
}

/**
 * Compares what a principal needs with what it is granted: a needed call no statement allows, and
 * a granted action on a resource no call needs, are each one problem.
 */
function compare(who: string, calls: readonly Call[], grants: readonly Grant[]): string[] {
  const problems: string[] = [];
  for (const c of calls) {
    const ok = grants.some(
      (g) => g.actions.some((a) => actionMatches(a, c.action)) && g.targets.has(c.target),
    );
    if (!ok) problems.push(`${who}: ${c.action} on ${c.target} is not allowed (${c.because})`);
  }
  for (const g of grants) {
    for (const a of g.actions) {
      for (const t of g.targets) {
        const used = calls.some((c) => actionMatches(a, c.action) && c.target === t);
        if (!used) problems.push(`${who}: grants ${a} on ${t}, which no call uses`);
      }
    }
  }
  return problems;
}

function refOrArnTarget(value: Json): string | undefined {
  const ids = [...referencedIds(value)];
  return ids.length === 1 ? ids[0] : undefined;
}

/** The calls a Lambda function makes: its SDK commands, its logs, its traces, and KMS for encrypted topics. */
function functionCalls(id: string, resources: Resources, bundle: string): Call[] {
  const p = resources[id]?.Properties ?? {};
  const env = ((p.Environment as { Variables?: Record<string, Json> } | undefined)?.Variables ??
    {}) as Record<string, Json>;
  const calls: Call[] = [];
  for (const { action, pkg, command } of sdkCalls(bundle)) {
    const prefix = action.split(':')[0] as string;
    const variable = TARGET_VARIABLE[prefix];
    if (variable === undefined) throw new Error(`${id}: no target variable known for ${prefix} calls`);
    if (prefix === 'secretsmanager') {
      // Paging builds its secrets client only with PAGING set: without it, the function reads no secret.
      for (const secret of pagingSecrets(env[variable]))
        calls.push({ action, target: secret, because: `its bundle sends ${command} for PAGING` });
      continue;
    }
    const target = variable === '*' ? '*' : refOrArnTarget(env[variable]);
    if (target === undefined) {
      calls.push({ action, target: `(${variable} unset)`, because: `its bundle imports ${pkg}` });
      continue;
    }
    const because = `its bundle sends ${command}`;
    if (prefix === 's3') {
      const construct = Object.keys(S3_PREFIXES).find((c) =>
        new RegExp(`^${c}Function[0-9A-F]{8}$`).test(id),
      );
      const prefixes = construct === undefined ? undefined : S3_PREFIXES[construct]?.[action];
      if (prefixes === undefined) throw new Error(`${id}: no S3 key prefixes declared for ${action}`);
      for (const p of prefixes) calls.push({ action, target: `${target}/${p}/*`, because });
      continue;
    }
    calls.push({ action, target, because });
    const key = resources[target]?.Properties?.KmsMasterKeyId;
    if (action === 'sns:Publish' && key !== undefined) {
      const keyId = refOrArnTarget(key) ?? '(key)';
      for (const k of ['kms:GenerateDataKey', 'kms:Decrypt'])
        calls.push({
          action: k,
          target: keyId,
          because: `it publishes to the KMS-encrypted topic ${target}`,
        });
    }
  }
  // An asynchronously invoked function (ExecutionWatch) hands Lambda the events it could not handle.
  const dlq = refOrArnTarget((p.DeadLetterConfig as { TargetArn?: Json } | undefined)?.TargetArn);
  if (dlq !== undefined)
    calls.push({ action: 'sqs:SendMessage', target: dlq, because: 'its dead-letter queue' });
  if ((p.TracingConfig as { Mode?: Json } | undefined)?.Mode === 'Active') {
    for (const a of ['xray:PutTraceSegments', 'xray:PutTelemetryRecords'])
      calls.push({ action: a, target: '*', because: 'active tracing' });
  }
  const logGroup = refOrArnTarget((p.LoggingConfig as { LogGroup?: Json } | undefined)?.LogGroup);
  if (logGroup !== undefined) {
    for (const a of ['logs:CreateLogStream', 'logs:PutLogEvents'])
      calls.push({ action: a, target: logGroup, because: 'its log group' });
  }
  return calls;
}

/** Lambda functions whose Task states a state machine's definition names. */
function taskFunctions(definition: Json, resources: Resources): string[] {
  return [...referencedIds(definition)].filter((id) => resources[id]?.Type === 'AWS::Lambda::Function');
}

function roleOf(value: Json): string | undefined {
  return refOrArnTarget(value);
}

/** Service principals of a resource policy statement. */
function services(statement: Record<string, Json>): string[] {
  const principal = statement.Principal as { Service?: Json } | undefined;
  return asList(principal?.Service).map(String);
}

/**
 * Every problem with the stack's permissions; empty when each principal is allowed exactly the
 * calls it makes. `bundleOf` gives the deployed code of a function (undefined: not one of ours).
 */
export function checkPermissions(
  template: CfnTemplate,
  bundleOf: (functionLogicalId: string) => string | undefined,
): string[] {
  const resources = template.Resources;
  const statements = roleStatements(resources);
  const problems: string[] = [];
  const checkedRoles = new Set<string>();

  for (const [id, r] of Object.entries(resources)) {
    const p = r.Properties ?? {};
    if (r.Type === 'AWS::Lambda::Function') {
      const bundle = bundleOf(id);
      if (bundle === undefined) continue;
      const role = roleOf(p.Role);
      if (role === undefined) {
        problems.push(`${id}: its role is not a role of this stack`);
        continue;
      }
      checkedRoles.add(role);
      problems.push(
        ...compare(
          `${id} (role ${role})`,
          functionCalls(id, resources, bundle),
          grantsOf(statements.get(role) ?? [], resources),
        ),
      );
    }
    if (r.Type === 'AWS::StepFunctions::StateMachine') {
      const role = roleOf(p.RoleArn);
      if (role === undefined) continue;
      checkedRoles.add(role);
      const calls: Call[] = taskFunctions(p.DefinitionString, resources).map((fn) => ({
        action: 'lambda:InvokeFunction',
        target: fn,
        because: 'a Task state invokes it',
      }));
      if (p.LoggingConfiguration !== undefined)
        calls.push(
          ...STATE_MACHINE_LOG_ACTIONS.map((a) => ({ action: a, target: '*', because: 'execution logging' })),
        );
      if ((p.TracingConfiguration as { Enabled?: Json } | undefined)?.Enabled === true)
        calls.push(
          ...STATE_MACHINE_TRACE_ACTIONS.map((a) => ({ action: a, target: '*', because: 'tracing' })),
        );
      problems.push(
        ...compare(`${id} (role ${role})`, calls, grantsOf(statements.get(role) ?? [], resources)),
      );
    }
    if (r.Type === 'AWS::Events::Rule') {
      for (const t of asList(p.Targets) as Record<string, Json>[]) {
        const role = roleOf(t.RoleArn);
        const target = refOrArnTarget(t.Arn);
        if (role === undefined || target === undefined) continue;
        checkedRoles.add(role);
        const action =
          resources[target]?.Type === 'AWS::StepFunctions::StateMachine' ? 'states:StartExecution' : '?';
        problems.push(
          ...compare(
            `${id} target (role ${role})`,
            [{ action, target, because: 'the rule starts it' }],
            grantsOf(statements.get(role) ?? [], resources),
          ),
        );
        const trust = asList(
          (resources[role]?.Properties?.AssumeRolePolicyDocument as { Statement?: Json } | undefined)
            ?.Statement,
        ) as Record<string, Json>[];
        for (const s of trust) {
          const cond = JSON.stringify(s.Condition ?? {});
          if (!/aws:SourceAccount|aws:SourceArn/.test(cond))
            problems.push(
              `${role}: trusts ${services(s).join(', ')} with no aws:SourceAccount or aws:SourceArn condition`,
            );
        }
      }
    }
  }
  // A role nobody above checked would hold grants nothing derives: name it rather than pass it by.
  for (const [role, st] of statements) {
    const trusted = asList(
      (resources[role]?.Properties?.AssumeRolePolicyDocument as { Statement?: Json } | undefined)?.Statement,
    ).flatMap((s) => services(s as Record<string, Json>));
    // API Gateway's account-level logging role (a managed policy) is the one role outside this check.
    if (!checkedRoles.has(role) && !trusted.includes('apigateway.amazonaws.com') && st.length > 0)
      problems.push(`${role}: a role with grants that no function, state machine or rule of the stack uses`);
  }
  problems.push(...checkEncryptedTopics(resources));
  return problems;
}

/**
 * Service principals that publish to a KMS-encrypted topic — CloudWatch, for the alarms whose
 * actions name it — need the topic's policy to let them publish and the key's policy to let them
 * use the key; a key-policy grant to a service that publishes nowhere is a problem too.
 */
function checkEncryptedTopics(resources: Resources): string[] {
  const problems: string[] = [];
  for (const [topic, r] of Object.entries(resources)) {
    if (r.Type !== 'AWS::SNS::Topic' || r.Properties?.KmsMasterKeyId === undefined) continue;
    const key = refOrArnTarget(r.Properties.KmsMasterKeyId);
    if (key === undefined) continue;
    const publishers = new Set<string>();
    for (const a of Object.values(resources)) {
      if (a.Type !== 'AWS::CloudWatch::Alarm') continue;
      const actions = ['AlarmActions', 'OKActions', 'InsufficientDataActions'].flatMap((k) =>
        asList(a.Properties?.[k]),
      );
      if (referencedIds(actions).has(topic)) publishers.add('cloudwatch.amazonaws.com');
    }
    const keyStatements = asList(
      (resources[key]?.Properties?.KeyPolicy as { Statement?: Json } | undefined)?.Statement,
    ) as Record<string, Json>[];
    const topicStatements = Object.values(resources)
      .filter((t) => t.Type === 'AWS::SNS::TopicPolicy' && referencedIds(t.Properties?.Topics).has(topic))
      .flatMap((t) =>
        asList((t.Properties?.PolicyDocument as { Statement?: Json } | undefined)?.Statement),
      ) as Record<string, Json>[];
    const allows = (list: Record<string, Json>[], service: string, action: string) =>
      list.some(
        (s) =>
          s.Effect === 'Allow' &&
          services(s).includes(service) &&
          asList(s.Action).some((a) => actionMatches(String(a), action)),
      );
    for (const service of publishers) {
      for (const action of ['kms:Decrypt', 'kms:GenerateDataKey']) {
        if (!allows(keyStatements, service, action))
          problems.push(
            `${key}: its key policy does not let ${service} use ${action}, so it cannot publish to ${topic}`,
          );
      }
      if (!allows(topicStatements, service, 'sns:Publish'))
        problems.push(`${topic}: its topic policy does not let ${service} publish`);
    }
    for (const s of keyStatements) {
      for (const service of services(s)) {
        if (s.Effect === 'Allow' && !publishers.has(service))
          problems.push(
            `${key}: its key policy lets ${service} use the key, but it publishes to no topic of it`,
          );
      }
    }
  }
  return problems;
}
