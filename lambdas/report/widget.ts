// The incident dashboard's custom widget (issue 19 §1): the open incidents, then the report of the
// incident the dashboard variable chose — the same report as GET /analyses/{id}/report (the cascade
// drawn, root cause, evidence, what to do), folded until it fits the widget's budget. An HTML
// fragment: CloudWatch puts it inside the dashboard page, so its style is scoped to its own box.

import { durationText } from '../core/incidents/lifecycle.ts';
import type { Incident } from '../core/incidents/model.ts';
import type { Finding } from '../core/model.ts';
import { type ConsoleDashboard, consoleDashboardUrl } from './console-link.ts';
import { escapeHtml as e, utc } from './format.ts';
import { type HtmlReportOptions, REPORT_STYLE, type ReportSections, renderReportBody } from './html.ts';
import { alarmsText } from './incident-text.ts';

/**
 * Lambda returns at most 6 MB from a synchronous call (its invocation payload limit), and the HTML
 * travels in it as a JSON string, which escaping can make up to twice as long (quotes, backslashes).
 */
export const LAMBDA_RESPONSE_LIMIT_BYTES = 6 * 1024 * 1024;
/**
 * What the widget's HTML may weigh: well inside the response limit, and what a dashboard redraws on
 * each refresh without a wait. Past it the report is folded: a smaller picture, then no tables,
 * then no picture.
 */
export const WIDGET_BUDGET_BYTES = 512 * 1024;

/** One row of the open incidents. */
export interface WidgetIncidentRow {
  readonly incidentId: string;
  readonly status: Incident['status'];
  readonly rootCause: string | null;
  readonly openedAt: string;
  readonly lastActivityAt: string;
  readonly alarms: string;
}

export function widgetRow(i: Incident): WidgetIncidentRow {
  return {
    incidentId: i.incidentId,
    status: i.status,
    rootCause: i.rootCause,
    openedAt: i.openedAt,
    lastActivityAt: i.lastActivityAt,
    alarms: alarmsText(i),
  };
}

export interface WidgetView {
  readonly dashboard: ConsoleDashboard;
  readonly open: readonly WidgetIncidentRow[];
  /** The chosen incident and its current finding (undefined when it is not stored). */
  readonly selected?: { readonly incident: Incident; readonly finding: Finding | undefined };
  /** Why no incident is shown although one was asked for (unknown id, a value that is not one). */
  readonly problem?: string;
  /** The byte budget. @default WIDGET_BUDGET_BYTES */
  readonly budgetBytes?: number;
}

/** The folds tried in order until the page fits its budget. */
const FOLDS: readonly { readonly limits?: HtmlReportOptions['limits']; readonly sections: ReportSections }[] =
  [
    { sections: {} },
    { limits: { fullGraph: 20, maxCascade: 60 }, sections: {} },
    { limits: { fullGraph: 12, maxCascade: 25 }, sections: { tables: false } },
    { sections: { picture: false, tables: false } },
  ];

/** The widget's HTML: at most `budgetBytes` UTF-8 bytes, deterministic for the same view. */
export async function renderIncidentWidget(view: WidgetView): Promise<string> {
  const budget = view.budgetBytes ?? WIDGET_BUDGET_BYTES;
  const head = [openList(view), problemNote(view.problem), incidentHeader(view)].join('\n');
  const finding = view.selected?.finding;
  let page = frame(head, '');
  if (finding !== undefined) {
    for (const [n, fold] of FOLDS.entries()) {
      const body = await renderReportBody(
        finding,
        {
          ...(fold.limits ? { limits: fold.limits } : {}),
          ...(view.selected ? { incidentId: view.selected.incident.incidentId } : {}),
        },
        fold.sections,
      );
      const note =
        n === 0
          ? ''
          : `<p class="note widget-folded">Folded to fit the widget: ${foldText(fold.sections)}. The full report: GET /analyses/${e(encodeURIComponent(finding.analysisId))}/report on the API.</p>`;
      page = frame(head, `${note}\n${withoutIncidentLink(body)}`);
      if (bytes(page) <= budget) return page;
    }
  }
  if (bytes(page) <= budget) return page;
  // Only absurd names get here: the list and the header alone, cut to whole rows.
  return frame(`${problemNote('The report does not fit the widget; open it through the API.')}`, '');
}

function foldText(s: ReportSections): string {
  if (s.picture === false) return 'the picture and the tables are left out';
  if (s.tables === false) return 'the picture shows the cascade only and the tables are left out';
  return 'the picture shows the cascade and its nearest healthy services only';
}

/** The report links its incident relative to the API; in the console the header above does. */
function withoutIncidentLink(body: string): string {
  return body.replace(/ · part of incident <a href="[^"]*">([^<]*)<\/a>/, ' · incident $1');
}

function frame(head: string, report: string): string {
  return `<style>${scopeCss(REPORT_STYLE, '.cascade-widget')}${WIDGET_STYLE}</style>
<div class="cwdb-no-default-styles"></div>
<div class="cascade-widget">
${head}
${report}
</div>
`;
}

const WIDGET_STYLE = `
.cascade-widget{padding:.4rem .6rem}
.cascade-widget .open caption{text-align:left;font-weight:650;padding:.2rem 0}
.cascade-widget .open tr.chosen td{background:#fdf1ea}
.cascade-widget .incident-head{margin:.8rem 0 0;padding:.6rem .8rem;background:#f6f6f8;border-radius:.4rem}
.cascade-widget .incident-head h2{margin:0;border:0;font-size:1.15rem}
.cascade-widget .share{word-break:break-all;font-size:.82rem;color:#5b5b5f}
.cascade-widget .problem{margin:.6rem 0;padding:.5rem .8rem;border-left:5px solid #7a2600;background:#fbe9e2}
`;

function openList(view: WidgetView): string {
  const chosen = view.selected?.incident.incidentId;
  if (view.open.length === 0) {
    return '<p class="note">No open incidents. A link from a message opens its incident here.</p>';
  }
  const rows = view.open.map(
    (r) =>
      `<tr${r.incidentId === chosen ? ' class="chosen"' : ''}><td><a href="${e(consoleDashboardUrl(view.dashboard, r.incidentId))}">${e(r.incidentId)}</a></td><td>${e(r.status)}</td><td>${e(r.rootCause ?? 'undetermined')}</td><td>${e(r.alarms)}</td><td>${e(utc(r.openedAt))}</td></tr>`,
  );
  return `<table class="open"><caption>Open incidents (${view.open.length})</caption>
<thead><tr><th>incident</th><th>status</th><th>root cause</th><th>alarms</th><th>opened</th></tr></thead>
<tbody>
${rows.join('\n')}
</tbody></table>`;
}

function problemNote(problem: string | undefined): string {
  return problem === undefined ? '' : `<p class="problem">${e(problem)}</p>`;
}

function incidentHeader(view: WidgetView): string {
  const s = view.selected;
  if (s === undefined) return '';
  const i = s.incident;
  const end = i.resolvedAt ?? i.lastActivityAt;
  const lasted =
    i.status !== 'OPEN'
      ? ` · lasted ${durationText(i.openedAt, end)}`
      : end > i.openedAt
        ? ` · last alarm ${durationText(i.openedAt, end)} after the first`
        : '';
  const link = consoleDashboardUrl(view.dashboard, i.incidentId);
  return `<section class="incident-head">
<h2>Incident ${e(i.incidentId)} · ${e(i.status)}</h2>
<p>Root cause <strong>${e(i.rootCause ?? 'undetermined')}</strong> · ${e(alarmsText(i))} · opened ${e(utc(i.openedAt))}${e(lasted)}</p>
${s.finding === undefined ? `<p class="problem">The finding of its current analysis (${e(i.currentAnalysisId ?? 'none')}) is not stored.</p>` : ''}
<p class="share">Link to this incident: <a href="${e(link)}">${e(link)}</a></p>
</section>`;
}

/**
 * The report's style sheet with every rule scoped to `scope`, so that it styles the widget's box
 * and nothing else of the dashboard: `:root`, `body` and `main` become the box itself.
 */
export function scopeCss(css: string, scope: string): string {
  let out = '';
  let i = 0;
  while (i < css.length) {
    const open = css.indexOf('{', i);
    if (open < 0) break;
    const selector = css.slice(i, open).trim();
    if (selector.startsWith('@media')) {
      // Its block holds rules: find its matching brace and scope what is inside.
      let depth = 1;
      let j = open + 1;
      while (j < css.length && depth > 0) {
        if (css[j] === '{') depth++;
        else if (css[j] === '}') depth--;
        j++;
      }
      out += `${selector}{${scopeCss(css.slice(open + 1, j - 1), scope)}}`;
      i = j;
      continue;
    }
    const close = css.indexOf('}', open);
    const scoped = selector
      .split(',')
      .map((sel) => {
        const s = sel.trim();
        if (s === ':root' || s === 'body' || s === 'main') return scope;
        if (s.startsWith('main ')) return `${scope} ${s.slice(5)}`;
        return `${scope} ${s}`;
      })
      .join(',');
    out += `${scoped}{${css.slice(open + 1, close)}}`;
    i = close + 1;
  }
  return out;
}

function bytes(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}
