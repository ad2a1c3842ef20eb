// Lays the picture out with the Graphviz the project already ships (@viz-js/viz, WebAssembly: no
// native binary, same output on every machine), and where the committed picture lives.

import { graphviz } from '../../lambdas/report/layout.ts';

export const DOCS_DOT = new URL('../../docs/architecture.dot', import.meta.url);
export const DOCS_SVG = new URL('../../docs/architecture.svg', import.meta.url);

/** The SVG of `dot`; Graphviz's errors (not its warnings) fail it, so a broken picture is never written. */
export async function renderSvg(dot: string): Promise<string> {
  const result = (await graphviz()).render(dot, { format: 'svg', engine: 'dot' });
  const errors = result.errors.filter((e) => e.level === 'error').map((e) => e.message);
  if (result.status !== 'success' || errors.length > 0) {
    throw new Error(`Graphviz could not lay out the architecture: ${errors.join('; ') || 'no output'}`);
  }
  return result.output;
}
