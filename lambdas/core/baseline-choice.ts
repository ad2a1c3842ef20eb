// Which baseline an incident is compared with. The hours right before the alarm are the natural
// reference, unless a service was in an outage then (a flapping alarm, an earlier incident not
// over): every rise against an outage is a recovery or its tail. Then the same hours a day
// earlier, when daily traffic looks alike, are the reference — if they heal that outage without
// bringing one of their own. Pure: the workflow's CollectGraph reads the windows. It reads the raw
// GetServiceGraph responses' counts only, so that a 10,000-service window costs no second copy.

import { isObj } from './evidence/fields.ts';
import type { RequestStats } from './model.ts';

/** A service that failed at least this share of its requests (5xx and 429) in a window was in an outage. */
export const OUTAGE_SHARE = 0.5;
/** The second baseline is read this many hours earlier: the same time of day, a day before. */
export const EARLIER_BASELINE_HOURS = 24;

/** Share of a window's requests that failed as callers see it (5xx and 429; other 4xx are callers' mistakes). */
export function failedShare(s: Pick<RequestStats, 'total' | 'faults' | 'throttles'>): number {
  return s.total > 0 ? (s.faults + s.throttles) / s.total : 0;
}

/** One window's services with traffic, by `Name|Type`: their name, requests and failed share. */
export type WindowCounts = ReadonlyMap<string, { readonly name: string; readonly failed: number }>;

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : 0);
const obj = (v: unknown): Record<string, unknown> | undefined => (isObj(v) ? v : undefined);

/**
 * The counts of a GetServiceGraph response (or its pages). Users (`client`) and services without
 * their own statistics are left out; anything malformed is skipped: the analysis names it later.
 */
export function windowCounts(doc: unknown): WindowCounts {
  const out = new Map<string, { name: string; failed: number }>();
  for (const page of Array.isArray(doc) ? doc : [doc]) {
    const services = obj(page)?.Services;
    if (!Array.isArray(services)) continue;
    for (const svc of services) {
      const s = obj(svc);
      const stats = obj(s?.SummaryStatistics);
      if (!s || !stats || typeof s.Name !== 'string' || s.Type === 'client') continue;
      const total = num(stats.TotalCount);
      if (total === 0) continue;
      const faults = num(obj(stats.FaultStatistics)?.TotalCount);
      const throttles = num(obj(stats.ErrorStatistics)?.ThrottleCount);
      out.set(`${s.Name}|${String(s.Type ?? '')}`, {
        name: s.Name,
        failed: failedShare({ total, faults, throttles }),
      });
    }
  }
  return out;
}

/** The services (by key) in an outage in a window, with their names. */
export function servicesInOutage(w: WindowCounts): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, s] of w) if (s.failed >= OUTAGE_SHARE) out.set(key, s.name);
  return out;
}

/**
 * The services whose outage in `first` the `earlier` window heals: they answer there (traffic,
 * under half failed), and `earlier` has no outage that `first` lacks. None: keep `first`.
 */
export function healedBy(first: WindowCounts, earlier: WindowCounts): string[] {
  const before = servicesInOutage(first);
  if (before.size === 0) return [];
  const after = servicesInOutage(earlier);
  for (const key of after.keys()) if (!before.has(key)) return [];
  return [...before]
    .filter(([key]) => earlier.has(key) && !after.has(key))
    .map(([, name]) => name)
    .sort();
}
