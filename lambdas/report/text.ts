// The text report: what an on-call engineer reads at 3 a.m. The answer first and once (root cause,
// proof, what changed, path, first step: answer.ts), wrapped to the terminal; the details after it.
// Scores, impact numbers and trace links are for `--verbose` and the JSON.

import type { Finding, RootCause, ServiceHealth, ServiceRole } from '../core/model.ts';
import { answerLines, confidenceWords, LABEL_WIDTH, proofLines, rootCauseName } from './answer.ts';
import { changeSentence, exceptionsText, exemplarSentence } from './evidence.ts';
import { secs as ms, neutralizeFinding, pct, utcRange } from './format.ts';
import { failureFigures, failureText } from './numbers.ts';
import { DEFAULT_WIDTH, wrap } from './wrap.ts';

export interface TextOptions {
  /** Columns to wrap to (default 100). */
  readonly width?: number;
  /** Add what a person rarely needs: scores, impact, trace links, every note. */
  readonly verbose?: boolean;
}

/** How the services table names a role. */
export const ROLE_WORDS: Readonly<Record<ServiceRole, string>> = {
  origin: 'origin',
  propagator: 'passes on',
  affected: 'affected',
  healthy: 'healthy',
};

export function renderText(finding: Finding, options: TextOptions = {}): string {
  const width = options.width ?? DEFAULT_WIDTH;
  const verbose = options.verbose === true;
  const f = neutralizeFinding(finding);
  const lines: string[] = [];
  const para = (text: string, indent = '  ') => lines.push(...wrap(text, width, indent));
  const windowText = f.window ? utcRange(f.window.start, f.window.end) : 'window unknown';
  const scope = f.trigger.service ? ` · alarmed service ${f.trigger.service}` : ' · whole graph';
  lines.push(...wrap(`cascade-analyzer · ${f.status} · ${windowText}${scope}`, width));
  lines.push('');
  if (f.status !== 'COMPLETED') {
    para(f.summary, '');
    return `${lines.join('\n')}\n`;
  }
  const top = f.rootCauses[0];
  lines.push(...answerLines(f, width));
  lines.push('');
  if (!top) {
    para(f.summary, '');
    return `${lines.join('\n')}\n`;
  }
  if (f.dataQuality?.warning) {
    para(`Note: ${f.dataQuality.warning}`, '');
    lines.push('');
  }

  const shown = new Set(proofLines(f, top));
  const more = top.evidence.filter((e) => !shown.has(e.text));
  const traceLines = top.traces ? traceDetail(top, verbose) : [];
  if (more.length > 0 || traceLines.length > 0 || verbose) {
    lines.push(`MORE EVIDENCE AGAINST ${top.service}`);
    for (const e of more) lines.push(...wrap(e.text, width, '  - ', '    '));
    for (const t of traceLines) lines.push(...wrap(t, width, '  - ', '    '));
    if (verbose) {
      lines.push(
        ...wrap(
          `kind ${top.kinds.join(' + ')} · score ${top.score} · impact ${top.impactScore}/100 · confidence ${pct(top.confidence)}`,
          width,
          '  - ',
          '    ',
        ),
      );
    }
    lines.push('');
  }
  // A note that only repeats the answer ("Traces agree") is for --verbose.
  const notes = (f.evidenceNotes ?? []).filter(
    (n) => verbose || n.kind === 'traces-disagree' || n.kind === 'traces-inconclusive',
  );
  if (notes.length > 0) {
    lines.push('TRACES');
    for (const n of notes) para(n.text);
    lines.push('');
  }
  const changes = f.changes ?? [];
  if (changes.length > 1 || (verbose && changes.length > 0)) {
    lines.push('CHANGES NEAR THE START (newest first)');
    for (const c of changes.slice(0, 5)) lines.push(...wrap(changeSentence(c), width, '  ', '    '));
    if (changes.length > 5) lines.push(`  … and ${changes.length - 5} more`);
    lines.push('');
  }

  if (f.recommendations.length > 1) {
    lines.push('THEN');
    f.recommendations.slice(1, 5).forEach((r, i) => {
      lines.push(...wrap(r.text, width, `  ${i + 2}. `, '     '));
    });
    lines.push('');
  }

  const br = top.blastRadius;
  lines.push('WHO IS HIT');
  lines.push(...wrap(`degraded callers (${br.affected.length}): ${list(br.affected)}`, width, '  ', '    '));
  lines.push(...wrap(`at risk (${br.atRisk.length}): ${list(br.atRisk)}`, width, '  ', '    '));
  lines.push(...wrap(`entry points: ${list(br.entryPoints)}`, width, '  ', '    '));
  lines.push('');

  if (f.rootCauses.length > 1) {
    lines.push('OTHER CANDIDATES');
    for (const r of f.rootCauses.slice(1)) {
      const extra = verbose ? ` · score ${r.score} · impact ${r.impactScore}/100` : '';
      lines.push(
        ...wrap(
          `#${r.rank} ${rootCauseName(r)}: ${confidenceWords(r.confidence)}${extra}`,
          width,
          '  ',
          '    ',
        ),
      );
    }
    lines.push('');
  }

  const degraded = f.services.filter((s) => s.role !== 'healthy');
  if (degraded.length > 0) {
    lines.push('SERVICES (now, and in the baseline)');
    const cols = tableColumns(width);
    lines.push(
      `  ${'role'.padEnd(11)}${'service'.padEnd(cols.name + 2)}${'requests'.padStart(9)}${'failed'.padStart(FAILED_WIDTH)}${cols.p99 ? 'p99'.padStart(18) : ''}`.trimEnd(),
    );
    const max = verbose ? degraded.length : 15;
    for (const s of degraded.slice(0, max)) lines.push(`  ${serviceRow(s, f, cols)}`);
    if (degraded.length > max) lines.push(`  … and ${degraded.length - max} more (--verbose lists them)`);
    lines.push('');
  }
  lines.push(
    `${'HEALTH'.padEnd(LABEL_WIDTH)}${(f.systemHealth * 100).toFixed(0)} % of the users' requests are served as usual`,
  );
  return `${lines.join('\n')}\n`;
}

/** What X-Ray's traces add beyond the proof: the exceptions, one example, and with --verbose the links. */
function traceDetail(top: RootCause, verbose: boolean): string[] {
  const t = top.traces;
  if (!t) return [];
  const out = [`exceptions in its traces: ${exceptionsText(t)}`];
  const detail = exemplarSentence(t);
  if (detail) out.push(`for example trace ${detail}`);
  if (verbose) for (const x of t.exemplars) out.push(`trace ${x.traceId}${x.url ? ` ${x.url}` : ''}`);
  return out;
}

/** The failed column: its widest text, "100.0 % (100.0 %)", and a space before it. */
const FAILED_WIDTH = 18;

/** The services table's widths at `width` columns: names shortened first, then the p99 column left out. */
function tableColumns(width: number): { readonly name: number; readonly p99: boolean } {
  const fixed = 2 + 11 + 9 + FAILED_WIDTH;
  const withP99 = width - fixed - 18 - 2;
  if (withP99 >= 16) return { name: Math.min(32, withP99), p99: true };
  return { name: Math.max(8, Math.min(32, width - fixed - 2)), p99: false };
}

function serviceRow(
  s: ServiceHealth,
  f: Finding,
  cols: { readonly name: number; readonly p99: boolean },
): string {
  const all = f.services;
  const full = all.filter((o) => o.service === s.service).length > 1 ? `${s.service} [${s.type}]` : s.service;
  const name = full.length > cols.name ? `${full.slice(0, cols.name - 1)}…` : full;
  // 5xx and 429 together, as the evidence's "failure rate" counts them; the baseline in brackets.
  const faults = failureText(failureFigures(f, s));
  const p99 = s.baseline ? `${ms(s.latency.p99)} (${ms(s.baseline.latency.p99)})` : ms(s.latency.p99);
  return `${ROLE_WORDS[s.role].padEnd(11)}${name.padEnd(cols.name + 2)}${String(s.requests).padStart(9)}${faults.padStart(FAILED_WIDTH)}${cols.p99 ? p99.padStart(18) : ''}`;
}

function list(xs: readonly string[], max = 8): string {
  if (xs.length === 0) return '—';
  return xs.length > max ? `${xs.slice(0, max).join(', ')}, … (+${xs.length - max})` : xs.join(', ');
}
