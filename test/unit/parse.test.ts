// The parser reads what X-Ray, the SDK and the AWS CLI actually send, and refuses anything else
// with a GraphInputError whose `field` points at the offending path.

import { describe, expect, it } from 'vitest';
import { GraphInputError } from '../../lambdas/core/errors.ts';
import type { ServiceGraph } from '../../lambdas/core/model.ts';
import { parseSnapshot, parseWindow } from '../../lambdas/core/parse.ts';
import { edge, histogram, INCIDENT_START, node, serviceGraph, snapshot, statistics } from './graph-kit.ts';

/** Runs `fn`, expecting a GraphInputError, and returns it for closer inspection. */
function inputError(fn: () => unknown): GraphInputError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(GraphInputError);
    return err as GraphInputError;
  }
  throw new Error('expected a GraphInputError, but the input was accepted');
}

function nodeNamed(graph: ServiceGraph, name: string, type?: string) {
  const found = graph.nodes.find((n) => n.name === name && (type === undefined || n.type === type));
  if (!found) throw new Error(`no node ${name} ${type ?? ''} in the parsed graph`);
  return found;
}

const twoServices = () =>
  serviceGraph([
    node('api', { n: 100, faults: 2, mean: 0.05 }),
    node('db', { n: 100, mean: 0.01, type: 'AWS::DynamoDB::Table' }),
    edge('api', 'db', { n: 100, mean: 0.01 }),
  ]);

describe('Function: parseSnapshot', () => {
  it('should read epoch-second and ISO-8601 StartTime/EndTime into the same ISO window', () => {
    // Prepare
    const wire = twoServices();
    const cli = { ...twoServices(), StartTime: '2023-11-14T23:13:20Z', EndTime: '2023-11-14T23:23:20.000Z' };

    // Act
    const fromWire = parseSnapshot(wire).incident.window;
    const fromCli = parseSnapshot(cli).incident.window;

    // Assess
    expect(fromWire).toEqual({ start: '2023-11-14T23:13:20.000Z', end: '2023-11-14T23:23:20.000Z' });
    expect(fromCli).toEqual(fromWire);
  });

  it('should accept a service whose Root is null and treat it as not root', () => {
    // Prepare
    const raw = twoServices();
    const api = raw.Services.find((s) => s.Name === 'api');
    (api as unknown as Record<string, unknown>).Root = null;

    // Act
    const graph = parseSnapshot(raw).incident;

    // Assess
    expect(nodeNamed(graph, 'api').root).toBe(false);
    expect(nodeNamed(graph, 'client').root).toBe(false);
  });

  it('should accept an async link edge with empty SummaryStatistics and an empty histogram, marking it async', () => {
    // Prepare
    const raw = serviceGraph([
      node('producer', { n: 50, type: 'AWS::Lambda::Function' }),
      node('queue', { n: 50, type: 'AWS::SQS::Queue' }),
      edge('producer', 'queue', { n: 50, async: true }),
    ]);

    // Act
    const graph = parseSnapshot(raw).incident;

    // Assess
    const producer = nodeNamed(graph, 'producer');
    expect(producer.edges).toHaveLength(1);
    const link = producer.edges[0];
    expect(link?.async).toBe(true);
    expect(graph.nodes[link?.to ?? -1]?.name).toBe('queue');
    // `{}` still parses as statistics, with nothing counted and nothing invented.
    expect(link?.stats?.total ?? 0).toBe(0);
    expect(link?.stats?.histogram.values ?? []).toEqual([]);
  });

  it('should fold -0 in a histogram value into 0 and merge it with an explicit 0 bin', () => {
    // Prepare
    const raw = twoServices();
    const api = raw.Services.find((s) => s.Name === 'api');
    if (!api) throw new Error('kit lost api');
    api.ResponseTimeHistogram = [
      { Value: 0.1, Count: 60 },
      { Value: -0, Count: 30 },
      { Value: 0, Count: 10 },
    ];

    // Act
    const hist = nodeNamed(parseSnapshot(raw).incident, 'api').stats?.histogram;

    // Assess
    expect(hist).toEqual({ values: [0, 0.1], counts: [40, 60] });
    expect(Object.is(hist?.values[0], -0)).toBe(false);
  });

  it('should keep the same Name with two Types as two nodes with distinct keys', () => {
    // Prepare
    const raw = serviceGraph([
      node('orders', { n: 100, type: 'AWS::ECS::Container' }),
      node('orders ', { n: 100 }),
      edge('orders', 'orders ', { n: 100 }),
    ]);
    const second = raw.Services.find((s) => s.Name === 'orders ');
    if (!second) throw new Error('kit lost the second node');
    second.Name = 'orders';
    second.Type = 'AWS::DynamoDB::Table';

    // Act
    const graph = parseSnapshot(raw).incident;

    // Assess
    const container = nodeNamed(graph, 'orders', 'AWS::ECS::Container');
    const table = nodeNamed(graph, 'orders', 'AWS::DynamoDB::Table');
    expect(container.key).not.toBe(table.key);
    expect(table.inferred).toBe(true);
    expect(container.inferred).toBe(false);
    expect(graph.nodes[container.edges[0]?.to ?? -1]).toBe(table);
  });

  it('should keep the same Name and Type under two ReferenceIds as two nodes, keyed by id', () => {
    // Prepare: e.g. the same function name in two accounts
    const raw = {
      Services: [
        { ReferenceId: 4, Name: 'worker', Type: 'AWS::Lambda::Function' },
        { ReferenceId: 2, Name: 'worker', Type: 'AWS::Lambda::Function' },
      ],
    };

    // Act
    const graph = parseSnapshot(raw).incident;

    // Assess
    expect(graph.nodes.map((n) => n.key)).toEqual([
      'worker|AWS::Lambda::Function|2',
      'worker|AWS::Lambda::Function|4',
    ]);
  });

  it('should drop an edge whose ReferenceId is not in the list and count it in danglingEdges', () => {
    // Prepare
    const raw = twoServices();
    const api = raw.Services.find((s) => s.Name === 'api');
    if (!api) throw new Error('kit lost api');
    api.Edges.push({ ReferenceId: 99, SummaryStatistics: statistics({ n: 5 }), ResponseTimeHistogram: [] });

    // Act
    const graph = parseSnapshot(raw).incident;

    // Assess
    expect(graph.danglingEdges).toBe(1);
    expect(nodeNamed(graph, 'api').edges.map((e) => graph.nodes[e.to]?.name)).toEqual(['db']);
  });

  it('should merge several pages into one graph, resolving edges across pages', () => {
    // Prepare
    const whole = serviceGraph([
      node('api', { n: 100, mean: 0.05 }),
      node('orders', { n: 100, mean: 0.03 }),
      node('db', { n: 100, mean: 0.01, type: 'AWS::DynamoDB::Table' }),
      edge('api', 'orders', { n: 100, mean: 0.03 }),
      edge('orders', 'db', { n: 100, mean: 0.01 }),
    ]);
    const [first, second, third, fourth] = whole.Services;
    if (!first || !second || !third || !fourth) throw new Error('kit built too few services');
    const pages = [
      { StartTime: whole.StartTime, EndTime: whole.EndTime, Services: [first, second], NextToken: 'page-2' },
      { StartTime: whole.StartTime, EndTime: whole.EndTime, Services: [third, fourth] },
    ];

    // Act
    const merged = parseSnapshot(pages).incident;
    const single = parseSnapshot(whole).incident;

    // Assess
    expect(merged.nodes.map((n) => n.name)).toEqual(['api', 'client', 'db', 'orders']);
    expect(merged.danglingEdges).toBe(0);
    expect(nodeNamed(merged, 'orders').edges.map((e) => merged.nodes[e.to]?.name)).toEqual(['db']);
    expect(merged).toEqual(single);
  });

  it('should merge the edges of a node repeated on two pages', () => {
    // Prepare
    const whole = serviceGraph([
      node('api', { n: 100 }),
      node('a', { n: 40 }),
      node('b', { n: 60 }),
      edge('api', 'a', { n: 40 }),
      edge('api', 'b', { n: 60 }),
    ]);
    const api = whole.Services.find((s) => s.Name === 'api');
    if (!api) throw new Error('kit lost api');
    const [toA, toB] = api.Edges;
    if (!toA || !toB) throw new Error('kit lost edges');
    const others = whole.Services.filter((s) => s !== api);
    const pages = [
      { Services: [{ ...api, Edges: [toA] }, ...others] },
      { Services: [{ ...api, Edges: [toB] }] },
    ];

    // Act
    const graph = parseSnapshot(pages).incident;

    // Assess
    expect(graph.nodes.filter((n) => n.name === 'api')).toHaveLength(1);
    expect(
      nodeNamed(graph, 'api')
        .edges.map((e) => graph.nodes[e.to]?.name)
        .sort(),
    ).toEqual(['a', 'b']);
  });

  it('should parse both windows of a snapshot', () => {
    // Prepare
    const raw = snapshot(
      [node('api', { n: 200, faults: 20 }), node('db', { n: 200 }), edge('api', 'db', { n: 200 })],
      [node('api', { n: 100 })],
    );

    // Act
    const parsed = parseSnapshot(raw);

    // Assess
    expect(parsed.incident.window?.start).toBe(new Date(INCIDENT_START * 1000).toISOString());
    expect(parsed.baseline?.window?.start).toBeDefined();
    expect(parsed.baseline?.window?.start).not.toBe(parsed.incident.window?.start);
    expect(nodeNamed(parsed.incident, 'api').stats?.faults).toBe(20);
    expect(parsed.baseline?.nodes.map((n) => n.name)).toEqual(['api', 'client']);
  });

  it('should read a bare response as a snapshot without baseline', () => {
    // Prepare
    const raw = twoServices();

    // Act
    const parsed = parseSnapshot(raw);

    // Assess
    expect(parsed.baseline).toBeUndefined();
    expect(parsed.incident.nodes).toHaveLength(3);
  });

  it('should derive consistent statistics from the counts and sort the histogram by value', () => {
    // Prepare
    const raw = twoServices();
    const api = raw.Services.find((s) => s.Name === 'api');
    if (!api) throw new Error('kit lost api');
    api.SummaryStatistics = {
      OkCount: 90,
      ErrorStatistics: { ThrottleCount: 2, OtherCount: 3, TotalCount: 5 },
      FaultStatistics: { OtherCount: 5, TotalCount: 5 },
      TotalCount: 100,
      TotalResponseTime: 5,
    };
    api.ResponseTimeHistogram = [...histogram(100, 0.05)].reverse();

    // Act
    const stats = nodeNamed(parseSnapshot(raw).incident, 'api').stats;

    // Assess
    expect(stats).toMatchObject({ total: 100, ok: 90, errors: 3, throttles: 2, faults: 5, totalTime: 5 });
    expect(stats?.histogram.values).toEqual([0.025, 0.05, 0.07500000000000001]);
  });
});

describe('Function: parseSnapshot (rejections)', () => {
  it('should refuse a TotalCount given as a string, naming Services[0].SummaryStatistics.TotalCount', () => {
    // Prepare
    const raw = serviceGraph([node('api', { n: 100 })], { entry: null });
    const stats = raw.Services[0]?.SummaryStatistics;
    if (!stats) throw new Error('kit lost stats');
    (stats as unknown as Record<string, unknown>).TotalCount = '100';

    // Act
    const err = inputError(() => parseSnapshot(raw));

    // Assess
    expect(err.field).toBe('Services[0].SummaryStatistics.TotalCount');
    expect(err.message).toContain('expected a number');
  });

  it('should refuse a negative count, naming its path', () => {
    // Prepare
    const raw = serviceGraph([node('api', { n: 10 })], { entry: null });
    const stats = raw.Services[0]?.SummaryStatistics;
    if (!stats) throw new Error('kit lost stats');
    stats.FaultStatistics.TotalCount = -1;

    // Act
    const err = inputError(() => parseSnapshot(raw));

    // Assess
    expect(err.field).toBe('Services[0].SummaryStatistics.FaultStatistics.TotalCount');
    expect(err.problem).toMatch(/≥ 0/);
  });

  it('should refuse more faults than requests, naming the TotalCount', () => {
    // Prepare
    const raw = serviceGraph([node('api', { n: 10 })], { entry: null });
    const stats = raw.Services[0]?.SummaryStatistics;
    if (!stats) throw new Error('kit lost stats');
    stats.FaultStatistics.TotalCount = 11;

    // Act
    const err = inputError(() => parseSnapshot(raw));

    // Assess
    expect(err.field).toBe('Services[0].SummaryStatistics.TotalCount');
    expect(err.problem).toContain('11 faults');
  });

  it('should prefix the window name on errors inside a snapshot', () => {
    // Prepare
    const raw = snapshot([node('api', { n: 10 })], [node('api', { n: 10 })], { entry: null });
    const stats = raw.baseline?.Services[0]?.SummaryStatistics;
    if (!stats) throw new Error('kit lost stats');
    stats.OkCount = -5;

    // Act
    const err = inputError(() => parseSnapshot(raw));

    // Assess
    expect(err.field).toBe('baseline.Services[0].SummaryStatistics.OkCount');
  });

  it('should refuse Services that is not a list', () => {
    // Prepare
    const raw = { Services: { api: {} } };

    // Act
    const err = inputError(() => parseSnapshot(raw));

    // Assess
    expect(err.field).toBe('Services');
    expect(err.problem).toContain('expected a list');
  });

  it.each([
    [
      'BatchGetTraces',
      { Traces: [{ Id: '1-abc', Segments: [] }], UnprocessedTraceIds: [] },
      'BatchGetTraces',
    ],
    ['GetTraceSummaries', { TraceSummaries: [{ Id: '1-abc' }], ApproximateTime: 1 }, 'GetTraceSummaries'],
  ])('should refuse a %s response, saying it is not a service graph', (_label, raw, what) => {
    // Act
    const err = inputError(() => parseSnapshot(raw));

    // Assess
    expect(err.message).toContain('not a service graph');
    expect(err.message).toContain(what);
  });

  it.each([
    ['a plain array of numbers', [1, 2, 3], '[0]'],
    ['null', null, ''],
    ['a string', 'Services', ''],
    ['an empty list', [], ''],
    ['an object without Services', { Foo: 1 }, ''],
  ])('should refuse %s with a GraphInputError', (_label, raw, field) => {
    // Act
    const err = inputError(() => parseSnapshot(raw));

    // Assess
    expect(err.field).toBe(field);
    expect(err.message.length).toBeGreaterThan(0);
  });

  it('should refuse a service without a ReferenceId, naming the field', () => {
    // Prepare
    const raw = { Services: [{ Name: 'api', Type: 'AWS::ECS::Container' }] };

    // Act
    const err = inputError(() => parseSnapshot(raw));

    // Assess
    expect(err.field).toBe('Services[0].ReferenceId');
  });

  it('should refuse one ReferenceId used by two different services', () => {
    // Prepare
    const raw = {
      Services: [
        { ReferenceId: 1, Name: 'api' },
        { ReferenceId: 1, Name: 'db' },
      ],
    };

    // Act
    const err = inputError(() => parseSnapshot(raw));

    // Assess
    expect(err.field).toBe('Services[1].ReferenceId');
  });

  it('should refuse an EndTime before the StartTime', () => {
    // Prepare
    const raw = { ...twoServices(), StartTime: INCIDENT_START, EndTime: INCIDENT_START - 60 };

    // Act
    const err = inputError(() => parseWindow(raw, 'incident'));

    // Assess
    expect(err.field).toBe('incident.EndTime');
  });

  it('should refuse a negative histogram value, naming the entry', () => {
    // Prepare
    const raw = twoServices();
    const api = raw.Services.find((s) => s.Name === 'api');
    if (!api) throw new Error('kit lost api');
    api.ResponseTimeHistogram = [{ Value: -0.5, Count: 3 }];
    const index = raw.Services.indexOf(api);

    // Act
    const err = inputError(() => parseSnapshot(raw));

    // Assess
    expect(err.field).toBe(`Services[${index}].ResponseTimeHistogram[0].Value`);
  });
});
