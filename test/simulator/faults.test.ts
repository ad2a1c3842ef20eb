import { describe, expect, it } from 'vitest';
import { SimulationInputError } from '../../lambdas/simulator/errors.ts';
import {
  DEFAULT_SEVERITY,
  describeFault,
  parseFault,
  resolveFaults,
} from '../../lambdas/simulator/faults.ts';
import { shop } from '../../lambdas/simulator/topologies/index.ts';
import { compileTopology } from '../../lambdas/simulator/topology.ts';

describe('Faults: parsing SERVICE:KIND[:SEVERITY]', () => {
  it('should give each kind its default severity', () => {
    for (const kind of ['error', 'latency', 'throttle', 'unavailable', 'saturation'] as const) {
      expect(parseFault(`svc:${kind}`).severity).toEqual(DEFAULT_SEVERITY[kind]);
    }
  });

  it('should read shares as fractions or percentages', () => {
    expect(parseFault('svc:error:0.25').severity).toEqual({ mode: 'share', share: 0.25 });
    expect(parseFault('svc:throttle:40%').severity).toEqual({ mode: 'share', share: 0.4 });
    expect(parseFault('svc:unavailable:1').severity).toEqual({ mode: 'share', share: 1 });
    expect(parseFault('svc:saturation:120%').severity).toEqual({ mode: 'utilisation', utilisation: 1.2 });
  });

  it('should read latency as added time, a factor or a slow tail', () => {
    expect(parseFault('svc:latency:300ms').severity).toEqual({ mode: 'add', seconds: 0.3 });
    expect(parseFault('svc:latency:+1.5s').severity).toEqual({ mode: 'add', seconds: 1.5 });
    expect(parseFault('svc:latency:x4').severity).toEqual({ mode: 'scale', factor: 4 });
    expect(parseFault('svc:latency:3x').severity).toEqual({ mode: 'scale', factor: 3 });
    expect(parseFault('svc:latency:5%@2s').severity).toEqual({ mode: 'tail', share: 0.05, seconds: 2 });
  });

  it('should keep colons that belong to the service name', () => {
    const f = parseFault('arn:aws:lambda:us-east-1:123:function:f:error:0.3');
    expect(f.service).toBe('arn:aws:lambda:us-east-1:123:function:f');
    expect(f.kind).toBe('error');
  });

  const bad: [string, RegExp][] = [
    ['payment-service', /expected SERVICE:KIND\[:SEVERITY\]/],
    ['payment-service:explode', /"explode" is not a fault kind/],
    [':error', /service name is empty/],
    ['svc:error:', /severity after "error:" is empty/],
    ['svc:error:1.5', /impossible severity 1\.5/],
    ['svc:error:0', /impossible severity 0/],
    ['svc:throttle:-0.2', /impossible severity -0\.2|not a number/],
    ['svc:unavailable:abc', /not a number/],
    ['svc:latency:x0.5', /impossible severity: a slow-down factor of 0\.5/],
    ['svc:latency:0ms', /impossible severity/],
    ['svc:latency:fast', /give added time/],
    ['svc:latency:150%@2s', /slow tail of 150/],
    ['svc:saturation:0.2', /impossible severity 0\.2: saturation/],
  ];
  for (const [text, message] of bad) {
    it(`should refuse "${text}" with one clear line`, () => {
      expect(() => parseFault(text)).toThrow(SimulationInputError);
      expect(() => parseFault(text)).toThrow(message);
    });
  }
});

describe('Faults: binding to a topology', () => {
  const topo = compileTopology(shop);

  it('should name unknown services with a suggestion and the command that lists them', () => {
    expect(() => resolveFaults(topo, [parseFault('paymnt-service:error')])).toThrow(
      /no service "paymnt-service" in topology "shop"; did you mean "payment-service"\?.*--list --topology shop/,
    );
  });

  it('should refuse the same kind twice on one service and accept two kinds', () => {
    expect(() => resolveFaults(topo, [parseFault('users:error'), parseFault('users:error:0.5')])).toThrow(
      /already has an error fault/,
    );
    expect(resolveFaults(topo, [parseFault('users:error'), parseFault('users:latency')])).toHaveLength(2);
  });

  it('should describe a fault in a plain sentence', () => {
    const [f] = resolveFaults(topo, [parseFault('api.payments.example.com:unavailable')]);
    expect(f && describeFault(f)).toBe('api.payments.example.com is down: every connection is refused');
  });
});
