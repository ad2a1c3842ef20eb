import { describe, expect, it } from 'vitest';
import { SimulationInputError } from '../../lambdas/simulator/errors.ts';
import { referenceLoad } from '../../lambdas/simulator/physics.ts';
import {
  builtinTopology,
  generatedTopology,
  NAMED_TOPOLOGIES,
} from '../../lambdas/simulator/topologies/index.ts';
import {
  type CompiledTopology,
  compileTopology,
  parseTopologyJson,
} from '../../lambdas/simulator/topology.ts';

const compiled = (name: string) => compileTopology(builtinTopology(name));
const outDegree = (t: CompiledTopology, v: number) => (t.outStart[v + 1] ?? 0) - (t.outStart[v] ?? 0);
const inDegree = (t: CompiledTopology, v: number) => (t.inStart[v + 1] ?? 0) - (t.inStart[v] ?? 0);

describe('Topologies: the shipped systems', () => {
  for (const spec of NAMED_TOPOLOGIES) {
    it(`should compile ${spec.name} with every service reached by the users`, () => {
      const t = compileTopology(spec);
      const load = referenceLoad(t);
      for (let v = 0; v < t.n; v++) expect(load[v], t.labels[v]).toBeGreaterThan(0);
    });
  }

  it('should ship Online Boutique with its 11 services', () => {
    const t = compiled('online-boutique');
    expect(t.n).toBe(11);
    expect(t.names).toEqual(
      expect.arrayContaining(['frontend', 'checkoutservice', 'adservice', 'redis-cart']),
    );
  });

  it('should ship Train Ticket with about 40 services, each with its MySQL schema where it has one', () => {
    const t = compiled('train-ticket');
    const services = t.names.filter((n) => n.startsWith('ts-') && n !== 'ts-rabbitmq');
    expect(services.length).toBeGreaterThanOrEqual(40);
    expect(t.types.filter((x) => x === 'Database::SQL').length).toBeGreaterThan(20);
    // ts-seat-service asks ts-travel-service for routes while travel asks seat for tickets: a real cycle.
    expect([...t.back].some((b) => b === 1)).toBe(true);
  });

  it('should ship Sock Shop and the DeathStarBench social network with their stores', () => {
    expect(compiled('sock-shop').names).toEqual(
      expect.arrayContaining(['front-end', 'queue-master', 'rabbitmq']),
    );
    expect(compiled('social-network').names).toEqual(
      expect.arrayContaining([
        'nginx-thrift',
        'compose-post-service',
        'home-timeline-redis',
        'post-storage-mongodb',
      ]),
    );
  });
});

describe('Topologies: generated estates', () => {
  it('should have exactly N services with a heavy-tailed fan-out and shared back ends of every kind', () => {
    // Act
    const t = compileTopology(generatedTopology(2000));
    // Assess
    expect(t.n).toBe(2000);
    const degrees = Array.from({ length: t.n }, (_, v) => outDegree(t, v))
      .filter((d) => d > 0)
      .sort((a, b) => a - b);
    const median = degrees[degrees.length >> 1] ?? 0;
    expect(degrees[degrees.length - 1]).toBeGreaterThanOrEqual(8 * median);
    const types = new Set(t.types);
    for (const type of [
      'AWS::DynamoDB::Table',
      'AWS::SQS::Queue',
      'Database::SQL',
      'remote',
      'AWS::S3::Bucket',
      'AWS::SNS',
      'AWS::KMS::Key',
      'AWS::SecretsManager',
      'AWS::Lambda::Function',
    ]) {
      expect(types.has(type), type).toBe(true);
    }
    const fanIn = Array.from({ length: t.n }, (_, v) => (t.inferred[v] ? inDegree(t, v) : 0));
    expect(Math.max(...fanIn)).toBeGreaterThanOrEqual(50);
    expect([...t.async].some((a) => a === 1)).toBe(true);
  });

  it('should build 20,000 services and refuse more', () => {
    expect(compileTopology(generatedTopology(20_000)).n).toBe(20_000);
    expect(() => generatedTopology(20_001)).toThrow(/--services must be a whole number from 10 to 20000/);
  });

  it('should give the same estate for the same size', () => {
    expect(JSON.stringify(generatedTopology(300))).toBe(JSON.stringify(generatedTopology(300)));
  });
});

describe('Topologies: names and files', () => {
  it('should refuse an unknown topology, naming the shipped ones', () => {
    expect(() => builtinTopology('shopp')).toThrow(SimulationInputError);
    expect(() => builtinTopology('shopp')).toThrow(
      /unknown topology "shopp"; built in: shop, .*did you mean "shop"/,
    );
  });

  it('should read a topology file and name the field that is wrong', () => {
    const good = {
      name: 'mine',
      traffic: 10,
      services: [
        {
          name: 'api',
          type: 'AWS::Lambda::Function',
          entry: 1,
          latency: { median: 0.01, p99: 0.05 },
          calls: [{ to: 'orders', perRequest: 1, retries: 1 }],
        },
        { name: 'orders', type: 'AWS::DynamoDB::Table', latency: { median: 0.005, p99: 0.02 } },
      ],
    };
    expect(compileTopology(parseTopologyJson(good)).n).toBe(2);
    const bad = structuredClone(good);
    (bad.services[0]?.calls?.[0] as { perRequest: number }).perRequest = -1;
    expect(() => parseTopologyJson(bad)).toThrow(/services\[0\]\.calls\[0\]\.perRequest: Too small/);
    const unknown = structuredClone(good);
    (unknown.services[0]?.calls?.[0] as { to: string }).to = 'ordrs';
    expect(() => compileTopology(parseTopologyJson(unknown))).toThrow(
      /calls unknown service "ordrs"; did you mean "orders"/,
    );
  });
});
