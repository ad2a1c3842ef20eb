// Names of the analyzer's own CloudWatch alarms and the way back from an alarm name to the
// service it watches. Pure and shared with the CDK code (no SDK import), so the two cannot drift.

/** The prefix of the stack's own alarms when `ALARM_PREFIX` is not set. */
export const DEFAULT_ALARM_PREFIX = 'cascade-analyzer';

/** One alarm per signal: the fault share of the service's traces, and its p99 latency. */
export const ALARM_KINDS = ['fault-rate', 'p99'] as const;
export type AlarmKind = (typeof ALARM_KINDS)[number];

/** CloudWatch alarm names have at most 255 characters. */
export const MAX_ALARM_NAME_LENGTH = 255;

/**
 * The service as it appears in alarm names: characters CloudWatch consoles and EventBridge
 * patterns handle badly become `_`. Lossless for usual X-Ray names (`api.payments.example.com`).
 */
export function alarmSafeServiceName(service: string): string {
  return service.replace(/[^A-Za-z0-9._-]+/g, '_');
}

/** `<prefix>-<service>-<kind>`, e.g. `cascade-analyzer-payment-service-fault-rate`. */
export function alarmNameFor(prefix: string, service: string, kind: AlarmKind = 'fault-rate'): string {
  if (prefix === '') throw new RangeError('alarm name prefix must not be empty');
  if (service === '') throw new RangeError('service name must not be empty');
  const name = `${prefix}-${alarmSafeServiceName(service)}-${kind}`;
  if (name.length > MAX_ALARM_NAME_LENGTH) {
    throw new RangeError(
      `alarm name for service "${service}" would exceed ${MAX_ALARM_NAME_LENGTH} characters`,
    );
  }
  return name;
}

/**
 * The service part of one of our alarm names (as `alarmSafeServiceName` wrote it), or undefined
 * when the name was not made by `alarmNameFor` with this prefix.
 */
export function serviceFromAlarmName(prefix: string, alarmName: string): string | undefined {
  if (prefix === '' || !alarmName.startsWith(`${prefix}-`)) return undefined;
  const rest = alarmName.slice(prefix.length + 1);
  for (const kind of ALARM_KINDS) {
    const suffix = `-${kind}`;
    if (rest.endsWith(suffix) && rest.length > suffix.length) return rest.slice(0, -suffix.length);
  }
  return undefined;
}
