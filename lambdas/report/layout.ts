// Graphviz (compiled to WebAssembly by @viz-js/viz; the wasm is inlined in the package, so layout
// needs no network and no native binary) turns DOT into an SVG fragment to inline in the report.

import type { Viz } from '@viz-js/viz';

let viz: Promise<Viz> | undefined;

/**
 * One Graphviz instance per process: compiling the wasm is the slow part, rendering is not. The
 * module (1.5 MB, most of it the inlined wasm) is loaded on the first report, so that processes
 * that never draw one (the API's other routes) never evaluate it.
 */
export function graphviz(): Promise<Viz> {
  if (viz === undefined) {
    // In Lambda the package comes from a layer (it would triple the bundle): the stack names the
    // module file in CASCADE_GRAPHVIZ_MODULE. A computed specifier also keeps esbuild from inlining it.
    const specifier = process.env.CASCADE_GRAPHVIZ_MODULE ?? '@viz-js/viz';
    const loading = (import(specifier) as Promise<typeof import('@viz-js/viz')>).then((m) => m.instance());
    viz = loading;
    // A failed load is tried again by the next report; this caller still gets the error.
    loading.catch(() => {
      if (viz === loading) viz = undefined;
    });
  }
  return viz;
}

/** Lays out `dot` with the `dot` engine and returns a bare `<svg>` element (no XML prolog, doctype or comments). */
export async function layoutSvg(dot: string): Promise<string> {
  const v = await graphviz();
  const svg = v.renderString(dot, { format: 'svg', engine: 'dot' });
  const at = svg.indexOf('<svg');
  if (at < 0) throw new Error('Graphviz returned no SVG');
  return tooltipsAsTitles(svg.slice(at).replace(/<!--[\s\S]*?-->\n?/g, ''));
}

/**
 * Graphviz titles each node, edge and cluster with its DOT id (`s0`, `s0->s1`), which browsers
 * show on hover. Each group gets its tooltip as title instead, or no title when it has none.
 */
export function tooltipsAsTitles(svg: string): string {
  return svg
    .split(/(?=<g id="(?:graph|clust|node|edge)\d+")/)
    .map((part) => {
      if (!part.startsWith('<g id="')) return part;
      const tip = /xlink:title="([^"]*)"/.exec(part)?.[1];
      return part.replace(/<title>[^<]*<\/title>\n?/, tip === undefined ? '' : `<title>${tip}</title>\n`);
    })
    .join('');
}
