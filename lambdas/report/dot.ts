// The cascade picture as Graphviz DOT. Roles differ in shape and outline as well as colour, so the
// picture reads without colour vision and in black and white: origin = bold double octagon,
// propagator = dashed rounded box, affected = dotted ellipse, healthy = thin plain box. Colours
// come from the Okabe–Ito palette (vermillion, orange, blue, grey), chosen to stay distinct under
// the common colour-vision deficiencies.

import type { ServiceRole } from '../core/model.ts';
import type { CascadeView, CollapsedViewNode, ServiceViewNode, ViewEdge } from './cascade-view.ts';
import { clip, compact, escapeHtml, pct, secs, shortType } from './format.ts';

export interface NodeStyle {
  /** Graphviz shape. */
  readonly shape: string;
  /** Graphviz style list. */
  readonly style: string;
  readonly fill: string;
  readonly stroke: string;
  readonly penwidth: number;
  readonly fontColor: string;
  /** The SVG stroke-dasharray Graphviz writes for this style, for the legend's swatches. */
  readonly dash: string | undefined;
}

export const ROLE_STYLES: Readonly<Record<ServiceRole, NodeStyle>> = {
  origin: {
    shape: 'doubleoctagon',
    style: 'filled,bold',
    fill: '#F7C6A8',
    stroke: '#B34700',
    penwidth: 2.5,
    fontColor: '#2B1100',
    dash: undefined,
  },
  propagator: {
    shape: 'box',
    style: 'filled,rounded,dashed',
    fill: '#FCE3A4',
    stroke: '#8F6200',
    penwidth: 2,
    fontColor: '#2B1E00',
    dash: '5,2',
  },
  affected: {
    shape: 'ellipse',
    style: 'filled,dotted',
    fill: '#D2E7F6',
    stroke: '#005A8C',
    penwidth: 2,
    fontColor: '#00263D',
    dash: '1,5',
  },
  healthy: {
    shape: 'box',
    style: 'filled',
    fill: '#FFFFFF',
    stroke: '#8C8C8C',
    penwidth: 1,
    fontColor: '#3C3C3C',
    dash: undefined,
  },
};

export const COLLAPSED_STYLE: NodeStyle = {
  shape: 'folder',
  style: 'filled',
  fill: '#F0F0F0',
  stroke: '#8C8C8C',
  penwidth: 1,
  fontColor: '#505050',
  dash: undefined,
};

export const USERS_STYLE: NodeStyle = {
  shape: 'box',
  style: 'filled,rounded',
  fill: '#2E2E2E',
  stroke: '#2E2E2E',
  penwidth: 1,
  fontColor: '#FFFFFF',
  dash: undefined,
};

/** Calls on the path from the top root cause to the users. */
export const PATH_EDGE = { color: '#B34700', minWidth: 2.25 } as const;
export const EDGE = { color: '#A3A3A3', cascadeColor: '#6B6B6B', minWidth: 0.75, maxWidth: 6 } as const;

const FONT = 'Helvetica';

/** Edge width from traffic, on a log scale between EDGE.minWidth and EDGE.maxWidth. */
export function edgeWidth(calls: number | undefined, maxCalls: number): number {
  if (calls === undefined || calls <= 0 || maxCalls <= 0) return EDGE.minWidth;
  const share = Math.log1p(calls) / Math.log1p(maxCalls);
  return round2(EDGE.minWidth + (EDGE.maxWidth - EDGE.minWidth) * Math.min(1, share));
}

/** DOT for the view; every text from the finding is escaped for the DOT or HTML-label context it lands in. */
export function dotSource(view: CascadeView): string {
  const byId = new Map(view.nodes.map((n) => [n.id, n]));
  const maxCalls = Math.max(0, ...view.edges.map((e) => e.calls ?? 0));
  const labelEdges = view.edges.length <= 60;
  const lines: string[] = [
    'digraph cascade {',
    `  graph [rankdir=LR, bgcolor="transparent", pad="0.15", nodesep="0.22", ranksep="0.55", fontname="${FONT}", newrank=true, class="cascade-graph"];`,
    `  node [fontname="${FONT}", fontsize="11", margin="0.14,0.06"];`,
    `  edge [fontname="${FONT}", fontsize="8", fontcolor="#555555", arrowsize="0.6"];`,
  ];
  for (const n of view.nodes) {
    if (n.kind === 'users') {
      lines.push(
        `  users [${attrs({
          ...nodeAttrs(USERS_STYLE),
          label: '<<B>Users</B>>',
          tooltip: 'Users: the clients calling the entry points',
          class: 'users',
        })}];`,
      );
    } else if (n.kind === 'service') {
      lines.push(`  ${n.id} [${attrs(serviceAttrs(n))}];`);
    } else {
      lines.push(`  ${n.id} [${attrs(collapsedAttrs(n))}];`);
    }
  }
  if (view.unlinked.length > 1) lines.push(...unlinkedBlock(view));
  for (const e of view.edges) {
    const target = byId.get(e.to);
    const cascade =
      target?.kind === 'service' &&
      target.health.role !== 'healthy' &&
      byId.get(e.from)?.kind !== 'collapsed';
    lines.push(`  ${e.from} -> ${e.to} [${attrs(edgeAttrs(e, maxCalls, cascade, labelEdges))}];`);
  }
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/**
 * Services without a drawn edge would otherwise stack into one tall column: group them in a
 * labelled box, in rows joined by invisible edges (left to right), so that they form a grid.
 */
function unlinkedBlock(view: CascadeView): string[] {
  const ids = view.unlinked;
  const perRow = Math.max(2, Math.min(6, Math.ceil(Math.sqrt(ids.length * 1.5))));
  const why =
    view.edgesFrom === 'finding'
      ? 'Also in the cascade: the finding does not record their calls'
      : 'Also in the cascade: no calls to the services drawn';
  const lines = [
    '  subgraph cluster_unlinked {',
    `    label=${quote(why)}; labeljust="l"; fontsize="10"; fontcolor="#555555"; style="dashed,rounded"; color="#B5B5B5"; class="unlinked";`,
    `    ${ids.join('; ')};`,
  ];
  for (let i = 0; i < ids.length; i += perRow) {
    const row = ids.slice(i, i + perRow);
    if (row.length > 1) lines.push(`    ${row.join(' -> ')} [style="invis"];`);
  }
  lines.push('  }');
  return lines;
}

function serviceAttrs(n: ServiceViewNode): Record<string, string> {
  const h = n.health;
  const style = ROLE_STYLES[h.role];
  const head =
    n.rootCauseRank !== undefined
      ? `<FONT POINT-SIZE="9"><B>ROOT CAUSE${n.rootCauseRank > 1 ? ` #${n.rootCauseRank}` : ''}</B></FONT><BR/>`
      : '';
  const metrics = `failed ${pct(n.failures.now)} · p99 ${secs(h.latency.p99)}`;
  const label = `<${head}<B>${escapeHtml(clip(n.label, 40))}</B><BR/><FONT POINT-SIZE="9">${escapeHtml(
    clip(shortType(h.type), 40),
  )}</FONT><BR/><FONT POINT-SIZE="9">${escapeHtml(metrics)}</FONT>>`;
  const classes = ['service', `role-${h.role}`];
  if (n.rootCauseRank !== undefined) classes.push('root-cause');
  if (n.onPath) classes.push('on-path');
  return {
    ...nodeAttrs(style),
    // The double octagon is drawn around the label's box: less padding keeps it compact.
    ...(h.role === 'origin' ? { margin: '0.02,0.01' } : {}),
    label,
    tooltip: serviceTooltip(n),
    class: classes.join(' '),
  };
}

function serviceTooltip(n: ServiceViewNode): string {
  const h = n.health;
  const b = h.baseline;
  const lines = [
    `${n.label} (${h.type})`,
    `role: ${h.role}${n.rootCauseRank !== undefined ? `, root cause #${n.rootCauseRank}` : ''}`,
    `requests: ${h.requests}`,
    `failed (5xx + 429): ${pct(n.failures.now)}${n.failures.baseline !== undefined ? ` (baseline ${pct(n.failures.baseline)})` : ''}`,
    `5xx: ${pct(h.faultRate)}${b ? ` (baseline ${pct(b.faultRate)})` : ''}`,
    `4xx: ${pct(h.errorRate)} · 429: ${pct(h.throttleRate)}`,
    `p99: ${secs(h.latency.p99)}${b ? ` (baseline ${secs(b.latency.p99)})` : ''}`,
  ];
  if (h.signals.length > 0) lines.push(`anomalous on: ${h.signals.join(', ')}`);
  return lines.join('\n');
}

function collapsedAttrs(n: CollapsedViewNode): Record<string, string> {
  const what = n.anomalous > 0 ? `${n.count - n.anomalous} healthy, ${n.anomalous} anomalous` : 'healthy';
  return {
    ...nodeAttrs(COLLAPSED_STYLE),
    fontsize: '9',
    label: `<+${n.count} ${escapeHtml(what)}>`,
    tooltip: `${n.count} more services called from here (${what}) are not drawn`,
    class: 'collapsed',
  };
}

function edgeAttrs(
  e: ViewEdge,
  maxCalls: number,
  cascade: boolean,
  withLabel: boolean,
): Record<string, string> {
  const width = edgeWidth(e.calls, maxCalls);
  const a: Record<string, string> = {
    penwidth: String(e.onPath ? Math.max(width, PATH_EDGE.minWidth) : width),
    color: e.onPath ? PATH_EDGE.color : cascade ? EDGE.cascadeColor : EDGE.color,
    class: ['call', e.kind, e.onPath ? 'on-path' : ''].filter(Boolean).join(' '),
  };
  if (e.kind === 'collapsed') a.style = 'dashed';
  if (e.onPath) a.arrowsize = '0.8';
  if (e.calls !== undefined) {
    const approx = e.exact ? '' : '≈';
    const failed = e.faults !== undefined && e.calls > 0 ? `, ${pct(e.faults / e.calls)} 5xx` : '';
    a.tooltip = `${approx}${Math.round(e.calls)} calls${failed}${e.exact ? '' : ' (estimated from the callee)'}`;
    if (withLabel && e.kind !== 'collapsed') a.label = `${approx}${compact(e.calls)}`;
  }
  return a;
}

function nodeAttrs(s: NodeStyle): Record<string, string> {
  return {
    shape: s.shape,
    style: s.style,
    fillcolor: s.fill,
    color: s.stroke,
    penwidth: String(s.penwidth),
    fontcolor: s.fontColor,
  };
}

/** `key="value"` pairs; a value starting with `<` and ending with `>` is an HTML-like label. */
function attrs(a: Record<string, string>): string {
  return Object.entries(a)
    .map(([k, v]) =>
      k === 'label' && v.startsWith('<') && v.endsWith('>') ? `${k}=${v}` : `${k}=${quote(v)}`,
    )
    .join(', ');
}

/**
 * A DOT quoted string: backslashes and quotes escaped, line breaks as `\n`, control characters
 * dropped, and `&` written as `&amp;` because Graphviz passes entities through to the SVG.
 */
export function quote(s: string): string {
  const body = s
    .replace(/&/g, '&amp;')
    .replace(/\\/g, '\\\\')
    .replace(/"/g, '\\"')
    .replace(/\r?\n/g, '\\n')
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing control characters is the point
    .replace(/[\u0000-\u001f\u007f]/g, '');
  return `"${body}"`;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}
