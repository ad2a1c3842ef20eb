import { describe, expect, it } from 'vitest';
import {
  ALARM_KINDS,
  alarmNameFor,
  alarmSafeServiceName,
  serviceFromAlarmName,
} from '../../lambdas/handlers/alarm-names.ts';
import { serviceAlarmName } from '../../lib/naming.ts';

describe('Function: alarmNameFor', () => {
  it('should name an alarm <prefix>-<service>-<kind>', () => {
    // Act & Assess
    expect(alarmNameFor('cascade-analyzer', 'payment-service')).toBe(
      'cascade-analyzer-payment-service-fault-rate',
    );
    expect(alarmNameFor('cascade-analyzer', 'api.payments.example.com', 'p99')).toBe(
      'cascade-analyzer-api.payments.example.com-p99',
    );
  });

  it('should be inverted by serviceFromAlarmName, including services whose names end like a kind', () => {
    // Prepare
    const services = ['frontend', 'api.payments.example.com', 'foo-p99', 'bar-fault-rate', 'a_b'];

    for (const service of services) {
      for (const kind of ALARM_KINDS) {
        // Act
        const back = serviceFromAlarmName('ca', alarmNameFor('ca', service, kind));

        // Assess
        expect(back).toBe(service);
      }
    }
  });

  it('should replace characters alarm names handle badly, and invert to the replaced form', () => {
    // Act
    const name = alarmNameFor('ca', 'my service/v2');

    // Assess
    expect(name).toBe('ca-my_service_v2-fault-rate');
    expect(serviceFromAlarmName('ca', name)).toBe(alarmSafeServiceName('my service/v2'));
  });

  it('should return undefined for names it did not make', () => {
    // Act & Assess
    expect(serviceFromAlarmName('ca', 'other-frontend-fault-rate')).toBeUndefined();
    expect(serviceFromAlarmName('ca', 'ca-frontend-errors')).toBeUndefined();
    expect(serviceFromAlarmName('ca', 'ca--p99')).toBeUndefined();
    expect(serviceFromAlarmName('ca', 'ca-p99')).toBeUndefined();
  });

  it('should refuse names CloudWatch would reject', () => {
    // Act & Assess
    expect(() => alarmNameFor('ca', 'x'.repeat(260))).toThrow(RangeError);
    expect(() => alarmNameFor('', 'frontend')).toThrow(/prefix/);
    expect(() => alarmNameFor('ca', '')).toThrow(/service/);
  });

  it('should agree with the names the CDK stack gives its alarms', () => {
    // Prepare
    const cases = [
      ['cascade-analyzer', 'frontend'],
      ['cascade-analyzer', 'api.payments.example.com'],
      ['x', 'my service/v2'],
    ] as const;

    for (const [prefix, service] of cases) {
      for (const kind of ALARM_KINDS) {
        // Act & Assess
        expect(alarmNameFor(prefix, service, kind)).toBe(serviceAlarmName(prefix, service, kind));
      }
    }
  });
});
