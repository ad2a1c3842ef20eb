import { describe, expect, it } from 'vitest';
import { alarmAnalysisId } from '../../lambdas/handlers/alarm-event.ts';
import type { WatchedService } from '../../lambdas/handlers/contracts.ts';
import { InputValidationError, UnknownAlarmServiceError } from '../../lambdas/handlers/errors.ts';
import { type PrepareDeps, prepare } from '../../lambdas/handlers/prepare.ts';
import { ALARM_TIME, alarmEvent } from './fakes.ts';

const WATCHED: WatchedService[] = [
  {
    name: 'frontend',
    groupName: 'ca-frontend',
    faultRate: 0.05,
    alarmNames: ['cascade-analyzer-frontend-fault-rate', 'cascade-analyzer-frontend-p99'],
  },
  {
    name: 'payment-service',
    groupName: 'ca-payment-service',
    cpuMetric: {
      namespace: 'AWS/ECS',
      metricName: 'CPUUtilization',
      dimensions: { ClusterName: 'shop', ServiceName: 'payments' },
    },
  },
  { name: 'order-service' },
];

const deps: PrepareDeps = {
  watched: WATCHED,
  lookbackMinutes: 15,
  baselineMinutes: 60,
  alarmPrefix: 'cascade-analyzer',
  now: () => new Date('2026-11-20T04:00:00Z'),
};

/** Runs `fn`, expecting it to throw an error of `type`; returns the error for further checks. */
function thrown<E extends Error>(fn: () => unknown, type: new (...args: never[]) => E): E {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(type);
    return err as E;
  }
  throw new Error('expected an error, got none');
}

function withoutDetailField(field: string): Record<string, unknown> {
  const event = alarmEvent();
  const detail = { ...(event.detail as Record<string, unknown>) };
  delete detail[field];
  return { ...event, detail };
}

describe('Handler: prepare', () => {
  it('should turn an alarm event into a request whose windows end at the alarm time', () => {
    // Act
    const request = prepare(alarmEvent(), deps);

    // Assess
    expect(request).toMatchObject({
      service: 'frontend',
      groupName: 'ca-frontend',
      trigger: { source: 'alarm', service: 'frontend', alarmName: 'cascade-analyzer-frontend-fault-rate' },
      window: { start: '2026-11-20T03:00:00.000Z', end: '2026-11-20T03:15:00.000Z' },
      baseline: { start: '2026-11-20T02:00:00.000Z', end: '2026-11-20T03:00:00.000Z' },
    });
    expect(request.analysisId).toMatch(/^alarm-[0-9a-f]{32}$/);
  });

  it('should give the same analysisId to the same event delivered twice', () => {
    // Prepare: EventBridge redelivers with a new event id; the alarm's state change is the same.
    const first = alarmEvent();
    const again = { ...structuredClone(first), id: 'another-delivery', time: '2026-11-20T03:16:30Z' };

    // Act
    const a = prepare(first, deps);
    const b = prepare(again, deps);

    // Assess
    expect(b.analysisId).toBe(a.analysisId);
    expect(a.analysisId).toBe(
      alarmAnalysisId({
        alarmArn: 'arn:aws:cloudwatch:eu-west-1:123456789012:alarm:cascade-analyzer-frontend-fault-rate',
        alarmName: 'cascade-analyzer-frontend-fault-rate',
        stateTimestamp: ALARM_TIME,
      }),
    );
  });

  it('should give a later state change of the same alarm another analysisId', () => {
    // Prepare
    const later = alarmEvent(undefined, {
      state: { value: 'ALARM', reason: 'again', timestamp: '2026-11-20T05:00:00.000+0000' },
    });

    // Act & Assess
    expect(prepare(later, deps).analysisId).not.toBe(prepare(alarmEvent(), deps).analysisId);
  });

  it('should reject an event without detail, naming the field', () => {
    // Prepare
    const { detail: _detail, ...event } = alarmEvent();

    // Act
    const err = thrown(() => prepare(event, deps), InputValidationError);

    // Assess
    expect(err.field).toBe('detail');
    expect(err.message).toContain('detail');
  });

  it('should reject an alarm whose state is not ALARM, naming detail.state.value', () => {
    // Prepare
    const ok = alarmEvent(undefined, { state: { value: 'OK', reason: 'recovered', timestamp: ALARM_TIME } });

    // Act
    const err = thrown(() => prepare(ok, deps), InputValidationError);

    // Assess
    expect(err.field).toBe('detail.state.value');
    expect(err.message).toMatch(/ALARM/);
  });

  it('should reject a state timestamp that is not ISO-8601, naming detail.state.timestamp', () => {
    // Prepare
    const bad = alarmEvent(undefined, {
      state: { value: 'ALARM', reason: 'x', timestamp: 'yesterday at noon' },
    });

    // Act
    const err = thrown(() => prepare(bad, deps), InputValidationError);

    // Assess
    expect(err.field).toBe('detail.state.timestamp');
  });

  it('should reject an event of another detail-type, naming detail-type', () => {
    // Prepare
    const ec2 = { ...alarmEvent(), 'detail-type': 'EC2 Instance State-change Notification' };

    // Act
    const err = thrown(() => prepare(ec2, deps), InputValidationError);

    // Assess
    expect(err.field).toBe('detail-type');
    expect(err.message).toContain('CloudWatch Alarm State Change');
  });

  it('should reject an event without an alarm name, naming detail.alarmName', () => {
    // Act
    const err = thrown(() => prepare(withoutDetailField('alarmName'), deps), InputValidationError);

    // Assess
    expect(err.field).toBe('detail.alarmName');
    expect(err.problem).toBe('required');
  });

  it('should reject input that is not an object', () => {
    // Act
    const err = thrown(() => prepare('{"detail": {}}', deps), InputValidationError);

    // Assess
    expect(err.field).toBe('(input)');
  });

  it('should fail with a typed error when the alarm maps to no service', () => {
    // Prepare: not our naming scheme, and its metric belongs to no watched service.
    const foreign = alarmEvent('legacy-db-connections', {
      configuration: {
        metrics: [
          {
            id: 'm1',
            metricStat: {
              metric: {
                namespace: 'AWS/RDS',
                name: 'DatabaseConnections',
                dimensions: { DBInstanceIdentifier: 'db-1' },
              },
            },
          },
        ],
      },
    });

    // Act
    const err = thrown(() => prepare(foreign, deps), UnknownAlarmServiceError);

    // Assess
    expect(err.alarmName).toBe('legacy-db-connections');
    expect(err.message).toContain('frontend, payment-service, order-service');
  });

  it('should derive the service from one of our alarm names even when it is not watched', () => {
    // Act
    const request = prepare(
      alarmEvent('cascade-analyzer-inventory-service-p99', { configuration: {} }),
      deps,
    );

    // Assess
    expect(request.service).toBe('inventory-service');
    expect(request.groupName).toBeUndefined();
  });

  it('should match a watched service by the X-Ray group in the alarm metric', () => {
    // Act: the default event's metric has GroupName ca-frontend, under a foreign alarm name.
    const request = prepare(alarmEvent('legacy-frontend-errors'), deps);

    // Assess
    expect(request.service).toBe('frontend');
  });

  it('should match a watched service by its CPU metric and by a dimension naming it', () => {
    // Prepare
    const cpu = alarmEvent('payments-cpu-high', {
      configuration: {
        metrics: [
          {
            id: 'cpu',
            metricStat: {
              metric: {
                namespace: 'AWS/ECS',
                name: 'CPUUtilization',
                dimensions: { ClusterName: 'shop', ServiceName: 'payments' },
              },
            },
          },
        ],
      },
    });
    const dim = alarmEvent('orders-5xx', {
      configuration: {
        metrics: [
          {
            id: 'm',
            metricStat: {
              metric: { namespace: 'Shop', name: '5xx', dimensions: { Service: 'order-service' } },
            },
          },
        ],
      },
    });

    // Act & Assess
    expect(prepare(cpu, deps).service).toBe('payment-service');
    expect(prepare(dim, deps).service).toBe('order-service');
  });

  it('should use the configured alarm prefix', () => {
    // Act
    const request = prepare(alarmEvent('acme-checkout-fault-rate', { configuration: {} }), {
      ...deps,
      alarmPrefix: 'acme',
    });

    // Assess
    expect(request.service).toBe('checkout');
  });

  it('should turn an API request with a window into a request with the baseline before it', () => {
    // Act
    const request = prepare(
      {
        source: 'api',
        analysisId: 'api-1',
        service: 'order-service',
        window: { start: '2026-11-20T01:00:00Z', end: '2026-11-20T01:30:00Z' },
      },
      deps,
    );

    // Assess
    expect(request).toEqual({
      analysisId: 'api-1',
      service: 'order-service',
      trigger: { source: 'api', service: 'order-service' },
      window: { start: '2026-11-20T01:00:00.000Z', end: '2026-11-20T01:30:00.000Z' },
      baseline: { start: '2026-11-20T00:00:00.000Z', end: '2026-11-20T01:00:00.000Z' },
    });
  });

  it('should end the window of an API request without one now', () => {
    // Act
    const request = prepare({ source: 'api', analysisId: 'api-2', service: 'frontend' }, deps);

    // Assess
    expect(request.window).toEqual({ start: '2026-11-20T03:45:00.000Z', end: '2026-11-20T04:00:00.000Z' });
    expect(request.groupName).toBe('ca-frontend');
  });

  it('should reject an API request with an unsafe analysisId, naming the field', () => {
    // Act
    const err = thrown(
      () => prepare({ source: 'api', analysisId: '../etc/passwd', service: 'frontend' }, deps),
      InputValidationError,
    );

    // Assess
    expect(err.field).toBe('analysisId');
  });
});
