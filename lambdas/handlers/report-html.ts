// A minimal HTML rendering of a Finding for GET /analyses/{id}/report: root cause, evidence, the
// path to the users, recommendations. Every value from the finding is escaped; the page needs no
// script and no external resource, so it is served under `default-src 'none'`. A richer report
// (lambdas/report, with the cascade drawn as SVG) will replace it.

import type { Finding, RootCause } from '../core/model.ts';
import { describeKind } from '../core/summary.ts';

/** What the page may load: nothing but its own inline style. */
export const REPORT_CSP = "default-src 'none'; style-src 'unsafe-inline'";

/** Rows per table: the report stays readable (and small) for a 10,000-service graph. */
const MAX_ROWS = 100;

export function escapeHtml(value: unknown): string {
  return String(value)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

const pct = (x: number) => `${(100 * x).toFixed(1)} %`;
const secs = (s: number) => (s >= 1 ? `${s.toFixed(2)} s` : `${Math.round(s * 1000)} ms`);

export function renderReportHtml(f: Finding): string {
  const e = escapeHtml;
  const service = f.trigger.service ?? f.rootCauses[0]?.service ?? 'unknown service';
  const windowText = f.window ? `${f.window.start} → ${f.window.end}` : 'window unknown';
  const trigger = f.trigger.alarmName ? `alarm ${f.trigger.alarmName}` : f.trigger.source;
  const body = [
    `<h1>Cascade analysis: ${e(service)}</h1>`,
    `<p class="meta"><span class="status ${e(f.status.toLowerCase())}">${e(f.status)}</span> · ${e(windowText)} · ${e(trigger)} · system health ${e(pct(f.systemHealth))} · <code>${e(f.analysisId)}</code></p>`,
    `<p class="summary">${e(f.summary)}</p>`,
    f.error ? `<h2>Error</h2><p class="error">${e(f.error)}</p>` : '',
    rootCauses(f),
    paths(f),
    recommendations(f),
    chain(f),
    `<footer>cascade-analyzer engine ${e(f.engineVersion)} · method ${e(f.method)}</footer>`,
  ].join('\n');
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${e(`${service} · ${f.status} · cascade-analyzer`)}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#1d1d1f}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #ddd}
.meta{color:#555}.status{font-weight:600;padding:0 .4rem;border-radius:.3rem;background:#eee}
.status.failed{background:#fdd}.status.completed{background:#dfd}.status.no_data{background:#ffd}
.error{color:#900}table{border-collapse:collapse}td,th{padding:.2rem .6rem;text-align:left;border-bottom:1px solid #eee}
code{font-size:.9em}footer{margin-top:3rem;color:#888;font-size:.85em}
</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

function rootCauses(f: Finding): string {
  if (f.rootCauses.length === 0) return '<h2>Root cause</h2><p>None determined.</p>';
  return `<h2>Root cause${f.rootCauses.length > 1 ? 's' : ''}</h2>\n<ol class="root-causes">${f.rootCauses.map(rootCause).join('')}</ol>`;
}

function rootCause(r: RootCause): string {
  const e = escapeHtml;
  const where = r.via ? `calls from ${r.via} to ${r.service}` : r.service;
  const br = r.blastRadius;
  return `<li><h3>${e(where)} <small>(${e(r.type)})</small>: ${e(describeKind(r.kind))}</h3>
<p>confidence ${e(pct(r.confidence))} · impact ${e(r.impactScore)}/100 · score ${e(r.score)}</p>
<ul class="evidence">${r.evidence.map((ev) => `<li>${e(ev.text)}</li>`).join('')}</ul>
<p>Blast radius: ${e(pct(br.entryTrafficShare))} of entry traffic; affected: ${e(list(br.affected))}; entry points: ${e(list(br.entryPoints))}.</p></li>`;
}

function paths(f: Finding): string {
  if (f.cascade.paths.length === 0) return '';
  const items = f.cascade.paths
    .slice(0, MAX_ROWS)
    .map((p) => `<li>${p.services.map(escapeHtml).join(' → ')}</li>`)
    .join('');
  return `<h2>Path to the users</h2>\n<ol class="paths">${items}</ol>`;
}

function recommendations(f: Finding): string {
  if (f.recommendations.length === 0) return '';
  const items = f.recommendations
    .slice(0, MAX_ROWS)
    .map(
      (r) =>
        `<li><strong>${escapeHtml(r.action)}</strong> · ${escapeHtml(r.service)}: ${escapeHtml(r.text)}</li>`,
    )
    .join('');
  return `<h2>Recommendations</h2>\n<ul class="recommendations">${items}</ul>`;
}

function chain(f: Finding): string {
  if (f.dependencyChain.length === 0) return '';
  const e = escapeHtml;
  const rows = f.dependencyChain
    .slice(0, MAX_ROWS)
    .map(
      (c) =>
        `<tr><td>${e('· '.repeat(c.depth))}${e(c.service)}</td><td>${e(c.role)}</td><td>${e(pct(c.faultRate))}</td><td>${e(secs(c.p99))}</td></tr>`,
    )
    .join('');
  const more =
    f.dependencyChain.length > MAX_ROWS ? `<p>… and ${f.dependencyChain.length - MAX_ROWS} more.</p>` : '';
  return `<h2>Dependency chain</h2>\n<table><thead><tr><th>service</th><th>role</th><th>fault rate</th><th>p99</th></tr></thead><tbody>${rows}</tbody></table>${more}`;
}

function list(names: readonly string[]): string {
  if (names.length === 0) return 'none';
  return names.length > 10
    ? `${names.slice(0, 10).join(', ')} and ${names.length - 10} more`
    : names.join(', ');
}
