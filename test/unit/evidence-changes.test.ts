// CloudTrail change events: the parser keeps the changes to running services (the one documented
// list), and each change is mapped to the graph services it touched.

import { describe, expect, it } from 'vitest';
import {
  CHANGE_EVENT_NAMES,
  CHANGE_EVENTS,
  type ChangeEvent,
  parseLookupEvents,
  resourceNames,
  servicesTouched,
} from '../../lambdas/core/evidence/change-events.ts';
import { EvidenceInputError } from '../../lambdas/core/evidence/fields.ts';
import { lookupEventJson } from '../../lambdas/simulator/change-events.ts';

const T = 1_795_143_600;

const lambdaUpdate = lookupEventJson({
  id: 'ev-1',
  eventName: 'UpdateFunctionCode20150331v2',
  source: 'lambda.amazonaws.com',
  at: T - 240,
  who: 'deploy-bot',
  resourceName: 'arn:aws:lambda:eu-west-1:123456789012:function:payment-service',
  requestParameters: { functionName: 'payment-service' },
});
const ecsUpdate = lookupEventJson({
  id: 'ev-2',
  eventName: 'UpdateService',
  source: 'ecs.amazonaws.com',
  at: T - 1200,
  who: 'alice',
  resourceType: 'AWS::ECS::Service',
  resourceName: 'arn:aws:ecs:eu-west-1:123456789012:service/prod/checkout',
});
const readOnly = { ...lookupEventJson({ ...baseSpec(), eventName: 'GetFunction' }), EventId: 'ev-3' };

function baseSpec() {
  return { id: 'ev-0', eventName: 'x', source: 'lambda.amazonaws.com', at: T, who: 'bob', resourceName: 'r' };
}

describe('Function: parseLookupEvents', () => {
  it('should keep the changes, newest first, and count what it ignores', () => {
    // Act
    const parsed = parseLookupEvents({ Events: [ecsUpdate, readOnly, lambdaUpdate] });
    // Assess
    expect(parsed.events.map((e) => [e.id, e.what, e.who])).toEqual([
      ['ev-1', 'Lambda code update', 'deploy-bot'],
      ['ev-2', 'ECS service update', 'alice'],
    ]);
    expect(parsed.ignored).toBe(1);
    expect(parsed.events[0]?.at).toBe((T - 240) * 1000);
    expect(parsed.events[0]?.resources).toEqual([
      'arn:aws:lambda:eu-west-1:123456789012:function:payment-service',
      'payment-service',
    ]);
  });

  it('should read AWS CLI output (ISO times) split into pages, a repeated event once', () => {
    // Prepare
    const cli = { ...lambdaUpdate, EventTime: new Date((T - 240) * 1000).toISOString() };
    // Act
    const parsed = parseLookupEvents([{ Events: [cli], NextToken: 'p2' }, { Events: [lambdaUpdate] }]);
    // Assess
    expect(parsed.events).toHaveLength(1);
    expect(parsed.events[0]?.at).toBe((T - 240) * 1000);
  });

  it('should tell CodeDeploy and API Gateway deployments apart by their source', () => {
    // Prepare
    const ev = (source: string, id: string) =>
      lookupEventJson({ ...baseSpec(), id, eventName: 'CreateDeployment', source });
    // Act
    const parsed = parseLookupEvents({
      Events: [
        ev('codedeploy.amazonaws.com', 'a'),
        ev('apigateway.amazonaws.com', 'b'),
        ev('s3.amazonaws.com', 'c'),
      ],
    });
    // Assess
    expect(parsed.events.map((e) => e.what)).toEqual(['CodeDeploy deployment', 'API Gateway deployment']);
    expect(parsed.ignored).toBe(1);
  });

  it('should keep every kind of change the issue lists in one list, each name looked up once', () => {
    // Assess
    const sources = new Set(CHANGE_EVENTS.map((e) => e.source));
    expect([...sources].sort()).toEqual([
      'apigateway.amazonaws.com',
      'appconfig.amazonaws.com',
      'cloudformation.amazonaws.com',
      'codedeploy.amazonaws.com',
      'dynamodb.amazonaws.com',
      'ecs.amazonaws.com',
      'lambda.amazonaws.com',
      'ssm.amazonaws.com',
    ]);
    expect(new Set(CHANGE_EVENT_NAMES).size).toBe(CHANGE_EVENT_NAMES.length);
    expect(CHANGE_EVENT_NAMES.length).toBe(CHANGE_EVENTS.length - 1);
  });

  it.each([
    [{ Services: [] }, '', /not a CloudTrail LookupEvents response/],
    [{ Events: [{ EventTime: T }] }, 'Events[0].EventName', /missing/],
    [{ Events: [{ EventName: 'UpdateService' }] }, 'Events[0].EventTime', /missing/],
    [{ Events: [{ EventName: 'UpdateService', EventTime: true }] }, 'Events[0].EventTime', /epoch seconds/],
    [
      { Events: [{ EventName: 'UpdateService', EventTime: T, CloudTrailEvent: '{oops' }] },
      'Events[0].CloudTrailEvent',
      /JSON string/,
    ],
    [
      { Events: [{ EventName: 'UpdateService', EventTime: T, Resources: [{ ResourceName: 3 }] }] },
      'Events[0].Resources[0].ResourceName',
      /string/,
    ],
  ])('should refuse %j with an error naming %s', (input, field, problem) => {
    // Act
    let err: unknown;
    try {
      parseLookupEvents(input);
    } catch (e) {
      err = e;
    }
    // Assess
    expect(err).toBeInstanceOf(EvidenceInputError);
    expect((err as EvidenceInputError).field).toBe(field);
    expect((err as EvidenceInputError).message).toMatch(problem);
  });
});

describe('Function: servicesTouched', () => {
  const change = (resources: string[]): ChangeEvent => ({
    id: 'x',
    eventName: 'UpdateService',
    source: 'ecs.amazonaws.com',
    what: 'ECS service update',
    at: 0,
    who: 'alice',
    resources,
  });
  const graph = new Set(['payment-service', 'checkout', 'orders-table', 'frontend']);

  it.each([
    [
      'a Lambda function ARN with an alias',
      'arn:aws:lambda:eu-west-1:1:function:payment-service:live',
      ['payment-service'],
    ],
    ['an ECS service ARN', 'arn:aws:ecs:eu-west-1:1:service/prod/checkout', ['checkout']],
    ['a DynamoDB table ARN', 'arn:aws:dynamodb:eu-west-1:1:table/orders-table', ['orders-table']],
    ['a bare name', 'frontend', ['frontend']],
    ['a resource no service is named after', 'arn:aws:ssm:eu-west-1:1:parameter/prod/flags', []],
  ])('should map %s', (_what, resource, expected) => {
    // Act & Assess
    expect(servicesTouched(change([resource]), graph)).toEqual(expected);
  });

  it('should add the configured mapping for resources named otherwise, by name or ARN', () => {
    // Prepare
    const mapping = {
      '/prod/flags': ['frontend', 'checkout'],
      'arn:aws:ecs:eu-west-1:1:task-definition/pay:7': ['x'],
    };
    // Act
    const touched = servicesTouched(
      change(['/prod/flags', 'arn:aws:ecs:eu-west-1:1:task-definition/pay:7']),
      graph,
      mapping,
    );
    // Assess
    expect(touched).toEqual(['checkout', 'frontend', 'x']);
  });

  it('should split ARNs and paths into the names they stand for', () => {
    // Act & Assess
    expect(resourceNames('arn:aws:lambda:r:1:function:pay:live')).toEqual([
      'arn:aws:lambda:r:1:function:pay:live',
      'pay',
      'live',
    ]);
    expect(resourceNames('/config/pay/flags')).toEqual(['/config/pay/flags', 'flags']);
  });
});
