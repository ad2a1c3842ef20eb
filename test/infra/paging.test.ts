// The paging resources of the stack: which functions page, what they are told (names of secrets,
// never keys) and the one statement that lets them read exactly those secrets; and the refusals of
// a paging configuration that cannot work.

import { App, Stack } from 'aws-cdk-lib';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../lib/config.ts';
import { Paging } from '../../lib/constructs/paging.ts';
import { synthStack, TEST_CONTEXT } from './synth.ts';

type Template = ReturnType<typeof synthStack>['template'];
let template: Template;

beforeAll(() => {
  ({ template } = synthStack());
}, 300_000);

const SECRET_ARNS = [
  'arn:aws:secretsmanager:eu-west-1:111122223333:secret:payments-pagerduty-AbC123',
  // By name: any suffix Secrets Manager gave it, in the stack's own partition, region and account.
  {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':secretsmanager:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        ':secret:cascade/pagerduty-??????',
      ],
    ],
  },
  {
    'Fn::Join': [
      '',
      [
        'arn:',
        { Ref: 'AWS::Partition' },
        ':secretsmanager:',
        { Ref: 'AWS::Region' },
        ':',
        { Ref: 'AWS::AccountId' },
        ':secret:cascade/webhook-??????',
      ],
    ],
  },
];

describe('Construct: Paging', () => {
  it('should give exactly the functions that send incident messages PAGING, with secret names and no key', () => {
    // Act
    const fns = template.findResources('AWS::Lambda::Function');
    const paging = Object.entries(fns)
      .filter(([, r]) => r.Properties?.Environment?.Variables?.PAGING !== undefined)
      .map(([id]) => id.replace(/Function[0-9A-F]{8}$/, ''))
      .sort();
    const value = Object.values(fns).find((r) => r.Properties?.Environment?.Variables?.PAGING)?.Properties
      ?.Environment?.Variables?.PAGING as string;

    // Assess
    expect(paging).toEqual(['ExecutionWatch', 'Notify', 'RecordFailure', 'SweepOutbox']);
    expect(JSON.parse(value)).toEqual(TEST_CONTEXT.paging);
  });

  it('should let each of them read the paging secrets and nothing else from Secrets Manager', () => {
    // Act / Assess: the exact statement, on each sending function's policy.
    for (const role of ['NotifyRole', 'RecordFailureRole', 'ExecutionWatchRole', 'SweepOutboxRole']) {
      template.hasResourceProperties('AWS::IAM::Policy', {
        Roles: [{ Ref: Match.stringLikeRegexp(`^${role}`) }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            { Action: 'secretsmanager:GetSecretValue', Effect: 'Allow', Resource: SECRET_ARNS },
          ]),
        },
      });
    }
    const others = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p).includes('secretsmanager'),
    );
    expect(others).toHaveLength(4);
  });

  it('should add nothing when paging is not configured', () => {
    // Prepare
    const { paging: _, ...withoutPaging } = TEST_CONTEXT;

    // Act
    const { template: plain } = synthStack(withoutPaging);

    // Assess
    expect(JSON.stringify(plain.toJSON())).not.toMatch(/secretsmanager|"PAGING"/);
  }, 300_000);

  it.each([
    [{ webhook: { url: 'http://hooks.example.com/x', secret: 's' } }, /"paging\.webhook\.url"/],
    [
      { pagerDuty: { routingKeySecret: 'has space' } },
      /"paging\.pagerDuty\.routingKeySecret": must be a secret name or ARN/,
    ],
    [{ pager: {} }, /paging/],
  ])('should refuse the paging configuration %j naming the key', (paging, message) => {
    // Act / Assess
    expect(() => loadConfig((k) => ({ ...TEST_CONTEXT, paging })[k as 'paging'])).toThrow(message);
  });

  it('should refuse PagerDuty without a routing key secret, a partial secret ARN, or an http webhook', () => {
    // Prepare
    const stack = () => new Stack(new App());

    // Act / Assess
    expect(() => new Paging(stack(), 'P', { pagerDuty: {} })).toThrow(/routingKeySecret or services/);
    expect(
      () =>
        new Paging(stack(), 'P', {
          pagerDuty: { routingKeySecret: 'arn:aws:secretsmanager:eu-west-1:111122223333:secret:pd' },
        }),
    ).toThrow(/not a full secret ARN/);
    expect(() => new Paging(stack(), 'P', { webhook: { url: 'http://example.com', secret: 'x' } })).toThrow(
      /https URL/,
    );
  });
});
