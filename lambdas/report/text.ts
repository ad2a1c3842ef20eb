// The text report: what an on-call engineer reads at 3 a.m. Root cause first, then the path to
// the users, then what to do; the details after.

import type { Finding, RootCause, ServiceHealth } from '../core/model.ts';
import { describeKinds } from '../core/summary.ts';
import { changeSentence, exceptionsText, exemplarSentence, tracesSentence } from './evidence.ts';
import { seenBeforeText } from './feedback-text.ts';
import { secs as ms, neutralizeFinding, pct } from './format.ts';
import { failureFigures, failureText } from './numbers.ts';

export function renderText(finding: Finding): string {
  const f = neutralizeFinding(finding);
  const lines: string[] = [];
  const windowText = f.window ? `${f.window.start} → ${f.window.end}` : 'window unknown';
  const scope = f.trigger.service ? ` · alarmed service: ${f.trigger.service}` : '';
  lines.push(`cascade-analyzer · ${f.status} · ${windowText}${scope}`);
  lines.push('');
  if (f.status !== 'COMPLETED') {
    lines.push(f.summary);
    return `${lines.join('\n')}\n`;
  }
  const top = f.rootCauses[0];
  if (!top) {
    lines.push('NO ROOT CAUSE: nothing is anomalous against the baseline.');
    lines.push('');
    lines.push(f.summary);
    return `${lines.join('\n')}\n`;
  }
  lines.push(`ROOT CAUSE  ${headline(top)}`);
  if (f.seenBefore !== undefined) lines.push(`            ${seenBeforeText(f.seenBefore)}`);
  lines.push(
    `            confidence ${pct(top.confidence)} · impact ${top.impactScore}/100 · ${describeKinds(top)}`,
  );
  for (const e of top.evidence) lines.push(`            - ${e.text}`);
  if (top.traces) {
    lines.push(`            - ${tracesSentence(top.traces, f)}`);
    lines.push(`            - exceptions: ${exceptionsText(top.traces)}`);
    for (const x of top.traces.exemplars)
      lines.push(`            - exemplar trace ${x.traceId}${x.url ? `  ${x.url}` : ''}`);
    const detail = exemplarSentence(top.traces);
    if (detail) lines.push(`            - exemplar ${detail}`);
  }
  lines.push('');
  if (f.evidenceNotes && f.evidenceNotes.length > 0) {
    lines.push('TRACES AND CHANGES');
    for (const n of f.evidenceNotes) lines.push(`  ${n.text}`);
    lines.push('');
  }
  if (f.changes && f.changes.length > 0) {
    lines.push('CHANGES NEAR THE START (newest first)');
    for (const c of f.changes.slice(0, 5)) lines.push(`  ${changeSentence(c)}`);
    if (f.changes.length > 5) lines.push(`  … and ${f.changes.length - 5} more`);
    lines.push('');
  }

  const paths = f.cascade.paths.filter((p) => p.rank === top.rank);
  if (paths.length > 0) {
    lines.push('PATH TO USERS');
    for (const p of paths.slice(0, 3)) lines.push(`  ${p.services.join('  →  ')}`);
    lines.push('');
  }
  const br = top.blastRadius;
  lines.push('BLAST RADIUS');
  lines.push(`  entry traffic through ${top.service}: ${pct(br.entryTrafficShare)}`);
  lines.push(`  affected (${br.affected.length}): ${list(br.affected)}`);
  lines.push(`  at risk  (${br.atRisk.length}): ${list(br.atRisk)}`);
  lines.push(`  entry points: ${list(br.entryPoints)}`);
  lines.push('');

  if (f.recommendations.length > 0) {
    lines.push('WHAT TO DO');
    f.recommendations.slice(0, 5).forEach((r, i) => {
      lines.push(`  ${i + 1}. [${r.action}] ${r.text}`);
    });
    lines.push('');
  }

  if (f.rootCauses.length > 1) {
    lines.push('OTHER CANDIDATES');
    for (const r of f.rootCauses.slice(1)) {
      lines.push(`  #${r.rank} ${headline(r)} · score ${r.score} · confidence ${pct(r.confidence)}`);
    }
    lines.push('');
  }

  const degraded = f.services.filter((s) => s.role !== 'healthy');
  if (degraded.length > 0) {
    lines.push('SERVICES');
    lines.push(
      `  ${'role'.padEnd(11)}${'service'.padEnd(34)}${'req'.padStart(8)}${'failed'.padStart(16)}${'p99'.padStart(18)}`,
    );
    for (const s of degraded.slice(0, 15)) lines.push(`  ${serviceRow(s, f)}`);
    if (degraded.length > 15) lines.push(`  … and ${degraded.length - 15} more`);
    lines.push('');
  }
  lines.push(`SYSTEM HEALTH  ${(f.systemHealth * 100).toFixed(0)} %`);
  lines.push('');
  lines.push(f.summary);
  return `${lines.join('\n')}\n`;
}

function headline(r: RootCause): string {
  const what = r.via ? `${r.service} (as called by ${r.via})` : r.service;
  return `${what} [${r.type}]`;
}

function serviceRow(s: ServiceHealth, f: Finding): string {
  const all = f.services;
  const full = all.filter((o) => o.service === s.service).length > 1 ? `${s.service} [${s.type}]` : s.service;
  const name = full.length > 32 ? `${full.slice(0, 31)}…` : full;
  // 5xx and 429 together, as the evidence's "failure rate" counts them; the baseline in brackets.
  const faults = failureText(failureFigures(f, s));
  const p99 = s.baseline ? `${ms(s.latency.p99)} (${ms(s.baseline.latency.p99)})` : ms(s.latency.p99);
  return `${s.role.padEnd(11)}${name.padEnd(34)}${String(s.requests).padStart(8)}${faults.padStart(16)}${p99.padStart(18)}`;
}

function list(xs: readonly string[], max = 8): string {
  if (xs.length === 0) return '—';
  return xs.length > max ? `${xs.slice(0, max).join(', ')}, … (+${xs.length - max})` : xs.join(', ');
}
