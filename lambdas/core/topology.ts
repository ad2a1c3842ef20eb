// The shape of the graph: callers, entry points, reachability, a cycle-safe order, labels.

import type { GraphNode, ServiceGraph } from './model.ts';

export interface InEdge {
  readonly from: number;
  /** Index into `nodes[from].edges`. */
  readonly edge: number;
}

export interface Topology {
  readonly nodes: readonly GraphNode[];
  readonly callers: readonly (readonly InEdge[])[];
  /** Services that users reach first: called by a `client` node, marked Root, or called by nobody. */
  readonly entries: readonly number[];
  readonly isEntry: readonly boolean[];
  /** Callers before callees; edges closing a cycle are ignored (see `backEdge`). */
  readonly order: readonly number[];
  /** `backEdge[v]` holds the callee indices whose edge from v closes a cycle. */
  readonly backEdge: readonly ReadonlySet<number>[];
  readonly labels: readonly string[];
}

export function buildTopology(graph: ServiceGraph): Topology {
  const { nodes } = graph;
  const n = nodes.length;
  const callers: InEdge[][] = Array.from({ length: n }, () => []);
  nodes.forEach((node, from) => {
    node.edges.forEach((e, edge) => {
      callers[e.to]?.push({ from, edge });
    });
  });
  const isEntry = nodes.map((node, i) => {
    if (node.isClient || !node.stats || node.stats.total === 0) return false;
    const ins = callers[i] ?? [];
    if (node.root) return true;
    if (ins.length === 0) return true;
    return ins.some((c) => nodes[c.from]?.isClient === true);
  });
  const entries = nodes.map((_, i) => i).filter((i) => isEntry[i]);

  // Iterative DFS post-order from clients, entries, then every other node: deterministic and
  // stack-safe on 20k-service graphs. Reversed post-order puts callers before callees.
  const state = new Uint8Array(n); // 0 new, 1 on stack, 2 done
  const backEdge: Set<number>[] = Array.from({ length: n }, () => new Set<number>());
  const post: number[] = [];
  const starts = [
    ...nodes.map((nd, i) => (nd.isClient ? i : -1)).filter((i) => i >= 0),
    ...entries,
    ...nodes.map((_, i) => i),
  ];
  for (const s of starts) {
    if (state[s] !== 0) continue;
    const stack: [number, number][] = [[s, 0]];
    state[s] = 1;
    while (stack.length > 0) {
      const top = stack[stack.length - 1] as [number, number];
      const [v, i] = top;
      const edges = nodes[v]?.edges ?? [];
      if (i < edges.length) {
        top[1] = i + 1;
        const to = (edges[i] as { to: number }).to;
        if (state[to] === 1) backEdge[v]?.add(to);
        else if (state[to] === 0) {
          state[to] = 1;
          stack.push([to, 0]);
        }
      } else {
        state[v] = 2;
        post.push(v);
        stack.pop();
      }
    }
  }
  const order = post.reverse();

  const nameCount = new Map<string, number>();
  for (const nd of nodes) if (!nd.isClient) nameCount.set(nd.name, (nameCount.get(nd.name) ?? 0) + 1);
  const labels = nodes.map((nd) =>
    nd.isClient
      ? `${nd.name} (users)`
      : (nameCount.get(nd.name) ?? 0) > 1
        ? `${nd.name} [${nd.type}]`
        : nd.name,
  );
  return { nodes, callers, entries, isEntry, order, backEdge, labels };
}

/** Every node that can reach `target` through calls (its transitive callers), excluding clients. */
export function ancestorsOf(topo: Topology, target: number): number[] {
  const seen = new Uint8Array(topo.nodes.length);
  seen[target] = 1;
  const queue = [target];
  const out: number[] = [];
  for (let q = 0; q < queue.length; q++) {
    const v = queue[q] as number;
    for (const c of topo.callers[v] ?? []) {
      if (seen[c.from]) continue;
      seen[c.from] = 1;
      if (topo.nodes[c.from]?.isClient) continue;
      out.push(c.from);
      queue.push(c.from);
    }
  }
  return out.sort((a, b) => a - b);
}

/** Every node `source` calls, transitively (its dependencies), with BFS depth and parent. */
export function descendantsOf(
  topo: Topology,
  source: number,
): { node: number; depth: number; parent: number }[] {
  const seen = new Uint8Array(topo.nodes.length);
  seen[source] = 1;
  const out = [{ node: source, depth: 0, parent: -1 }];
  for (let q = 0; q < out.length; q++) {
    const { node: v, depth } = out[q] as { node: number; depth: number };
    for (const e of topo.nodes[v]?.edges ?? []) {
      if (seen[e.to]) continue;
      seen[e.to] = 1;
      out.push({ node: e.to, depth: depth + 1, parent: v });
    }
  }
  return out;
}
