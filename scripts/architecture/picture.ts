// The architecture picture as a graph — nodes in clusters, edges of a few kinds — and its Graphviz
// DOT. Layout hints live here, not in the reading of the template: which nodes form a column, which
// store is drawn beside which step, and how edges are written so that Graphviz keeps them tidy.

export type NodeKind =
  | 'lambda'
  | 'step'
  | 'choice'
  | 'succeed'
  | 'fail'
  | 'table'
  | 'bucket'
  | 'messaging'
  | 'rule'
  | 'api'
  | 'alarm'
  | 'dashboard'
  | 'external';

export type EdgeKind = 'flow' | 'start' | 'access' | 'catch' | 'undelivered' | 'notify' | 'logs';

export interface PictureNode {
  readonly id: string;
  readonly kind: NodeKind;
  /** The first line bold (the name), the others small (the service, details). */
  readonly lines: readonly string[];
}

export interface PictureEdge {
  readonly from: string;
  readonly to: string;
  readonly kind: EdgeKind;
  readonly label?: string;
  /** Shown on hover in a browser: for access edges, the IAM actions and environment variables. */
  readonly tooltip?: string;
  /** Where the arrowhead is: at `to` (forward, the default), at `from` (back: a read) or both. */
  readonly dir?: 'forward' | 'back' | 'both';
  /** Ends at the border of this cluster (a state machine) rather than at `to`. */
  readonly lhead?: string;
  /** Starts at the border of this cluster rather than at `from`. */
  readonly ltail?: string;
}

export interface Cluster {
  readonly id: string;
  readonly label: string;
  readonly nodes: PictureNode[];
}

const FONT = 'Helvetica';

const NODE_STYLE: Readonly<Record<NodeKind, string>> = {
  lambda: 'shape=box, style="rounded,filled", fillcolor="#FFF4E5", color="#D86613"',
  step: 'shape=box, style="rounded,filled", fillcolor="#FFF4E5", color="#D86613"',
  /** A state that invokes no Lambda: a Choice, a Pass, a direct service call. */
  choice: 'shape=box, style="rounded,filled,dashed", fillcolor="#F4F4F4", color="#666666"',
  succeed: 'shape=box, style="rounded,filled", fillcolor="#EEF7E8", color="#3F8624", fontsize="9"',
  fail: 'shape=box, style="rounded,filled", fillcolor="#FDECEC", color="#C7131F", fontsize="9"',
  table: 'shape=cylinder, style="filled", fillcolor="#EEF0FF", color="#3B48CC"',
  bucket: 'shape=cylinder, style="filled", fillcolor="#EEF7E8", color="#3F8624"',
  messaging: 'shape=box, style="filled", fillcolor="#FDEEF4", color="#E7157B"',
  rule: 'shape=box, style="rounded,filled", fillcolor="#FDEEF4", color="#E7157B"',
  api: 'shape=box, style="filled", fillcolor="#F3EEFF", color="#8C4FFF"',
  alarm: 'shape=box, style="filled", fillcolor="#FDECEC", color="#C7131F"',
  dashboard: 'shape=box, style="filled", fillcolor="#FDECEC", color="#C7131F"',
  external: 'shape=box, style="rounded,dashed", color="#888888"',
};

// Data access and alarm actions say which way things are, not where they go: weight 0, so that a
// store used by many steps does not pull them towards it.
const EDGE_STYLE: Readonly<Record<EdgeKind, string>> = {
  flow: 'color="#444444"',
  start: 'color="#E7157B", penwidth="1.6"',
  access: 'color="#3B48CC", weight="0"',
  catch: 'color="#C7131F", style="dashed"',
  undelivered: 'color="#888888", style="dotted"',
  notify: 'color="#C7131F", style="dashed", weight="0"',
  logs: 'color="#888888", style="dashed"',
};

/** Said once under the title instead of on every edge. */
const LEGEND = [
  "Blue: access the function's IAM role allows (arrowhead at the store: writes; at the function: reads).",
  'Red dashed: where a failed step goes (Catch), alarm actions. Grey dotted: undeliverable events, to a dead-letter queue.',
];

const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const quote = (text: string): string => `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

function htmlLabel(lines: readonly string[]): string {
  const [title = '', ...rest] = lines;
  const small = rest.map((l) => `<br/><font point-size="9" color="#444444">${escapeHtml(l)}</font>`);
  return `<<b>${escapeHtml(title)}</b>${small.join('')}>`;
}

const TURNED = { forward: 'back', back: 'forward', both: 'both' } as const;

export class Picture {
  /** In the order Graphviz should start placing them, left to right. */
  readonly clusters: Cluster[] = [];
  readonly loose: PictureNode[] = [];
  readonly edges: PictureEdge[] = [];
  /** Nodes one under the other, in this order: a workflow's steps. */
  readonly columns: string[][] = [];
  /** Pairs of nodes on one rank: a store beside a step that uses it, or a store nothing uses. */
  private readonly sameRank: [string, string][] = [];
  /** The step each store is drawn beside. */
  private readonly besideOf = new Map<string, string>();
  private readonly edgeKeys = new Set<string>();

  cluster(id: string, label: string): Cluster {
    const found = this.clusters.find((c) => c.id === id);
    if (found) return found;
    const made: Cluster = { id, label, nodes: [] };
    this.clusters.push(made);
    return made;
  }

  node(node: PictureNode, cluster?: Cluster): void {
    (cluster?.nodes ?? this.loose).push(node);
  }

  nodes(): PictureNode[] {
    return [...this.clusters.flatMap((c) => c.nodes), ...this.loose];
  }

  /** Adds `edge` unless the same one (ends, kind, label) is there already. */
  edge(edge: PictureEdge): void {
    const key = `${edge.from}\0${edge.to}\0${edge.kind}\0${edge.label ?? ''}`;
    if (this.edgeKeys.has(key)) return;
    this.edgeKeys.add(key);
    this.edges.push(edge);
  }

  /**
   * Draws `store` on the rank of `step`. Its edges to steps further down the column are written
   * from the store (arrows turned round), so that every edge agrees with the ranks: the store stays
   * beside the workflow instead of sinking below its last user, and no edge loops round a cluster.
   */
  beside(step: string, store: string): void {
    this.sameRank.push([step, store]);
    this.besideOf.set(store, step);
  }

  /** `node` on the rank of `other`, nothing more. */
  level(other: string, node: string): void {
    this.sameRank.push([other, node]);
  }

  toDot(title: string): string {
    const out = [
      '// Generated by scripts/draw-architecture.ts from the synthesized CloudFormation template.',
      '// Do not edit: run `npm run docs:architecture`.',
      'digraph architecture {',
      `  graph [rankdir=TB, compound=true, newrank=true, fontname="${FONT}", fontsize="11", nodesep="0.25", ranksep="0.45", pad="0.2", labelloc="t", labeljust="l", label=${htmlLabel([title, ...LEGEND])}];`,
      `  node [fontname="${FONT}", fontsize="11", margin="0.12,0.05"];`,
      `  edge [fontname="${FONT}", fontsize="9", fontcolor="#444444", arrowsize="0.7"];`,
    ];
    const writeNode = (n: PictureNode, indent: string) => {
      out.push(`${indent}${quote(n.id)} [label=${htmlLabel(n.lines)}, ${NODE_STYLE[n.kind]}];`);
    };
    for (const c of this.clusters) {
      if (c.nodes.length === 0) continue;
      out.push(`  subgraph ${quote(`cluster_${c.id}`)} {`);
      out.push(`    graph [label=${htmlLabel([c.label])}, style="rounded", color="#BBBBBB"];`);
      for (const n of c.nodes) writeNode(n, '    ');
      out.push('  }');
    }
    for (const n of this.loose) writeNode(n, '  ');
    for (const [a, b] of this.sameRank) out.push(`  { rank=same; ${quote(a)}; ${quote(b)}; }`);
    // Invisible, heavy edges hold a column straight: each node one rank below the one before.
    const place = new Map<string, number>();
    for (const column of this.columns) {
      column.forEach((id, i) => {
        place.set(id, i);
        if (i > 0) out.push(`  ${quote(column[i - 1] as string)} -> ${quote(id)} [style=invis, weight=10];`);
      });
    }
    for (const e of this.edges) {
      const beside = this.besideOf.get(e.to);
      const up =
        e.kind === 'access' && beside !== undefined && (place.get(e.from) ?? -1) > (place.get(beside) ?? -1);
      const attrs = [EDGE_STYLE[e.kind]];
      if (e.label !== undefined) attrs.push(`label=${quote(e.label)}`);
      if (e.tooltip !== undefined) attrs.push(`tooltip=${quote(e.tooltip)}`);
      const dir = up ? TURNED[e.dir ?? 'forward'] : e.dir;
      if (dir !== undefined && dir !== 'forward') attrs.push(`dir=${dir}`);
      if (e.lhead !== undefined) attrs.push(`lhead=${quote(`cluster_${e.lhead}`)}`);
      if (e.ltail !== undefined) attrs.push(`ltail=${quote(`cluster_${e.ltail}`)}`);
      const [tail, head] = up ? [e.to, e.from] : [e.from, e.to];
      out.push(`  ${quote(tail)} -> ${quote(head)} [${attrs.join(', ')}];`);
    }
    out.push('}');
    return `${out.join('\n')}\n`;
  }
}
