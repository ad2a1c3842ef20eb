import { describe, expect, it } from 'vitest';
import {
  checkRequiredEnv,
  evidenceSettings,
  HANDLER_NAMES,
  prepareSettings,
  REQUIRED_ENV,
  readIntEnv,
  readWatchedServices,
  requireEnv,
} from '../../lambdas/handlers/env.ts';
import { ConfigurationError } from '../../lambdas/handlers/errors.ts';

/** Everything every function needs, as the stack sets it. */
const FULL = {
  WATCHED_SERVICES: JSON.stringify([{ name: 'frontend', groupName: 'ca-frontend' }]),
  LOOKBACK_MINUTES: '15',
  BASELINE_MINUTES: '60',
  SNAPSHOT_BUCKET: 'snapshots-bucket',
  FINDINGS_TABLE: 'findings',
  FINDINGS_RETENTION_DAYS: '90',
  TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:findings',
  STATE_MACHINE_ARN: 'arn:aws:states:eu-west-1:123456789012:stateMachine:analyses',
  CHANGE_LOOKBACK_MINUTES: '60',
  INCIDENT_DASHBOARD: 'CascadeAnalyzer-incidents',
};

describe('Cold start: environment variables', () => {
  it('should name the one missing variable', () => {
    // Prepare
    const { FINDINGS_TABLE: _t, ...env } = FULL;

    // Act & Assess
    expect(() => checkRequiredEnv('store', env)).toThrow(
      new ConfigurationError('missing environment variable FINDINGS_TABLE'),
    );
  });

  it('should name every missing variable, treating blank as missing', () => {
    // Act & Assess
    expect(() => checkRequiredEnv('api', { FINDINGS_TABLE: '  ' })).toThrow(
      'missing environment variables FINDINGS_TABLE, FINDINGS_RETENTION_DAYS, STATE_MACHINE_ARN',
    );
  });

  it('should accept the environment the stack sets, for every function', () => {
    // Act & Assess
    for (const name of HANDLER_NAMES) expect(() => checkRequiredEnv(name, FULL)).not.toThrow();
  });

  it('should require exactly the documented variables per function', () => {
    // Assess: this table is what the CDK stack must provide.
    expect(REQUIRED_ENV).toEqual({
      prepare: ['WATCHED_SERVICES', 'LOOKBACK_MINUTES', 'BASELINE_MINUTES'],
      'collect-graph': ['SNAPSHOT_BUCKET'],
      'collect-evidence': ['SNAPSHOT_BUCKET', 'WATCHED_SERVICES', 'CHANGE_LOOKBACK_MINUTES'],
      enrich: ['WATCHED_SERVICES'],
      analyze: ['SNAPSHOT_BUCKET', 'WATCHED_SERVICES'],
      store: ['SNAPSHOT_BUCKET', 'FINDINGS_TABLE', 'FINDINGS_RETENTION_DAYS'],
      notify: ['SNAPSHOT_BUCKET', 'FINDINGS_TABLE', 'FINDINGS_RETENTION_DAYS', 'TOPIC_ARN'],
      'record-failure': ['FINDINGS_TABLE', 'FINDINGS_RETENTION_DAYS', 'TOPIC_ARN'],
      correlate: ['SNAPSHOT_BUCKET', 'FINDINGS_TABLE', 'FINDINGS_RETENTION_DAYS'],
      'resolve-alarm': ['FINDINGS_TABLE', 'FINDINGS_RETENTION_DAYS'],
      'execution-watch': ['FINDINGS_TABLE', 'FINDINGS_RETENTION_DAYS', 'TOPIC_ARN'],
      'sweep-outbox': ['FINDINGS_TABLE', 'FINDINGS_RETENTION_DAYS', 'TOPIC_ARN'],
      api: ['FINDINGS_TABLE', 'FINDINGS_RETENTION_DAYS', 'STATE_MACHINE_ARN'],
      'incident-console': ['FINDINGS_TABLE', 'FINDINGS_RETENTION_DAYS', 'INCIDENT_DASHBOARD'],
    });
  });

  it('should read one variable or name it when absent', () => {
    // Act & Assess
    expect(requireEnv({ TOPIC_ARN: ' arn:x ' }, 'TOPIC_ARN')).toBe('arn:x');
    expect(() => requireEnv({}, 'TOPIC_ARN')).toThrow('missing environment variable TOPIC_ARN');
  });

  it('should reject a number out of range, naming the variable and the value', () => {
    // Act & Assess
    expect(() => readIntEnv({ LOOKBACK_MINUTES: '0' }, 'LOOKBACK_MINUTES', 1, 360)).toThrow(
      'environment variable LOOKBACK_MINUTES must be a whole number from 1 to 360, got "0"',
    );
    expect(() => readIntEnv({ LOOKBACK_MINUTES: '15m' }, 'LOOKBACK_MINUTES', 1, 360)).toThrow(
      /LOOKBACK_MINUTES/,
    );
    expect(readIntEnv({ LOOKBACK_MINUTES: '15' }, 'LOOKBACK_MINUTES', 1, 360)).toBe(15);
  });

  it('should reject WATCHED_SERVICES that is not JSON or not a list of services', () => {
    // Act & Assess
    expect(() => readWatchedServices({ WATCHED_SERVICES: '[{' }, true)).toThrow(
      'environment variable WATCHED_SERVICES is not valid JSON',
    );
    expect(() => readWatchedServices({ WATCHED_SERVICES: '[{"name": ""}]' }, true)).toThrow(
      /WATCHED_SERVICES: \[0\]\.name/,
    );
    expect(() => readWatchedServices({}, true)).toThrow('missing environment variable WATCHED_SERVICES');
  });

  it('should treat WATCHED_SERVICES as optional where the function can do without it', () => {
    // Act & Assess
    expect(readWatchedServices({}, false)).toEqual([]);
  });

  it("should build Prepare's settings, with the default alarm prefix", () => {
    // Act
    const settings = prepareSettings(FULL);

    // Assess
    expect(settings).toEqual({
      watched: [{ name: 'frontend', groupName: 'ca-frontend' }],
      lookbackMinutes: 15,
      baselineMinutes: 60,
      alarmPrefix: 'cascade-analyzer',
    });
  });

  it("should fail Prepare's settings naming the missing variable", () => {
    // Prepare
    const { LOOKBACK_MINUTES: _l, ...env } = FULL;

    // Act & Assess
    expect(() => prepareSettings(env)).toThrow('missing environment variable LOOKBACK_MINUTES');
  });

  it('should read CollectEvidence settings: lookback, trace switch and mapping, naming a bad one', () => {
    // Act
    const settings = evidenceSettings({
      ...FULL,
      TRACE_EVIDENCE: 'false',
      CHANGE_SERVICE_MAPPING: JSON.stringify({ '/shop/flags': ['frontend'] }),
    });
    // Assess
    expect(settings).toMatchObject({
      changeLookbackMinutes: 60,
      traceEvidence: false,
      serviceMapping: { '/shop/flags': ['frontend'] },
    });
    expect(evidenceSettings(FULL).traceEvidence).toBe(true);
    expect(() => evidenceSettings({ ...FULL, CHANGE_LOOKBACK_MINUTES: '2000' })).toThrow(
      'environment variable CHANGE_LOOKBACK_MINUTES must be a whole number from 0 to 1440, got "2000"',
    );
    expect(() => evidenceSettings({ ...FULL, CHANGE_SERVICE_MAPPING: '{"a":"b"}' })).toThrow(
      /CHANGE_SERVICE_MAPPING must map resource names to lists of service names/,
    );
  });
});
