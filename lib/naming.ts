// Names of the resources made per watched service. Pure and unit-tested: alarm names are how
// an alarm event is mapped back to the service, and X-Ray group names have tight limits.

/** X-Ray group names: 1–32 characters, letters, digits and dashes. */
export function xrayGroupName(service: string, kind: 'all' | 'faults' | 'slow'): string {
  const suffix = kind === 'all' ? '' : `-${kind}`;
  const slug = service.replace(/[^A-Za-z0-9]+/g, '-').replace(/^-+|-+$/g, '') || 'svc';
  const budget = 32 - 'ca-'.length - suffix.length;
  const body = slug.length <= budget ? slug : `${slug.slice(0, budget - 7)}-${shortHash(service)}`;
  return `ca-${body}${suffix}`;
}

/** CloudWatch alarm names of a watched service (the analyzer's own alarms start with the prefix). */
export function serviceAlarmName(prefix: string, service: string, kind: 'fault-rate' | 'p99'): string {
  return `${prefix}-${service.replace(/[^A-Za-z0-9._-]+/g, '_')}-${kind}`;
}

export const ALARM_PREFIX = 'cascade-analyzer';

/** The X-Ray filter expression that selects a service's traces. */
export function serviceFilter(service: string, extra?: string): string {
  const base = `service("${service}")`;
  return extra ? `${base} AND (${extra})` : base;
}

function shortHash(s: string): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h.toString(36).padStart(6, '0').slice(-6);
}
