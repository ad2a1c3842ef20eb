// The HTML report of a Finding: one self-contained file (no script, no external font, image or
// style sheet) with the cascade drawn as SVG by Graphviz. Served by GET /analyses/{id}/report and
// written by `analyze --format html`. Every value from the finding is escaped, and the page keeps
// to a Content-Security-Policy without 'unsafe-inline': its one <style> element is allowed by hash.

import { createHash } from 'node:crypto';
import type {
  ChainEntry,
  Finding,
  RootCause,
  ServiceGraph,
  ServiceHealth,
  ServiceRole,
} from '../core/model.ts';
import { describeKinds } from '../core/summary.ts';
import { buildCascadeView, type CascadeView, type ViewLimits } from './cascade-view.ts';
import {
  COLLAPSED_STYLE,
  dotSource,
  EDGE,
  type NodeStyle,
  PATH_EDGE,
  ROLE_STYLES,
  USERS_STYLE,
} from './dot.ts';
import { changeSentence, exceptionsText, exemplarSentence, tracesSentence } from './evidence.ts';
import {
  cascadeSize,
  clip,
  compact,
  escapeHtml as e,
  minutesBetween,
  pct,
  secs,
  serviceLabels,
  shortType,
  triggerText,
  utc,
  utcRange,
} from './format.ts';
import { layoutSvg } from './layout.ts';
import { failureFigures, failureRate } from './numbers.ts';

export interface HtmlReportOptions {
  /**
   * The incident window's parsed service graph (`snapshot.incident`). With it, edges carry their
   * exact call counts; without it they come from the finding's dependency chain and cascade paths.
   */
  readonly graph?: ServiceGraph;
  /** How much of a large graph to draw. */
  readonly limits?: ViewLimits;
  /** The incident this analysis belongs to: the page links to it (relative to /analyses/{id}/report). */
  readonly incidentId?: string;
}

/** Rows per table: the report stays readable (and small) for a 10,000-service graph. */
const MAX_ROWS = 150;
/** A chain this long or shorter is shown whole; a longer one is folded to the paths to its root causes. */
const FULL_CHAIN = 40;
const MAX_CHAIN_ROOT_CAUSES = 3;
/** Degraded services listed in a big incident's table; the rest are counted, and all are in the JSON. */
const MAX_SERVICE_ROWS = 25;
const MAX_RECOMMENDATIONS = 20;
/** Longest single text shown (a summary, a piece of evidence, a recommendation). */
const MAX_TEXT = 2000;

const STYLE = `
:root{color-scheme:light;--ink:#1d1d1f;--muted:#5b5b5f;--line:#e3e3e6;--panel:#f6f6f8;--accent:${PATH_EDGE.color}}
*{box-sizing:border-box}
body{font:15px/1.5 -apple-system,BlinkMacSystemFont,"Segoe UI",Helvetica,Arial,sans-serif;color:var(--ink);margin:0;background:#fff}
main{max-width:76rem;margin:0 auto;padding:1.5rem 1.25rem 3rem}
h1{font-size:1.6rem;margin:.2rem 0}h2{font-size:1.2rem;margin:2.2rem 0 .7rem;padding-bottom:.25rem;border-bottom:1px solid var(--line)}
h3{font-size:1.02rem;margin:0 0 .3rem}
.eyebrow{margin:0;color:var(--muted);font-size:.8rem;letter-spacing:.06em;text-transform:uppercase}
.meta{color:var(--muted);margin:.2rem 0 0}
code{font:.88em/1.4 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.status{font-weight:700;padding:.05rem .45rem;border-radius:.3rem;background:#e8e8ea;font-size:.85em}
.status.completed{background:#d9efe6;color:#004d33}.status.failed{background:#fbd9cc;color:#7a2600}.status.no_data{background:#fdf0c8;color:#5c4300}
.verdict{margin:1.2rem 0;padding:1rem 1.2rem;border-left:6px solid var(--accent);background:#fdf1ea;border-radius:.4rem}
.verdict.calm{border-left-color:#009E73;background:#eaf6f1}.verdict.failed{border-left-color:#7a2600;background:#fbe9e2}
.verdict .headline{font-size:1.2rem;margin:0 0 .35rem}
.verdict .summary{margin:.35rem 0 0;color:#333}
.facts{display:grid;grid-template-columns:repeat(auto-fit,minmax(14rem,1fr));gap:.75rem;margin:1rem 0}
.fact{background:var(--panel);border-radius:.4rem;padding:.7rem .9rem}
.fact .k{display:block;color:var(--muted);font-size:.78rem;text-transform:uppercase;letter-spacing:.05em}
.fact .v{display:block;font-size:1.25rem;font-weight:650}
.fact .s{display:block;color:var(--muted);font-size:.85rem}
.meter{display:block;width:100%;height:.5rem;margin-top:.3rem}
.picture{margin:0;border:1px solid var(--line);border-radius:.5rem;padding:.75rem;background:#fcfcfd}
.picture .graph{overflow:auto}
.picture svg.cascade{display:block;max-width:100%;height:auto;margin:0 auto}
.picture svg.cascade text{font-family:Helvetica,Arial,"Liberation Sans",sans-serif}
.picture figcaption{color:var(--muted);font-size:.85rem;margin-top:.6rem}
.legend{display:flex;flex-wrap:wrap;gap:.4rem 1.3rem;list-style:none;padding:.6rem 0 0;margin:.6rem 0 0;border-top:1px solid var(--line);font-size:.85rem}
.legend li{display:flex;align-items:center;gap:.45rem}
.legend svg{flex:none}
.cards{display:grid;gap:.75rem}
.card{border:1px solid var(--line);border-radius:.5rem;padding:.8rem 1rem}
.card.rank-1{border-left:6px solid var(--accent)}
.card .nums{color:var(--muted);margin:.1rem 0 .4rem}
.card ul{margin:.3rem 0;padding-left:1.2rem}
.path{display:flex;flex-wrap:wrap;align-items:center;gap:.3rem;list-style:none;padding:0;margin:.3rem 0}
.path li{display:flex;align-items:center;gap:.3rem}
.path li+li::before{content:"\\2192";color:var(--accent);font-weight:700}
.chip{display:inline-block;padding:.05rem .5rem;border-radius:.9rem;border:2px solid #8c8c8c;background:#fff;font-size:.88rem}
.role{display:inline-block;min-width:6.2rem;padding:0 .4rem;border-radius:.3rem;border:2px solid;font-size:.8rem;font-weight:600;text-align:center}
${roleCss()}
.action{display:inline-block;padding:0 .45rem;border-radius:.3rem;background:#e8eef8;color:#173a73;font:600 .8rem/1.6 ui-monospace,Menlo,Consolas,monospace}
ol.recs{padding-left:1.4rem}ol.recs li{margin:.35rem 0}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{padding:.28rem .6rem;text-align:left;border-bottom:1px solid var(--line);vertical-align:top}
th{font-weight:600;color:var(--muted);font-size:.8rem;text-transform:uppercase;letter-spacing:.04em}
td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tr.anomalous td:first-child{font-weight:600}
${depthCss()}
.note{color:var(--muted);font-size:.88rem}
.traces{margin-top:.5rem;padding:.5rem .75rem;background:var(--panel);border-radius:.4rem}.traces p{margin:.2rem 0}
ul.exemplars{margin:.2rem 0;padding-left:1.2rem}.evidence-note{margin:.35rem 0 0;font-weight:600}
.error{color:#7a2600}
footer{margin-top:3rem;color:var(--muted);font-size:.82rem;border-top:1px solid var(--line);padding-top:.6rem}
@media print{.picture .graph{overflow:visible}main{max-width:none}}
`;

const STYLE_HASH = `sha256-${createHash('sha256').update(STYLE, 'utf8').digest('base64')}`;

/**
 * What the report page may load: nothing, except its own <style> element (by hash). SVG
 * presentation attributes (`fill`, `stroke`…) are not inline styles, so no 'unsafe-inline' is
 * needed; there is no `style` attribute anywhere in the page.
 */
export const REPORT_CSP = `default-src 'none'; style-src '${STYLE_HASH}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`;
/** The same policy as a <meta> element can carry it (frame-ancestors only works as a header). */
const META_CSP = `default-src 'none'; style-src '${STYLE_HASH}'; base-uri 'none'; form-action 'none'`;

/** The cascade as an inline `<svg>` element laid out by Graphviz, with the view it was drawn from. */
export async function renderCascadeSvg(
  finding: Finding,
  options: HtmlReportOptions = {},
): Promise<{ svg: string; view: CascadeView }> {
  const view = buildCascadeView(finding, options.graph, options.limits);
  const svg = await layoutSvg(dotSource(view));
  return {
    svg: svg.replace(
      '<svg ',
      `<svg class="cascade" role="img" aria-label="${e(`Cascade graph: ${view.shown} of ${view.services} services`)}" `,
    ),
    view,
  };
}

/** The report's style sheet, for a page that shows the report inside its own (the console widget). */
export const REPORT_STYLE = STYLE;

/** Which sections of the report a page shows; all by default. */
export interface ReportSections {
  /** The cascade picture. @default true */
  readonly picture?: boolean;
  /** The dependency chain and the degraded services tables. @default true */
  readonly tables?: boolean;
}

/** The whole report page. Deterministic: the same finding (and graph) gives the same bytes. */
export async function renderHtml(finding: Finding, options: HtmlReportOptions = {}): Promise<string> {
  const f = finding;
  const service = f.trigger.service ?? 'whole graph';
  const body = await renderReportBody(f, options);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${e(META_CSP)}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>${e(`${f.rootCauses[0] ? `${f.rootCauses[0].service} · ` : ''}${service} · ${f.status} · cascade-analyzer`)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

/** The report's content (what `<main>` holds): the same sections everywhere it is shown. */
export async function renderReportBody(
  finding: Finding,
  options: HtmlReportOptions = {},
  sections: ReportSections = {},
): Promise<string> {
  const f = finding;
  const service = f.trigger.service ?? 'whole graph';
  const drawable = f.services.length > 0 || f.dependencyChain.length > 0 || f.rootCauses.length > 0;
  const picture = drawable && sections.picture !== false ? await pictureSection(f, options) : '';
  const tables = sections.tables !== false;
  return [
    '<header>',
    '<p class="eyebrow">cascade-analyzer report</p>',
    `<h1>Cascade analysis: ${e(service)}</h1>`,
    `<p class="meta"><span class="status ${e(f.status.toLowerCase())}">${e(f.status)}</span> · analysis <code>${e(f.analysisId)}</code>${
      options.incidentId !== undefined
        ? ` · part of incident <a href="../../incidents/${e(encodeURIComponent(options.incidentId))}">${e(options.incidentId)}</a>`
        : ''
    }</p>`,
    '</header>',
    verdict(f),
    facts(f),
    picture,
    rootCauses(f),
    changes(f),
    paths(f),
    recommendations(f),
    tables ? chain(f) : '',
    tables ? degraded(f) : '',
    `<footer>cascade-analyzer engine ${e(f.engineVersion)} · method ${e(f.method)} · this page loads nothing from the network</footer>`,
  ]
    .filter((s) => s !== '')
    .join('\n');
}

function verdict(f: Finding): string {
  const top = f.rootCauses[0];
  if (f.status === 'FAILED') {
    return `<section class="verdict failed" aria-label="Verdict"><p class="headline"><strong>The analysis failed.</strong></p>${
      f.error ? `<p class="error">${e(f.error)}</p>` : ''
    }<p class="summary">${e(clip(f.summary, MAX_TEXT))}</p></section>`;
  }
  if (!top) {
    const what = f.status === 'NO_DATA' ? 'No X-Ray data in the window.' : 'No cascade found.';
    return `<section class="verdict calm" aria-label="Verdict"><p class="headline"><strong>${e(what)}</strong></p><p class="summary">${e(clip(f.summary, MAX_TEXT))}</p></section>`;
  }
  const where = top.via ? `the calls from ${top.via} to ${top.service}` : top.service;
  return `<section class="verdict" aria-label="Verdict">
<p class="headline">Root cause: <strong class="root-cause-name">${e(where)}</strong> <span class="note">(${e(shortType(top.type))})</span> — ${e(describeKinds(top))}</p>
<p class="nums">confidence ${e(pct(top.confidence, 0))} · impact ${e(top.impactScore)}/100 · ${e(cascadeSize(f))} services in the cascade</p>
<p class="summary">${e(clip(f.summary, MAX_TEXT))}</p>
${(f.evidenceNotes ?? []).map((n) => `<p class="evidence-note ${e(n.kind)}">${e(clip(n.text, MAX_TEXT))}</p>`).join('\n')}
</section>`;
}

function facts(f: Finding): string {
  const tiles: string[] = [];
  tiles.push(fact('What fired', triggerText(f), `source: ${f.trigger.source}`, 'fired'));
  if (f.window) {
    const mins = minutesBetween(f.window.start, f.window.end);
    const base = f.baselineWindow
      ? `baseline ${utcRange(f.baselineWindow.start, f.baselineWindow.end)}`
      : 'no baseline window';
    tiles.push(
      fact(
        'When',
        utcRange(f.window.start, f.window.end),
        `${mins !== undefined ? `${mins} min · ` : ''}${base}`,
        'when',
      ),
    );
  } else {
    tiles.push(fact('When', 'window unknown', '', 'when'));
  }
  tiles.push(
    `<div class="fact health"><span class="k">System health</span><span class="v">${e(pct(f.systemHealth, 0))}</span>${meter(f.systemHealth)}<span class="s">share of user requests served well, and of services not anomalous</span></div>`,
  );
  const top = f.rootCauses[0];
  if (top) {
    const br = top.blastRadius;
    tiles.push(
      fact(
        'Blast radius',
        `${pct(br.entryTrafficShare, 0)} of entry traffic`,
        `${br.affected.length} affected · ${br.atRisk.length} at risk · ${br.entryPoints.length} entry point${br.entryPoints.length === 1 ? '' : 's'}`,
        'blast',
      ),
    );
  }
  return `<section class="facts" aria-label="Key facts">\n${tiles.join('\n')}\n</section>`;
}

function fact(k: string, v: string, s: string, cls: string): string {
  return `<div class="fact ${cls}"><span class="k">${e(k)}</span><span class="v">${e(v)}</span>${s ? `<span class="s">${e(s)}</span>` : ''}</div>`;
}

function meter(x: number): string {
  const v = Math.max(0, Math.min(1, x));
  const color = v < 0.5 ? ROLE_STYLES.origin.stroke : v < 0.8 ? '#E69F00' : '#009E73';
  return `<svg class="meter" viewBox="0 0 100 6" preserveAspectRatio="none" aria-hidden="true"><rect width="100" height="6" rx="3" fill="#e3e3e6"/><rect width="${(100 * v).toFixed(1)}" height="6" rx="3" fill="${color}"/></svg>`;
}

async function pictureSection(f: Finding, options: HtmlReportOptions): Promise<string> {
  let svg: string;
  let view: CascadeView;
  try {
    ({ svg, view } = await renderCascadeSvg(f, options));
  } catch (err) {
    // The rest of the report is still worth reading; say why the picture is missing.
    return `<section id="picture"><h2>The cascade</h2><p class="note error">The picture could not be drawn: ${e((err as Error).message)}</p></section>`;
  }
  const caption: string[] = [];
  caption.push(
    view.shown === view.services
      ? `All ${view.services} services.`
      : `${view.shown} of ${view.services} services drawn: the whole cascade${view.collapsed > 0 ? `; ${view.collapsed} services it calls are folded into “+N” boxes` : ''}${view.elsewhere > 0 ? `; ${view.elsewhere} other services are not drawn` : ''}.`,
  );
  caption.push(
    view.edgesFrom === 'graph'
      ? 'Arrows point from caller to callee; their width grows with the calls in the incident window (log scale), labels count calls.'
      : 'Arrows point from caller to callee, from the finding’s dependency chain and cascade paths; widths and ≈ labels estimate calls from each callee’s requests.',
  );
  caption.push('Hover over a service for its numbers against the baseline.');
  return `<section id="picture">
<h2>The cascade</h2>
<figure class="picture">
<div class="graph">${svg}</div>
${legend()}
<figcaption>${e(caption.join(' '))}</figcaption>
</figure>
</section>`;
}

const LEGEND_ROLES: readonly { role: ServiceRole; title: string; text: string }[] = [
  { role: 'origin', title: 'Origin', text: 'root cause: the failure starts here' },
  { role: 'propagator', title: 'Propagator', text: 'passes its callees’ failure on' },
  { role: 'affected', title: 'Affected', text: 'anomalous caller, not on a path' },
  { role: 'healthy', title: 'Healthy', text: 'no anomaly against the baseline' },
];

function legend(): string {
  const items = LEGEND_ROLES.map(
    (r) =>
      `<li class="legend-item legend-${r.role}">${swatch(r.role, ROLE_STYLES[r.role])}<span><strong>${e(r.title)}</strong> ${e(r.text)}</span></li>`,
  );
  items.push(
    `<li class="legend-item legend-collapsed">${swatch('collapsed', COLLAPSED_STYLE)}<span><strong>+N</strong> services folded</span></li>`,
  );
  items.push(
    `<li class="legend-item legend-users">${swatch('users', USERS_STYLE)}<span><strong>Users</strong> clients of the entry points</span></li>`,
  );
  items.push(
    `<li class="legend-item legend-path"><svg width="44" height="14" viewBox="0 0 44 14" aria-hidden="true"><path d="M2 7H34" fill="none" stroke="${PATH_EDGE.color}" stroke-width="3"/><polygon points="34,2.5 42,7 34,11.5" fill="${PATH_EDGE.color}" stroke="${PATH_EDGE.color}"/></svg><span><strong>Path</strong> from the root cause to the users</span></li>`,
  );
  items.push(
    `<li class="legend-item legend-traffic"><svg width="44" height="14" viewBox="0 0 44 14" aria-hidden="true"><path d="M2 4H40" fill="none" stroke="${EDGE.cascadeColor}" stroke-width="1"/><path d="M2 10H40" fill="none" stroke="${EDGE.cascadeColor}" stroke-width="4"/></svg><span><strong>Width</strong> calls (more is thicker)</span></li>`,
  );
  return `<ul class="legend" aria-label="Legend">\n${items.join('\n')}\n</ul>`;
}

/** A small copy of the node shape Graphviz draws for a style, with the same fill, outline and dashes. */
function swatch(kind: ServiceRole | 'collapsed' | 'users', s: NodeStyle): string {
  const common = `fill="${s.fill}" stroke="${s.stroke}" stroke-width="${s.penwidth}"${s.dash ? ` stroke-dasharray="${s.dash}"` : ''}`;
  let shape: string;
  switch (kind) {
    case 'origin':
      shape = `<polygon points="11,2 33,2 42,9 42,13 33,20 11,20 2,13 2,9" ${common}/><polygon points="13,5 31,5 38,10 38,12 31,17 13,17 6,12 6,10" fill="none" stroke="${s.stroke}" stroke-width="${s.penwidth / 2}"/>`;
      break;
    case 'affected':
      shape = `<ellipse cx="22" cy="11" rx="19" ry="8.5" ${common}/>`;
      break;
    case 'collapsed':
      shape = `<path d="M3 5H15L18 2H41V20H3Z" ${common}/>`;
      break;
    default:
      shape = `<rect x="3" y="3" width="38" height="16" rx="${kind === 'healthy' ? 0 : 4}" ${common}/>`;
  }
  return `<svg class="swatch" width="44" height="22" viewBox="0 0 44 22" aria-hidden="true">${shape}</svg>`;
}

function rootCauses(f: Finding): string {
  if (f.rootCauses.length === 0) return '';
  return `<section id="root-causes">
<h2>Root cause${f.rootCauses.length > 1 ? 's, best first' : ''}</h2>
<div class="cards">
${f.rootCauses.map((r) => rootCause(r, f)).join('\n')}
</div>
</section>`;
}

function rootCause(r: RootCause, f: Finding): string {
  const where = r.via ? `calls from ${r.via} to ${r.service}` : r.service;
  const br = r.blastRadius;
  return `<article class="card root-cause rank-${r.rank}">
<h3>#${r.rank} ${e(where)} <span class="note">(${e(r.type)})</span>: ${e(describeKinds(r))}</h3>
<p class="nums">confidence ${e(pct(r.confidence, 0))} · impact ${e(r.impactScore)}/100 · score ${e(r.score)}</p>
<ul class="evidence">${r.evidence
    .slice(0, 10)
    .map((ev) => `<li>${e(clip(ev.text, MAX_TEXT))}</li>`)
    .join('')}</ul>
<p class="blast">Blast radius: <strong>${e(pct(br.entryTrafficShare, 0))}</strong> of entry traffic reaches it · <strong>${br.affected.length}</strong> affected: ${e(list(br.affected))} · <strong>${br.atRisk.length}</strong> at risk · entry points: ${e(list(br.entryPoints))}</p>
${r.traces ? tracesBlock(r, f) : ''}
</article>`;
}

/** X-Ray's view of one root cause: the vote, exception names and exemplar traces linked to the console. */
function tracesBlock(r: RootCause, f: Finding): string {
  const t = r.traces;
  if (!t) return '';
  const detail = exemplarSentence(t);
  const exemplars = t.exemplars
    .map((x) =>
      x.url
        ? `<li><a class="exemplar" href="${e(x.url)}" rel="noreferrer noopener" target="_blank"><code>${e(x.traceId)}</code></a></li>`
        : `<li><code class="exemplar">${e(x.traceId)}</code></li>`,
    )
    .join('');
  return `<div class="traces">
<p><strong>X-Ray traces:</strong> ${e(tracesSentence(t, f))}. Exceptions: <span class="exceptions">${e(exceptionsText(t))}</span>.</p>
${exemplars ? `<ul class="exemplars">${exemplars}</ul>` : ''}
${detail ? `<p class="exemplar-detail">${e(clip(detail, MAX_TEXT))}</p>` : ''}
</div>`;
}

function changes(f: Finding): string {
  if (!f.changes || f.changes.length === 0) return '';
  return `<section id="changes">
<h2>Changes near the start</h2>
<ul class="changes">${f.changes
    .slice(0, MAX_ROWS)
    .map((c) => `<li>${e(changeSentence(c))}</li>`)
    .join('')}</ul>
</section>`;
}

function paths(f: Finding): string {
  if (f.cascade.paths.length === 0) return '';
  const shown = f.cascade.paths.slice(0, 20);
  const items = shown
    .map(
      (p) =>
        `<li><span class="note">from #${p.rank}</span><ol class="path">${p.services.map((s) => `<li><span class="chip">${e(s)}</span></li>`).join('')}<li><span class="chip users">users</span></li></ol></li>`,
    )
    .join('\n');
  const more =
    f.cascade.paths.length > shown.length
      ? `<p class="note">… and ${f.cascade.paths.length - shown.length} more paths.</p>`
      : '';
  return `<section id="paths">
<h2>Path to the users</h2>
<ul class="paths">
${items}
</ul>${more}
<p class="note">As text: ${e(shown.map((p) => p.services.join(' → ')).join('; '))}</p>
</section>`;
}

function recommendations(f: Finding): string {
  if (f.recommendations.length === 0) return '';
  const items = f.recommendations
    .slice(0, MAX_RECOMMENDATIONS)
    .map(
      (r) =>
        `<li><span class="action">${e(r.action)}</span> <strong>${e(r.service)}</strong>: ${e(clip(r.text, MAX_TEXT))}</li>`,
    )
    .join('\n');
  const more =
    f.recommendations.length > MAX_RECOMMENDATIONS
      ? `<p class="note">… and ${f.recommendations.length - MAX_RECOMMENDATIONS} more.</p>`
      : '';
  return `<section id="recommendations">
<h2>What to do</h2>
<ol class="recs">
${items}
</ol>${more}
</section>`;
}

function roleBadge(role: ServiceRole): string {
  return `<span class="role role-${role}">${e(role)}</span>`;
}

function chain(f: Finding): string {
  if (f.dependencyChain.length === 0) return '';
  const all = treeOrder(f.dependencyChain);
  // A big chain is folded to the calls from the alarmed service down to the root causes: the
  // degraded services are all in the table below, and hundreds of healthy rows would bury them.
  const rows: readonly ChainEntry[] = all.length > FULL_CHAIN ? pathsToRootCauses(f, all) : all;
  const folded = all.length - rows.length;
  const foldedDegraded = all.filter((c) => c.role !== 'healthy' && !rows.includes(c)).length;
  const body = rows
    .map(
      (c) =>
        `<tr class="${c.role === 'healthy' ? 'healthy' : 'anomalous'}"><td class="depth-${Math.min(c.depth, 9)}">${e(c.service)}</td><td>${e(shortType(c.type))}</td><td>${e(c.parent ?? '—')}</td><td class="n">${c.depth}</td><td>${roleBadge(c.role)}</td><td class="n failed">${e(pct(chainFailure(f, c)))}</td><td class="n">${e(secs(c.p99))}</td></tr>`,
    )
    .join('\n');
  const more =
    folded > 0
      ? `<p class="note chain-folded">The chain holds ${all.length} services; shown: the calls from ${e(all[0]?.service ?? 'the alarmed service')} down to the root cause${f.rootCauses.length > 1 ? 's' : ''}. Folded: ${folded - foldedDegraded} healthy service${folded - foldedDegraded === 1 ? '' : 's'}${foldedDegraded > 0 ? ` and ${foldedDegraded} degraded one${foldedDegraded === 1 ? '' : 's'} (listed under “Services in the cascade”)` : ''}; every one is in the finding’s JSON.</p>`
      : '';
  const root = all[0];
  return `<section id="chain">
<h2>Dependency chain${root ? ` of ${e(root.service)}` : ''}</h2>
<table>
<thead><tr><th>service</th><th>type</th><th>called by</th><th>depth</th><th>role</th><th title="5xx and 429">failed</th><th>p99</th></tr></thead>
<tbody>
${body}
</tbody>
</table>${more}
</section>`;
}

/**
 * The chain as a tree is read: each service followed by the services it calls, depth first. The
 * engine lists it breadth first, which under indentation would nest a service under the row above
 * it rather than under its caller. Siblings keep the engine's order; an entry whose caller is not
 * in the chain starts a tree of its own.
 */
export function treeOrder(chain: readonly ChainEntry[]): ChainEntry[] {
  const names = new Set(chain.map((c) => c.service));
  const children = new Map<string, ChainEntry[]>();
  const roots: ChainEntry[] = [];
  for (const c of chain) {
    if (c.parent === null || !names.has(c.parent) || c.parent === c.service) roots.push(c);
    else children.set(c.parent, [...(children.get(c.parent) ?? []), c]);
  }
  const out: ChainEntry[] = [];
  const placed = new Set<ChainEntry>();
  const expanded = new Set<string>();
  const stack = [...roots].reverse();
  while (stack.length > 0) {
    const c = stack.pop() as ChainEntry;
    if (placed.has(c)) continue;
    placed.add(c);
    out.push(c);
    // A name is expanded once: two entries of one name (different types) share their callees.
    if (expanded.has(c.service)) continue;
    expanded.add(c.service);
    const kids = children.get(c.service) ?? [];
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i] as ChainEntry);
  }
  for (const c of chain) if (!placed.has(c)) out.push(c);
  return out;
}

/**
 * The entries on the way from the chain's root to the root causes (each root cause and its
 * callers up the tree), in tree order; the whole chain when no root cause is in it.
 */
function pathsToRootCauses(f: Finding, ordered: readonly ChainEntry[]): ChainEntry[] {
  const byName = new Map<string, ChainEntry>();
  for (const c of ordered) if (!byName.has(c.service)) byName.set(c.service, c);
  const keep = new Set<ChainEntry>();
  for (const r of f.rootCauses.slice(0, MAX_CHAIN_ROOT_CAUSES)) {
    let c = ordered.find((x) => x.service === r.service && x.type === r.type) ?? byName.get(r.service);
    while (c !== undefined && !keep.has(c)) {
      keep.add(c);
      c = c.parent === null ? undefined : byName.get(c.parent);
    }
  }
  return keep.size > 0 ? ordered.filter((c) => keep.has(c)) : [...ordered].slice(0, FULL_CHAIN);
}

/** A chain entry's failure rate: its service's, as the services table shows it (the entry holds 5xx only). */
function chainFailure(f: Finding, c: ChainEntry): number {
  const s = f.services.find((x) => x.service === c.service && x.type === c.type);
  return s ? failureFigures(f, s).now : failureRate({ faultRate: c.faultRate, throttleRate: 0 });
}

function degraded(f: Finding): string {
  const labels = serviceLabels(f.services);
  const order = { origin: 0, propagator: 1, affected: 2, healthy: 3 } as const;
  // Origins first, then the services they hurt: the reading order of the verdict above.
  const bad = f.services
    .filter((s) => s.role !== 'healthy')
    .map((s, i) => ({ s, i }))
    .sort((a, b) => order[a.s.role] - order[b.s.role] || a.i - b.i)
    .map(({ s }) => s);
  if (bad.length === 0) return '';
  const rows = bad
    .slice(0, MAX_SERVICE_ROWS)
    .map((s: ServiceHealth) => {
      const b = s.baseline;
      const failed = failureFigures(f, s);
      return `<tr class="anomalous"><td>${e(labels.get(s) ?? s.service)}</td><td>${roleBadge(s.role)}</td><td class="n">${e(compact(s.requests))}</td><td class="n failed">${e(pct(failed.now))}</td><td class="n failed-before">${failed.baseline !== undefined ? e(pct(failed.baseline)) : '—'}</td><td class="n">${e(secs(s.latency.p99))}</td><td class="n">${b ? e(secs(b.latency.p99)) : '—'}</td><td>${e(s.signals.join(', ') || '—')}</td></tr>`;
    })
    .join('\n');
  const more =
    bad.length > MAX_SERVICE_ROWS
      ? `<p class="note services-folded">… and ${bad.length - MAX_SERVICE_ROWS} more degraded services, in the finding’s JSON.</p>`
      : '';
  const healthy = f.services.length - bad.length;
  return `<section id="services">
<h2>Services in the cascade</h2>
<table>
<thead><tr><th>service</th><th>role</th><th>requests</th><th title="5xx and 429">failed</th><th>failed before</th><th>p99</th><th>p99 before</th><th>anomalous on</th></tr></thead>
<tbody>
${rows}
</tbody>
</table>${more}
<p class="note">${healthy} other service${healthy === 1 ? ' is' : 's are'} healthy. System health ${e(pct(f.systemHealth, 0))}; “failed” counts 5xx faults and 429 throttles, as the evidence does; “before” is the baseline window${f.baselineWindow ? ` (${e(utc(f.baselineWindow.start))} on)` : ''}.</p>
</section>`;
}

function list(names: readonly string[]): string {
  if (names.length === 0) return 'none';
  return names.length > 10
    ? `${names.slice(0, 10).join(', ')} and ${names.length - 10} more`
    : names.join(', ');
}

function roleCss(): string {
  return (Object.keys(ROLE_STYLES) as ServiceRole[])
    .map((role) => {
      const s = ROLE_STYLES[role];
      const border = s.dash === undefined ? 'solid' : s.dash.startsWith('1,') ? 'dotted' : 'dashed';
      return `.role.role-${role}{background:${s.fill};border-color:${s.stroke};border-style:${border};color:${s.fontColor}}`;
    })
    .join('\n');
}

function depthCss(): string {
  return Array.from(
    { length: 10 },
    (_, d) => `td.depth-${d}{padding-left:${(0.6 + 1.1 * d).toFixed(1)}rem}`,
  ).join('');
}
