// The CascadeAnalyzer construct in a stack of someone else's app: its props (the API off, an
// existing topic, the removal policy of stored data), their validation, and cdk-nag on each
// variant. Bundling is skipped: the template does not depend on the bundles' bytes.

import { App, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { CascadeAnalyzer, type CascadeAnalyzerProps } from '../../lib/cascade-analyzer.ts';

const WATCHED = { watchedServices: [{ name: 'checkout-api' }] };

function build(props: CascadeAnalyzerProps, more?: (stack: Stack) => Partial<CascadeAnalyzerProps>) {
  const app = new App({ context: { 'aws:cdk:bundling-stacks': [] } });
  const stack = new Stack(app, 'Team');
  const analyzer = new CascadeAnalyzer(stack, 'Cascade', { ...props, ...more?.(stack) });
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app), new ServerlessChecks(app));
  return { app, stack, analyzer };
}

describe('Construct: CascadeAnalyzer', () => {
  it('should build the whole analyzer from watchedServices alone, and pass cdk-nag', () => {
    // Act
    const { app, stack, analyzer } = build(WATCHED);
    const template = Template.fromStack(stack);
    // Assess: synthesis throws on an unacknowledged cdk-nag finding.
    expect(() => app.synth()).not.toThrow();
    template.resourceCountIs('AWS::Lambda::Function', 14);
    template.resourceCountIs('AWS::ApiGateway::RestApi', 1);
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Retain' });
    expect(analyzer.functions.api).toBeDefined();
    // No outputs of its own: only the endpoint API Gateway's RestApi always adds.
    expect(Object.keys(template.findOutputs('*'))).toEqual([expect.stringMatching(/^CascadeApiEndpoint/)]);
  });

  it('should leave out the API, its function and its alarm when api is false', () => {
    // Act
    const { app, stack, analyzer } = build({ ...WATCHED, api: false });
    const template = Template.fromStack(stack);
    // Assess
    expect(() => app.synth()).not.toThrow();
    template.resourceCountIs('AWS::ApiGateway::RestApi', 0);
    // The Graphviz layer stays: the incident dashboard's widget draws the report too.
    template.resourceCountIs('AWS::Lambda::LayerVersion', 1);
    template.resourceCountIs('AWS::Lambda::Function', 13);
    expect(analyzer.api).toBeUndefined();
    expect(analyzer.functions.api).toBeUndefined();
    const descriptions = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map(
      (a) => a.Properties.AlarmDescription,
    );
    expect(descriptions).not.toContain('the cascade-analyzer API answers 5xx');
  });

  it('should publish to an existing topic and its key instead of making a topic, and subscribe the e-mails to it', () => {
    // Prepare
    const { app, stack, analyzer } = build(
      { ...WATCHED, notificationEmails: ['oncall@example.com'] },
      (s) => ({
        notificationTopic: sns.Topic.fromTopicArn(s, 'Oncall', 'arn:aws:sns:eu-west-1:123456789012:oncall'),
        notificationTopicKey: kms.Key.fromKeyArn(
          s,
          'OncallKey',
          'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555',
        ),
      }),
    );
    // Act
    const template = Template.fromStack(stack);
    // Assess
    expect(() => app.synth()).not.toThrow();
    template.resourceCountIs('AWS::SNS::Topic', 0);
    template.resourceCountIs('AWS::KMS::Key', 0);
    template.hasResourceProperties('AWS::SNS::Subscription', {
      TopicArn: 'arn:aws:sns:eu-west-1:123456789012:oncall',
      Endpoint: 'oncall@example.com',
    });
    const notifyPolicy = Object.values(template.findResources('AWS::IAM::Policy')).find((p) =>
      JSON.stringify(p).includes(
        stack.getLogicalId(analyzer.functions.notify.role.node.defaultChild as never),
      ),
    );
    expect(JSON.stringify(notifyPolicy)).toContain('arn:aws:sns:eu-west-1:123456789012:oncall');
    expect(JSON.stringify(notifyPolicy)).toContain('key/11111111-2222-3333-4444-555555555555');
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      AlarmActions: ['arn:aws:sns:eu-west-1:123456789012:oncall'],
    });
  });

  it('should delete the table and buckets with the stack when dataRemovalPolicy is DESTROY', () => {
    // Act
    const { stack } = build({ ...WATCHED, dataRemovalPolicy: RemovalPolicy.DESTROY });
    const template = Template.fromStack(stack);
    // Assess
    template.hasResource('AWS::DynamoDB::GlobalTable', { DeletionPolicy: 'Delete' });
    const buckets = Object.values(template.findResources('AWS::S3::Bucket'));
    expect(buckets).toHaveLength(2);
    for (const b of buckets) expect(b.DeletionPolicy).toBe('Delete');
  });

  it('should start analyses from existing alarms alone, without watched services', () => {
    // Act
    const { stack } = build({ alarmNamePrefixes: ['payments-'], alarmNames: ['orders-5xx'] });
    const template = Template.fromStack(stack);
    // Assess
    template.resourceCountIs('AWS::XRay::Group', 0);
    template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: Match.objectLike({
        detail: Match.objectLike({ alarmName: ['orders-5xx', { prefix: 'payments-' }] }),
      }),
    });
  });

  it.each([
    [
      {},
      /CascadeAnalyzer Cascade: props "watchedServices", "alarmNamePrefixes" and "alarmNames" are all empty/,
    ],
    [
      { watchedServices: [{ name: 'checkout-api', faultRate: 5 }] },
      /CascadeAnalyzer Cascade: prop "watchedServices\[0\]\.faultRate": Too big/,
    ],
    [{ watchedServices: [{ name: 'a"b' }] }, /prop "watchedServices\[0\]\.name": must not contain quotes/],
    [{ ...WATCHED, notificationEmails: ['not-an-address'] }, /prop "notificationEmails\[0\]"/],
    [{ ...WATCHED, lookbackMinutes: 0 }, /prop "lookbackMinutes": Too small/],
    [{ ...WATCHED, watchdServices: [] }, /Unrecognized key: "watchdServices"/],
    [{ ...WATCHED, api: 'yes' }, /prop "api": expected true or false, got yes/],
  ])('should reject bad props naming the construct and the prop: %j', (props, message) => {
    // Act / Assess
    expect(() => build(props as CascadeAnalyzerProps)).toThrow(message);
  });

  it('should reject a topic key without its topic', () => {
    expect(() =>
      build(WATCHED, (s) => ({
        notificationTopicKey: kms.Key.fromKeyArn(
          s,
          'Key',
          'arn:aws:kms:eu-west-1:123456789012:key/11111111-2222-3333-4444-555555555555',
        ),
      })),
    ).toThrow(/prop "notificationTopicKey" is the key of an existing topic: give "notificationTopic" too/);
  });
});
