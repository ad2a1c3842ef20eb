// The permissions of the synthesized stack against the calls its deployed code makes (see
// permissions.ts), and proof that the check catches a missing grant and an unused one.

import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CfnTemplate,
  type CloudAssembly,
  readCloudAssembly,
} from '../../lambdas/local/cloud-assembly.ts';
import { checkPermissions, sdkCalls } from './permissions.ts';
import { synthStack } from './synth.ts';

let outdir: string;
let assembly: CloudAssembly;
let bundles: Map<string, string>;

beforeAll(() => {
  outdir = mkdtempSync(join(tmpdir(), 'cascade-permissions-'));
  const { stack } = synthStack(undefined, outdir);
  assembly = readCloudAssembly(outdir, stack.artifactId);
  bundles = new Map(assembly.functions.map((f) => [f.logicalId, readFileSync(f.entry, 'utf8')]));
}, 300_000);

afterAll(() => rmSync(outdir, { recursive: true, force: true }));

const check = (template: CfnTemplate) => checkPermissions(template, (id) => bundles.get(id));
const copy = (): CfnTemplate => structuredClone(assembly.template);
const idOf = (prefix: string): string => {
  const id = Object.keys(assembly.template.Resources).find((k) => k.startsWith(prefix));
  if (id === undefined) throw new Error(`no resource ${prefix}… in the template`);
  return id;
};
type Statement = { Action: string | string[]; Effect: string; Resource: unknown };
function policyStatements(t: CfnTemplate, policyPrefix: string): Statement[] {
  const doc = t.Resources[idOf(policyPrefix)]?.Properties?.PolicyDocument as
    | { Statement: Statement[] }
    | undefined;
  if (doc === undefined) throw new Error(`${policyPrefix} has no policy document`);
  return doc.Statement;
}

/** Removes the statement that grants exactly `action` (failing the test when there is none). */
function removeGrant(st: Statement[], action: string): void {
  const i = st.findIndex((s) => s.Action === action);
  expect(i, action).toBeGreaterThanOrEqual(0);
  st.splice(i, 1);
}

/** A statement allowing `action` on the snapshot bucket's objects under `prefix/`. */
const onObjects = (action: string, prefix: string): Statement => ({
  Action: action,
  Effect: 'Allow',
  Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [idOf('SnapshotsBucket'), 'Arn'] }, `/${prefix}/*`]] },
});

describe('Permissions: every call granted, nothing more', () => {
  it("should derive each function's AWS calls from the SDK commands its bundle imports", () => {
    // Act
    const calls = (prefix: string) => [
      ...new Set(
        sdkCalls(bundles.get(idOf(prefix)) ?? '')
          .map((c) => c.action)
          .sort(),
      ),
    ];

    // Assess: each bundle holds the commands of its handler's adapters, and only those.
    expect(calls('PrepareFunction')).toEqual([]);
    expect(calls('CollectGraphFunction')).toEqual(['s3:PutObject', 'xray:GetServiceGraph']);
    expect(calls('CollectEvidenceFunction')).toEqual([
      'cloudtrail:LookupEvents',
      's3:PutObject',
      'xray:BatchGetTraces',
      'xray:GetTraceSummaries',
    ]);
    expect(calls('EnrichFunction')).toEqual(['cloudwatch:GetMetricData']);
    expect(calls('AnalyzeFunction')).toEqual(['s3:GetObject', 's3:PutObject']);
    // Store also finds past look-alikes ("seen before", issue 21): index queries and batch reads.
    expect(calls('StoreFunction')).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      's3:GetObject',
      's3:PutObject',
    ]);
    // The incidents writer: consistent batch reads, then a transaction of puts and condition checks.
    const incidentWrites = [
      'dynamodb:BatchGetItem',
      'dynamodb:ConditionCheckItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
    ];
    expect(calls('CorrelateFunction')).toEqual([...incidentWrites, 's3:GetObject']);
    expect(calls('NotifyFunction')).toEqual([
      ...incidentWrites,
      'dynamodb:UpdateItem',
      's3:GetObject',
      'secretsmanager:GetSecretValue',
      'sns:Publish',
    ]);
    expect(calls('ResolveAlarmFunction')).toEqual(incidentWrites.filter((a) => a !== 'dynamodb:GetItem'));
    for (const f of ['RecordFailureFunction', 'ExecutionWatchFunction'])
      expect(calls(f)).toEqual([
        ...incidentWrites,
        'dynamodb:UpdateItem',
        'secretsmanager:GetSecretValue',
        'sns:Publish',
      ]);
    expect(calls('SweepOutboxFunction')).toEqual([
      ...incidentWrites,
      'dynamodb:Query',
      'dynamodb:UpdateItem',
      'secretsmanager:GetSecretValue',
      'sns:Publish',
    ]);
    // The API writes verdict records (issue 21) beside its reads.
    expect(calls('ApiHandlerFunction')).toEqual([
      'dynamodb:BatchGetItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'states:StartExecution',
    ]);
    // The incident dashboard's widget reads the findings table and nothing else.
    expect(calls('IncidentConsoleFunction')).toEqual(['dynamodb:GetItem', 'dynamodb:Query']);
  });

  it('should fail when the incident widget may no longer list the open incidents, or may write the table', () => {
    // Prepare: no Query on the sweep index; a PutItem its bundle never sends.
    const t = copy();
    removeGrant(policyStatements(t, 'IncidentConsoleRoleDefaultPolicy'), 'dynamodb:Query');
    policyStatements(t, 'IncidentConsoleRoleDefaultPolicy').push({
      Action: 'dynamodb:PutItem',
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [idOf('FindingsTable'), 'Arn'] },
    });

    // Act / Assess
    expect(check(t)).toEqual([
      expect.stringMatching(
        /^IncidentConsoleFunction\w+ \(role IncidentConsoleRole\w+\): dynamodb:Query on FindingsTable\w+ is not allowed/,
      ),
      expect.stringMatching(
        /^IncidentConsoleFunction\w+ \(role IncidentConsoleRole\w+\): grants dynamodb:PutItem on FindingsTable\w+, which no call uses$/,
      ),
    ]);
  });

  it('should find every call allowed and every grant used in the synthesized stack', () => {
    // Act / Assess
    expect(check(assembly.template)).toEqual([]);
  });

  it('should fail when a grant a call needs is removed', () => {
    // Prepare: Store can no longer put the finding.
    const t = copy();
    const st = policyStatements(t, 'StoreRoleDefaultPolicy');
    const put = st.find((s) => Array.isArray(s.Action) && s.Action.includes('dynamodb:PutItem'));
    expect(put).toBeDefined();
    if (put) put.Action = (put.Action as string[]).filter((a) => a !== 'dynamodb:PutItem');

    // Act / Assess: named once per adapter that puts (the finding, and its verdict record).
    const storePut =
      /^StoreFunction\w+ \(role StoreRole\w+\): dynamodb:PutItem on FindingsTable\w+ is not allowed/;
    expect(check(t)).toEqual([expect.stringMatching(storePut), expect.stringMatching(storePut)]);
  });

  it('should grant each sending function exactly the paging secrets PAGING names, and fail without them', () => {
    // Prepare: Notify loses its secrets grant; Correlate, which pages nothing, is given one.
    const t = copy();
    const notify = policyStatements(t, 'NotifyRoleDefaultPolicy');
    const i = notify.findIndex((s) => s.Action === 'secretsmanager:GetSecretValue');
    expect(i).toBeGreaterThanOrEqual(0);
    const [grant] = notify.splice(i, 1);
    policyStatements(t, 'CorrelateRoleDefaultPolicy').push(grant as Statement);

    // Act
    const problems = check(t);

    // Assess: one problem per secret Notify reads (the default and payments' routing keys, the
    // webhook's key), and one per secret Correlate may read for nothing.
    const secrets = ['secret:cascade/pagerduty', 'secret:cascade/webhook', 'secret:payments-pagerduty'];
    expect(problems).toHaveLength(6);
    expect(problems).toEqual(
      expect.arrayContaining([
        ...secrets.map((x) =>
          expect.stringMatching(
            new RegExp(
              `^NotifyFunction\\w+ \\(role NotifyRole\\w+\\): secretsmanager:GetSecretValue on ${x} is not allowed`,
            ),
          ),
        ),
        ...secrets.map((x) =>
          expect.stringMatching(
            new RegExp(
              `^CorrelateFunction\\w+ \\(role CorrelateRole\\w+\\): grants secretsmanager:GetSecretValue on ${x}, which no call uses$`,
            ),
          ),
        ),
      ]),
    );
  });

  it('should fail when Notify may no longer set the outbox flag, or Correlate may list the table', () => {
    // Prepare: no UpdateItem for Notify; a Query on the table Correlate never sends.
    const t = copy();
    removeGrant(policyStatements(t, 'NotifyRoleDefaultPolicy'), 'dynamodb:UpdateItem');
    policyStatements(t, 'CorrelateRoleDefaultPolicy').push({
      Action: 'dynamodb:Query',
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [idOf('FindingsTable'), 'Arn'] },
    });

    // Act / Assess
    expect(check(t)).toEqual([
      expect.stringMatching(
        /^NotifyFunction\w+ \(role NotifyRole\w+\): dynamodb:UpdateItem on FindingsTable\w+ is not allowed/,
      ),
      expect.stringMatching(
        /^CorrelateFunction\w+ \(role CorrelateRole\w+\): grants dynamodb:Query on FindingsTable\w+, which no call uses$/,
      ),
    ]);
  });

  it('should fail when Correlate may no longer check a condition in its transaction, or SweepOutbox read its index', () => {
    // Prepare: TransactWriteItems needs ConditionCheckItem; the sweep reads the sweep index.
    const t = copy();
    const st = policyStatements(t, 'CorrelateRoleDefaultPolicy');
    const tx = st.find((s) => Array.isArray(s.Action) && s.Action.includes('dynamodb:ConditionCheckItem'));
    expect(tx).toBeDefined();
    if (tx) tx.Action = (tx.Action as string[]).filter((a) => a !== 'dynamodb:ConditionCheckItem');
    removeGrant(policyStatements(t, 'SweepOutboxRoleDefaultPolicy'), 'dynamodb:Query');

    // Act / Assess
    expect(check(t)).toEqual([
      expect.stringMatching(
        /^CorrelateFunction\w+ \(role CorrelateRole\w+\): dynamodb:ConditionCheckItem on FindingsTable\w+ is not allowed \(its bundle sends TransactWriteItemsCommand\)/,
      ),
      expect.stringMatching(
        /^SweepOutboxFunction\w+ \(role SweepOutboxRole\w+\): dynamodb:Query on FindingsTable\w+ is not allowed/,
      ),
    ]);
  });

  it('should fail when the API may no longer write verdicts, or Store query the indexes', () => {
    // Prepare: no PutItem for the API (verdicts), no index Query for Store ("seen before").
    const t = copy();
    removeGrant(policyStatements(t, 'ApiHandlerRoleDefaultPolicy'), 'dynamodb:PutItem');
    removeGrant(policyStatements(t, 'StoreRoleDefaultPolicy'), 'dynamodb:Query');

    // Act
    const problems = check(t);

    // Assess: Store's Query named once per adapter that queries (past findings, verdict records).
    const storeQuery =
      /^StoreFunction\w+ \(role StoreRole\w+\): dynamodb:Query on FindingsTable\w+ is not allowed/;
    const apiPut =
      /^ApiHandlerFunction\w+ \(role ApiHandlerRole\w+\): dynamodb:PutItem on FindingsTable\w+ is not allowed/;
    expect(problems).toHaveLength(3);
    expect(problems.filter((p) => storeQuery.test(p))).toHaveLength(2);
    expect(problems.filter((p) => apiPut.test(p))).toHaveLength(1);
  });

  it('should fail when ExecutionWatch may no longer hand events to its dead-letter queue', () => {
    // Prepare
    const t = copy();
    removeGrant(policyStatements(t, 'ExecutionWatchRoleDefaultPolicy'), 'sqs:SendMessage');

    // Act / Assess
    expect(check(t)).toEqual([
      expect.stringMatching(
        /^ExecutionWatchFunction\w+ \(role ExecutionWatchRole\w+\): sqs:SendMessage on \w+ is not allowed \(its dead-letter queue\)/,
      ),
    ]);
  });

  it("should fail when Analyze may no longer read CollectEvidence's document", () => {
    // Prepare: Analyze's GetObject keeps snapshots/* and loses evidence/*.
    const t = copy();
    const st = policyStatements(t, 'AnalyzeRoleDefaultPolicy');
    const read = st.find((s) => s.Action === 's3:GetObject') as Statement & { Resource: unknown[] };
    expect(read.Resource).toHaveLength(2);
    read.Resource = read.Resource.filter((r) => !JSON.stringify(r).includes('/evidence/*'));

    // Act / Assess
    expect(check(t)).toEqual([
      expect.stringMatching(
        /^AnalyzeFunction\w+ \(role AnalyzeRole\w+\): s3:GetObject on SnapshotsBucket\w+\/evidence\/\* is not allowed/,
      ),
    ]);
  });

  // CollectEvidence: no CloudTrail lookup, and a read of the snapshots it never makes. SweepOutbox:
  // no publishing, and a read of the findings in S3 (it reads them from the table).
  it.each([
    { fn: 'CollectEvidence', lost: 'cloudtrail:LookupEvents', on: '\\*', gained: 'snapshots' },
    { fn: 'SweepOutbox', lost: 'sns:Publish', on: 'NotificationsTopic\\w+', gained: 'findings' },
  ])('should fail when $fn loses a grant or gains one no call uses', ({ fn, lost, on, gained }) => {
    // Prepare
    const t = copy();
    const st = policyStatements(t, `${fn}RoleDefaultPolicy`);
    removeGrant(st, lost);
    st.push(onObjects('s3:GetObject', gained));

    // Act / Assess
    const who = `^${fn}Function\\w+ \\(role ${fn}Role\\w+\\): `;
    expect(check(t)).toEqual([
      expect.stringMatching(new RegExp(`${who}${lost} on ${on} is not allowed`)),
      expect.stringMatching(
        new RegExp(`${who}grants s3:GetObject on SnapshotsBucket\\w+/${gained}/\\*, which no call uses$`),
      ),
    ]);
  });

  it('should fail when a grant no call uses is added', () => {
    // Prepare: Notify may also delete snapshot objects.
    const t = copy();
    const st = policyStatements(t, 'NotifyRoleDefaultPolicy');
    st.push({
      Action: 's3:DeleteObject',
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [idOf('SnapshotsBucket'), 'Arn'] },
    });

    // Act / Assess
    expect(check(t)).toEqual([
      expect.stringMatching(
        /^NotifyFunction\w+ \(role NotifyRole\w+\): grants s3:DeleteObject on SnapshotsBucket\w+, which no call uses$/,
      ),
    ]);
  });

  it('should fail when the state machine may invoke a function no Task state uses', () => {
    // Prepare
    const t = copy();
    policyStatements(t, 'WorkflowStateMachineRoleDefaultPolicy').push({
      Action: 'lambda:InvokeFunction',
      Effect: 'Allow',
      Resource: { 'Fn::GetAtt': [idOf('ApiHandlerFunction'), 'Arn'] },
    });

    // Act / Assess
    expect(check(t)).toEqual([
      expect.stringMatching(/grants lambda:InvokeFunction on ApiHandlerFunction\w+, which no call uses/),
    ]);
  });

  it("should fail when CloudWatch may not use the topic's key for the stack's own alarms", () => {
    // Prepare: the key policy as it was before this check (account root only).
    const t = copy();
    const key = t.Resources[idOf('NotificationsKey')]?.Properties?.KeyPolicy as {
      Statement: { Principal: unknown }[];
    };
    key.Statement = key.Statement.filter((s) => !JSON.stringify(s.Principal).includes('cloudwatch'));

    // Act / Assess
    expect(check(t)).toEqual([
      expect.stringMatching(/key policy does not let cloudwatch.amazonaws.com use kms:Decrypt/),
      expect.stringMatching(/key policy does not let cloudwatch.amazonaws.com use kms:GenerateDataKey/),
    ]);
  });

  it('should fail when EventBridge’s role trusts the service with no source condition', () => {
    // Prepare
    const t = copy();
    const role = t.Resources[idOf('TriggerRole')]?.Properties?.AssumeRolePolicyDocument as {
      Statement: { Condition?: unknown }[];
    };
    for (const s of role.Statement) delete s.Condition;

    // Act / Assess
    expect(check(t)).toEqual([
      expect.stringMatching(/^TriggerRole\w+: trusts events.amazonaws.com with no aws:SourceAccount/),
    ]);
  });
});
