import { describe, expect, it } from 'vitest';
import { FINDINGS_TABLE_SCHEMA } from '../../lambdas/adapters/findings-table-schema.ts';
import { INCIDENT_VARIABLE, NO_INCIDENT } from '../../lambdas/report/console-link.ts';
import { CONFIG_DEFAULTS, ConfigError, loadConfig } from '../../lib/config.ts';
import { FINDINGS_KEYS } from '../../lib/constructs/findings-table.ts';
import { INCIDENT_CONSOLE_KEYS, incidentDashboardName } from '../../lib/constructs/incident-console.ts';
import { serviceAlarmName, serviceFilter, xrayGroupName } from '../../lib/naming.ts';
import { ANALYZE_MEMORY_MB, analyzeMemoryMb, MEASURED_PEAK_RSS_MIB } from '../../lib/sizing.ts';

const ctx = (values: Record<string, unknown>) => (key: string) => values[key];

describe('Function: loadConfig', () => {
  it('should apply the defaults to every key not given', () => {
    // Act
    const cfg = loadConfig(ctx({ watchedServices: [{ name: 'checkout' }] }));
    // Assess
    expect(cfg.lookbackMinutes).toBe(CONFIG_DEFAULTS.lookbackMinutes);
    expect(cfg.watchedServices[0]).toMatchObject({ name: 'checkout', faultRate: 0.05, p99Seconds: 1 });
  });

  it('should accept -c strings: JSON lists, comma lists and numbers', () => {
    // Act
    const cfg = loadConfig(
      ctx({
        watchedServices: '[{"name":"a","p99Seconds":2}]',
        notificationEmails: 'oncall@example.com, sre@example.com',
        lookbackMinutes: '30',
      }),
    );
    // Assess
    expect(cfg.watchedServices[0]?.p99Seconds).toBe(2);
    expect(cfg.notificationEmails).toEqual(['oncall@example.com', 'sre@example.com']);
    expect(cfg.lookbackMinutes).toBe(30);
  });

  it('should read the evidence settings: defaults, and -c strings for the mapping and the switches', () => {
    // Act
    const defaults = loadConfig(ctx({ watchedServices: [{ name: 'a' }] }));
    const given = loadConfig(
      ctx({
        watchedServices: [{ name: 'a' }],
        traceEvidence: 'false',
        changeLookbackMinutes: '0',
        changeServiceMapping: '{"/shop/flags":["frontend","checkout"]}',
      }),
    );
    // Assess
    expect(defaults).toMatchObject({
      traceEvidence: true,
      changeLookbackMinutes: 60,
      changeServiceMapping: {},
    });
    expect(given).toMatchObject({
      traceEvidence: false,
      changeLookbackMinutes: 0,
      changeServiceMapping: { '/shop/flags': ['frontend', 'checkout'] },
    });
  });

  const bad: [string, Record<string, unknown>, RegExp][] = [
    [
      'a fault rate above 1',
      { watchedServices: [{ name: 'a', faultRate: 2 }] },
      /"watchedServices\[0\]\.faultRate"/,
    ],
    [
      'a bad e-mail',
      { watchedServices: [{ name: 'a' }], notificationEmails: ['nope'] },
      /"notificationEmails\[0\]"/,
    ],
    [
      'an unknown key in a service',
      { watchedServices: [{ name: 'a', colour: 'red' }] },
      /"watchedServices\[0\]"/,
    ],
    ['a lookback of 0', { watchedServices: [{ name: 'a' }], lookbackMinutes: 0 }, /"lookbackMinutes"/],
    ['a name with quotes', { watchedServices: [{ name: 'a"b' }] }, /"watchedServices\[0\]\.name"/],
    [
      'a service listed twice',
      { watchedServices: [{ name: 'a' }, { name: 'a' }] },
      /"watchedServices": "a" is listed twice/,
    ],
    ['nothing to react to', {}, /nothing would start an analysis/],
    ['broken JSON from -c', { watchedServices: '[{"name":' }, /"watchedServices": not valid JSON/],
    ['a bad log level', { watchedServices: [{ name: 'a' }], logLevel: 'LOUD' }, /"logLevel"/],
    [
      'a change lookback beyond a day',
      { watchedServices: [{ name: 'a' }], changeLookbackMinutes: 1441 },
      /"changeLookbackMinutes"/,
    ],
    [
      'a change mapping to a name that is no list',
      { watchedServices: [{ name: 'a' }], changeServiceMapping: { '/shop/flags': 'frontend' } },
      /"changeServiceMapping\.\/shop\/flags"/,
    ],
  ];
  for (const [what, values, message] of bad) {
    it(`should fail naming the key for ${what}`, () => {
      expect(() => loadConfig(ctx(values))).toThrow(ConfigError);
      expect(() => loadConfig(ctx(values))).toThrow(message);
    });
  }
});

describe('Function: xrayGroupName', () => {
  it('should stay within X-Ray limits (1–32 letters, digits, dashes) for any service name', () => {
    // Prepare
    const names = ['checkout', 'a', 'payments.api/v2 (prod)', 'x'.repeat(200), '日本語-service', '---'];
    for (const name of names) {
      for (const kind of ['all', 'faults', 'slow'] as const) {
        // Act
        const group = xrayGroupName(name, kind);
        // Assess
        expect(group).toMatch(/^[A-Za-z0-9-]{1,32}$/);
      }
    }
  });

  it('should keep long names that share a prefix apart', () => {
    const a = xrayGroupName(`${'payments-'.repeat(5)}eu`, 'faults');
    const b = xrayGroupName(`${'payments-'.repeat(5)}us`, 'faults');
    expect(a).not.toBe(b);
  });
});

describe('Function: serviceAlarmName and serviceFilter', () => {
  it('should give each watched service two distinct alarm names under the prefix', () => {
    expect(serviceAlarmName('cascade-analyzer', 'checkout', 'fault-rate')).toBe(
      'cascade-analyzer-checkout-fault-rate',
    );
    expect(serviceAlarmName('cascade-analyzer', 'checkout', 'p99')).toBe('cascade-analyzer-checkout-p99');
  });

  it('should select the service and AND an extra expression', () => {
    expect(serviceFilter('checkout')).toBe('service("checkout")');
    expect(serviceFilter('checkout', 'annotation.env = "prod"')).toBe(
      'service("checkout") AND (annotation.env = "prod")',
    );
  });
});

describe('Config: incidents and API scoping', () => {
  it('should default the incident settings and accept an access list given as JSON text', () => {
    // Act
    const cfg = loadConfig((k) =>
      k === 'alarmNames'
        ? 'legacy-5xx'
        : k === 'apiAccess'
          ? '[{"principal": "arn:aws:sts::111122223333:assumed-role/team-*", "services": ["checkout"]}]'
          : undefined,
    );

    // Assess
    expect([
      cfg.incidentWindowMinutes,
      cfg.incidentHops,
      cfg.incidentUpdateMinutes,
      cfg.incidentMaxIdleHours,
    ]).toEqual([15, 1, 30, 24]);
    expect(cfg.apiReservedConcurrency).toBe(5);
    expect(cfg.apiAccess[0]?.services).toEqual(['checkout']);
    expect(() =>
      loadConfig((k) => (k === 'alarmNames' ? 'a' : k === 'incidentHops' ? '11' : undefined)),
    ).toThrow(/incidentHops/);
  });
});

describe('Contract: findings table keys', () => {
  it('should be the same in the CDK construct and in the repository adapter', () => {
    expect(FINDINGS_KEYS.partitionKey).toBe(FINDINGS_TABLE_SCHEMA.partitionKey.name);
    expect(FINDINGS_KEYS.serviceIndex).toBe(FINDINGS_TABLE_SCHEMA.byServiceIndex.name);
    expect(FINDINGS_KEYS.serviceKey).toBe(FINDINGS_TABLE_SCHEMA.byServiceIndex.partitionKey.name);
    expect(FINDINGS_KEYS.timeKey).toBe(FINDINGS_TABLE_SCHEMA.byServiceIndex.sortKey.name);
    expect(FINDINGS_KEYS.ttlAttribute).toBe(FINDINGS_TABLE_SCHEMA.ttlAttribute);
    expect([...FINDINGS_KEYS.listAttributes]).toEqual([
      ...FINDINGS_TABLE_SCHEMA.byServiceIndex.nonKeyAttributes,
    ]);
    const incidents = FINDINGS_TABLE_SCHEMA.incidentsIndex;
    expect(FINDINGS_KEYS.incidentsIndex).toBe(incidents.name);
    expect(FINDINGS_KEYS.incidentServiceKey).toBe(incidents.partitionKey.name);
    expect(FINDINGS_KEYS.incidentTimeKey).toBe(incidents.sortKey.name);
    expect([...FINDINGS_KEYS.incidentListAttributes]).toEqual([...incidents.nonKeyAttributes]);
    const sweep = FINDINGS_TABLE_SCHEMA.sweepIndex;
    expect(FINDINGS_KEYS.sweepIndex).toBe(sweep.name);
    expect(FINDINGS_KEYS.sweepKindKey).toBe(sweep.partitionKey.name);
    expect(FINDINGS_KEYS.sweepTimeKey).toBe(sweep.sortKey.name);
    expect([...FINDINGS_KEYS.sweepAttributes]).toEqual([...sweep.nonKeyAttributes]);
    const history = FINDINGS_TABLE_SCHEMA.historyIndex;
    expect(FINDINGS_KEYS.historyIndex).toBe(history.name);
    expect(FINDINGS_KEYS.historyKey).toBe(history.partitionKey.name);
    expect(FINDINGS_KEYS.historyTimeKey).toBe(history.sortKey.name);
    expect([...FINDINGS_KEYS.historyAttributes]).toEqual([...history.nonKeyAttributes]);
  });
});

describe('Contract: the incident dashboard', () => {
  it('should name the dashboard variable and its default the same in the construct and the links', () => {
    expect(INCIDENT_CONSOLE_KEYS.variable).toBe(INCIDENT_VARIABLE);
    expect(INCIDENT_CONSOLE_KEYS.noIncident).toBe(NO_INCIDENT);
  });

  it('should derive a valid dashboard name from any stack name', () => {
    expect(incidentDashboardName('CascadeAnalyzer')).toBe('CascadeAnalyzer-incidents');
    expect(incidentDashboardName('team.prod stack')).toBe('team-prod-stack-incidents');
    expect(() => incidentDashboardName('x'.repeat(250))).toThrow('longer than 255 characters');
  });
});

describe('Function: analyzeMemoryMb', () => {
  it('should give the measured peak 50 % headroom in 64 MB steps, within Lambda’s limits', () => {
    expect(analyzeMemoryMb(402)).toBe(640);
    expect(analyzeMemoryMb(400)).toBe(640);
    expect(analyzeMemoryMb(427)).toBe(704);
    expect(analyzeMemoryMb(10)).toBe(128);
    expect(analyzeMemoryMb(20_000)).toBe(10_240);
    expect(() => analyzeMemoryMb(0)).toThrow('peak RSS must be a positive number of MiB, got 0');
  });

  it('should size the stack’s Analyze function from the measured figure', () => {
    expect(ANALYZE_MEMORY_MB).toBe(analyzeMemoryMb(MEASURED_PEAK_RSS_MIB));
  });
});
