import { describe, expect, it } from 'vitest';
import { architectureDot, architectureGraph } from '../../scripts/architecture/diagram.ts';
import { readableName, refsIn } from '../../scripts/architecture/template.ts';
import { readDefinition, type Transition, workflowOrder } from '../../scripts/architecture/workflow.ts';

type Resources = Record<string, { Type: string; Properties?: Record<string, unknown> }>;

const MACHINE = 'PipelineStateMachineE1E1E1E1';
const TABLE = 'OrdersTable0D0D0D0D';

/** A function with its own role; every function is handed the table's name, as the stack does. */
function lambda(name: string): Resources {
  return {
    [`${name}Function1A2B3C4D`]: {
      Type: 'AWS::Lambda::Function',
      Properties: {
        Role: { 'Fn::GetAtt': [`${name}Role5E6F7A8B`, 'Arn'] },
        Environment: { Variables: { ORDERS_TABLE: { Ref: TABLE } } },
      },
    },
    [`${name}Role5E6F7A8B`]: { Type: 'AWS::IAM::Role', Properties: {} },
  };
}

/**
 * Fetch (first function) then Load (second function): written Load first in the definition, so
 * that the order can only come from the workflow. Only Load's role may write the table.
 */
function template(extra: Resources = {}): { Resources: Resources } {
  return {
    Resources: {
      ...lambda('Fetch'),
      ...lambda('Load'),
      LoadRoleDefaultPolicy9C9C9C9C: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          Roles: [{ Ref: 'LoadRole5E6F7A8B' }],
          PolicyDocument: {
            Statement: [
              { Effect: 'Allow', Action: 'dynamodb:PutItem', Resource: { 'Fn::GetAtt': [TABLE, 'Arn'] } },
            ],
          },
        },
      },
      [TABLE]: { Type: 'AWS::DynamoDB::Table', Properties: {} },
      [MACHINE]: {
        Type: 'AWS::StepFunctions::StateMachine',
        Properties: {
          DefinitionString: {
            'Fn::Join': [
              '',
              [
                '{"StartAt":"Fetch","States":{"Load":{"Type":"Task","End":true,"Resource":"',
                { 'Fn::GetAtt': ['LoadFunction1A2B3C4D', 'Arn'] },
                '"},"Fetch":{"Type":"Task","Next":"Load","Resource":"',
                { 'Fn::GetAtt': ['FetchFunction1A2B3C4D', 'Arn'] },
                '"}}}',
              ],
            ],
          },
        },
      },
      ...extra,
    },
  };
}

const declaredAt = (dot: string, id: string) => dot.indexOf(`"${id}" [label=`);

describe('Function: architectureDot', () => {
  it('should draw the steps in the order the workflow runs them, each with its Lambda', () => {
    // Act
    const dot = architectureDot(template());
    // Assess
    const fetch = declaredAt(dot, `${MACHINE}.Fetch`);
    const load = declaredAt(dot, `${MACHINE}.Load`);
    expect(fetch).toBeGreaterThan(-1);
    expect(load).toBeGreaterThan(fetch);
    expect(dot).toContain(
      '<b>Load</b><br/><font point-size="9" color="#444444">Lambda: Load function</font>',
    );
    // One under the other: the layout keeps the column in workflow order.
    expect(dot).toContain(`"${MACHINE}.Fetch" -> "${MACHINE}.Load" [style=invis, weight=10];`);
  });

  it('should draw an edge from the step whose function may write the table, and none from the other', () => {
    // Act
    const { edges } = architectureGraph(template());
    // Assess
    const access = edges.filter((e) => e.kind === 'access');
    expect(access).toEqual([
      expect.objectContaining({
        from: `${MACHINE}.Load`,
        to: TABLE,
        tooltip: 'IAM dynamodb:PutItem; environment ORDERS_TABLE',
      }),
    ]);
    // A write: the arrowhead at the table.
    expect(access[0]?.dir).toBeUndefined();
    // Fetch is handed the table's name too, but its role may not touch it.
    expect(access.some((e) => e.from === `${MACHINE}.Fetch`)).toBe(false);
  });

  it('should draw a resource added to the template, so that a stale picture shows', () => {
    // Prepare
    const before = architectureDot(template());
    // Act
    const after = architectureDot(
      template({ AlertsTopicF0F0F0F0: { Type: 'AWS::SNS::Topic', Properties: {} } }),
    );
    // Assess
    expect(after).not.toBe(before);
    expect(after).toContain('<b>Alerts topic</b><br/><font point-size="9" color="#444444">SNS</font>');
  });

  it('should give the same DOT for the same template, whatever the order of its keys', () => {
    // Prepare
    const resources = template().Resources;
    const reversed = Object.fromEntries(Object.entries(resources).reverse());
    // Act
    const dots = [
      architectureDot(template()),
      architectureDot(template()),
      architectureDot({ Resources: reversed }),
    ];
    // Assess
    expect(new Set(dots).size).toBe(1);
  });

  it('should draw forty own-failure alarms as one node that counts them', () => {
    // Prepare
    const alarms: Resources = {};
    for (let i = 0; i < 40; i++) {
      alarms[`Step${i}Errors0A0A0A0A`] = {
        Type: 'AWS::CloudWatch::Alarm',
        Properties: {
          Namespace: 'AWS/Lambda',
          MetricName: 'Errors',
          AlarmActions: [{ Ref: 'AlertsTopicF0F0F0F0' }],
        },
      };
    }
    const topic = { AlertsTopicF0F0F0F0: { Type: 'AWS::SNS::Topic', Properties: {} } };
    // Act
    const graph = architectureGraph(template({ ...alarms, ...topic }));
    // Assess
    const alarmNodes = graph.nodes().filter((n) => n.kind === 'alarm');
    expect(alarmNodes).toHaveLength(1);
    expect(alarmNodes[0]?.lines).toEqual(['40 own-failure alarms', 'CloudWatch', '40 Lambda']);
    expect(graph.edges).toContainEqual(
      expect.objectContaining({ to: 'AlertsTopicF0F0F0F0', kind: 'notify' }),
    );
  });

  it('should refuse an object that is not a template', () => {
    expect(() => architectureDot({})).toThrow('not a CloudFormation template');
  });
});

describe('Function: workflowOrder', () => {
  it('should list the ordinary path first, a Choice default before its rules, and Catch targets last', () => {
    // Prepare: Route → (otherwise) A → B; Route → (rule) Side; A and Side fail to Handler.
    const t = (from: string, to: string, kind: Transition['kind']): Transition => ({ from, to, kind });
    const transitions = [
      t('Route', 'Side', 'choice'),
      t('Route', 'A', 'default'),
      t('A', 'Handler', 'catch'),
      t('A', 'B', 'next'),
      t('Side', 'Handler', 'catch'),
    ];
    // Act
    const order = workflowOrder('Route', transitions);
    // Assess
    expect(order).toEqual(['Route', 'A', 'B', 'Side', 'Handler']);
  });
});

describe('Function: readDefinition', () => {
  it('should read a definition with substitutions, references kept as tokens', () => {
    // Act
    const definition = readDefinition({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a DefinitionSubstitutions placeholder, not JavaScript's
      DefinitionString: '{"StartAt":"Go","States":{"Go":{"Type":"Task","Resource":"${fn}","End":true}}}',
      DefinitionSubstitutions: { fn: { 'Fn::GetAtt': ['GoFunction1A2B3C4D', 'Arn'] } },
    });
    // Assess
    expect(definition).toEqual({
      StartAt: 'Go',
      States: { Go: { Type: 'Task', Resource: '@@GoFunction1A2B3C4D@@', End: true } },
    });
  });

  it('should say so when the definition is not ASL JSON', () => {
    expect(() => readDefinition({ DefinitionString: 'not json' })).toThrow('not ASL JSON');
  });
});

describe('Function: readableName', () => {
  it('should drop the hash CDK appends and spell the construct path as words', () => {
    expect(readableName('FindingsTableBD064B5B')).toBe('Findings table');
    expect(readableName('ApiHandlerFunction73BB96D1')).toBe('API handler function');
    expect(readableName('Plain')).toBe('Plain');
  });
});

describe('Function: refsIn', () => {
  it('should find references through Ref, Fn::GetAtt, Fn::Join and Fn::Sub, not pseudo parameters', () => {
    // Act
    const refs = refsIn({
      'Fn::Join': ['', [{ Ref: 'AWS::Region' }, { Ref: 'Topic' }, { 'Fn::GetAtt': ['Table', 'Arn'] }]],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: Fn::Sub's own placeholders, not JavaScript's
      Other: { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}/*' },
    });
    // Assess
    expect([...refs].sort()).toEqual(['Bucket', 'Table', 'Topic']);
  });
});
