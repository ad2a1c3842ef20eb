// Small formatting helpers shared by the HTML, e-mail and chat renderings of a Finding.

import type { Finding, ServiceHealth } from '../core/model.ts';
import { percent } from './numbers.ts';

/** Escapes the five characters that matter in HTML text and attribute values. */
export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** 0.1525 → `15.3 %` (`percent` in numbers.ts: one rounding for every report). */
export const pct = (x: number, digits = 1): string => percent(x, digits);

/** Seconds → `2.50 s` or `137 ms`. */
export const secs = (s: number): string => (s >= 1 ? `${s.toFixed(2)} s` : `${Math.round(s * 1000)} ms`);

/** 21708 → `21.7k`; 1234567 → `1.2M`. */
export function compact(n: number): string {
  if (n >= 1e6) return `${(n / 1e6).toFixed(n >= 1e7 ? 0 : 1)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(n >= 1e4 ? 1 : 2).replace(/\.?0+$/, '')}k`;
  return String(Math.round(n));
}

/** `2026-11-20T03:00:00.000Z` → `2026-11-20 03:00 UTC`; unparseable text comes back as it was. */
export function utc(iso: string): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return iso;
  return `${new Date(t).toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** `03:00 to 03:15 UTC` on the same day, both full dates otherwise. */
export function utcRange(start: string, end: string): string {
  const a = utc(start);
  const b = utc(end);
  if (a.slice(0, 10) === b.slice(0, 10) && a.endsWith(' UTC') && b.endsWith(' UTC')) {
    return `${a.slice(0, 16)} to ${b.slice(11)}`;
  }
  return `${a} to ${b}`;
}

/** Minutes between two ISO times, or undefined when either does not parse. */
export function minutesBetween(start: string, end: string): number | undefined {
  const d = Date.parse(end) - Date.parse(start);
  return Number.isFinite(d) ? Math.round(d / 60_000) : undefined;
}

/**
 * The name the engine uses for a service in paths, chains and blast radii: its X-Ray name, with the
 * type appended when two services share the name (lambdas/core/topology.ts `labels`).
 */
export function serviceLabels(services: readonly ServiceHealth[]): Map<ServiceHealth, string> {
  const count = new Map<string, number>();
  for (const s of services) count.set(s.service, (count.get(s.service) ?? 0) + 1);
  return new Map(
    services.map((s) => [s, (count.get(s.service) ?? 0) > 1 ? `${s.service} [${s.type}]` : s.service]),
  );
}

export { shortType } from '../core/node-types.ts';

/** Services that are not healthy: the cascade, at least the root cause itself. */
export function cascadeSize(f: Finding): number {
  return Math.max(f.rootCauses.length > 0 ? 1 : 0, f.services.filter((s) => s.role !== 'healthy').length);
}

/**
 * What a root cause caused, in words the reader can check against the rest of the message. An
 * analysis for one service sees only that service's part of the cascade (others may alarm too):
 * `the alarm on ledger (2 degraded services from bank-api to ledger)`; for the whole graph,
 * `a 4-service cascade`.
 */
export function causedText(f: Finding, rootName: string, form: 'long' | 'short' = 'long'): string {
  const n = cascadeSize(f);
  const svc = f.trigger.service;
  if (svc === undefined) return `a ${n}-service cascade`;
  const what = f.trigger.source === 'alarm' ? `the alarm on ${svc}` : `the failures of ${svc}`;
  if (n <= 1 || rootName === svc || form === 'short') return what;
  return `${what} (${n} degraded services from ${rootName} to ${svc})`;
}

/** What started the analysis, in words. */
export function triggerText(f: Finding): string {
  const t = f.trigger;
  if (t.source === 'alarm') {
    const alarm = t.alarmName ? `alarm ${t.alarmName}` : 'a CloudWatch alarm';
    return t.service ? `${alarm} on ${t.service}` : alarm;
  }
  const who = t.source === 'api' ? 'an API request' : 'the command line';
  return t.service ? `${who}, for ${t.service}` : `${who}, for the whole graph`;
}

export function clip(s: string, max: number): string {
  return s.length <= max ? s : `${s.slice(0, Math.max(0, max - 1))}…`;
}

/**
 * Control characters, line and paragraph separators and bidirectional overrides: in a name from
 * X-Ray they could forge a line ("ROOT CAUSE: …") of a text message or reorder what is shown.
 */
const UNSAFE = /[\p{Cc}\p{Zl}\p{Zp}\u200E\u200F\u202A-\u202E\u2066-\u2069]/gu;

/**
 * Line breaks and tabs become a space, any other unsafe character U+FFFD (visibly): the name is
 * still recognisable, never obeyed.
 */
export function neutralizeText(s: string): string {
  return s.replace(UNSAFE, (c) => (/[\t\n\v\f\r\u0085\u2028\u2029]/.test(c) ? ' ' : '\uFFFD'));
}

const ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * For echoing a value the user typed (an error message quoting an id or a file name): every unsafe
 * character written as its escape (`\n`, `\u001b`), so the line stays one line and shows exactly
 * what was given.
 */
export function escapeUnsafe(s: string): string {
  return s.replace(UNSAFE, (c) => {
    const named = ESCAPES[c];
    return named ?? `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`;
  });
}

/** The finding with every string neutralised, for the text, e-mail, SNS and chat renderings. */
export function neutralizeFinding(f: Finding): Finding {
  return deepNeutralize(f) as Finding;
}

/** Any JSON-like value with every string neutralised (`neutralizeText`), for a text rendering of it. */
export function deepNeutralize(v: unknown): unknown {
  if (typeof v === 'string') return neutralizeText(v);
  if (Array.isArray(v)) return v.map(deepNeutralize);
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, deepNeutralize(x)]));
  }
  return v;
}
