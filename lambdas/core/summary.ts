// A few plain sentences an on-call engineer can read at 3 a.m.

import type { Finding } from './model.ts';

export function summarize(f: Omit<Finding, 'summary'>, symptom: string | undefined): string {
  const top = f.rootCauses[0];
  const health = `System health ${(f.systemHealth * 100).toFixed(0)} %.`;
  if (!top) {
    return `No anomaly stands out against the baseline${symptom ? ` in ${symptom} or its dependencies` : ''}. A fault that changes neither status codes nor latency (wrong results, a silent code bug) cannot be seen in a service graph: check logs and recent changes. ${health}`;
  }
  const where = top.via ? `the calls from ${top.via} to ${top.service}` : top.service;
  const firstEvidence = top.evidence[0]?.text;
  const path = f.cascade.paths.find((p) => p.rank === top.rank);
  const affected = f.services.filter((s) => s.role === 'propagator' || s.role === 'affected').length;
  const parts = [
    `Most likely root cause: ${where} (${describeKinds(top)}, confidence ${(top.confidence * 100).toFixed(0)} %)${firstEvidence ? `: ${firstEvidence}.` : '.'}`,
  ];
  if (path && path.services.length > 1) {
    parts.push(`It reaches users through ${path.services.slice(1).join(' → ')}.`);
  }
  parts.push(
    `${affected} other service${affected === 1 ? '' : 's'} ${affected === 1 ? 'is' : 'are'} degraded; ${(top.blastRadius.entryTrafficShare * 100).toFixed(0)} % of entry traffic depends on ${top.service}.`,
  );
  const others = f.rootCauses.filter((r) => r.rank > 1 && r.confidence >= 0.5).map((r) => r.service);
  if (others.length > 0)
    parts.push(`Also anomalous on their own: ${[...new Set(others)].slice(0, 3).join(', ')}.`);
  if (top.confidence < 0.5) {
    parts.push(
      top.kind === 'degraded'
        ? 'Confidence is low: services are degraded, but none of them rose clearly against the baseline, so the graph cannot say where it started.'
        : 'Confidence is low: the evidence is thin (few requests, or a small change against the baseline).',
    );
  }
  if (f.recommendations[0]) parts.push(`First step: ${f.recommendations[0].text}`);
  parts.push(health);
  return parts.join(' ');
}

export function describeKind(kind: string): string {
  switch (kind) {
    case 'faults':
      return 'server errors';
    case 'throttling':
      return 'throttling';
    case 'latency':
      return 'latency';
    case 'errors':
      return 'client errors';
    case 'new-dependency':
      return 'failing calls to a new dependency';
    case 'connection-failures':
      return 'failed calls the callee never saw';
    case 'throttled-link':
      return 'throttled calls';
    case 'slow-link':
      return 'slow calls';
    case 'degraded':
      return 'degraded, no clear origin';
    default:
      return kind;
  }
}

/** Every kind of evidence of a root-cause line, strongest first (findings stored before `kinds` have `kind` only). */
export function describeKinds(r: { readonly kind: string; readonly kinds?: readonly string[] }): string {
  const kinds = r.kinds && r.kinds.length > 0 ? r.kinds : [r.kind];
  return kinds.map(describeKind).join(' + ');
}
