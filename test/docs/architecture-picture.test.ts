// The committed picture is the stack's: docs/architecture.dot is what the template of the default
// configuration (cdk.json) draws, and docs/architecture.svg is that DOT laid out. Changing the stack
// without redrawing, or editing either file by hand, fails here.
//
// Type-checked with the CDK code (tsconfig.cdk.json): it synthesizes the stack.

import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { synthesizeTemplate } from '../../lambdas/local/synth-app.ts';
import { architectureDot } from '../../scripts/architecture/diagram.ts';
import { DOCS_DOT, DOCS_SVG, renderSvg } from '../../scripts/architecture/render.ts';

const STALE = 'docs/architecture.svg is stale: run npm run docs:architecture';

/** The committed file, or '' when there is none (which is stale too). */
async function committed(file: URL): Promise<string> {
  return readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return '';
    throw err;
  });
}

describe('Picture: docs/architecture.svg', () => {
  it('should draw the template the default configuration synthesizes', async () => {
    // Prepare
    const dot = await committed(DOCS_DOT);
    // Act
    const current = architectureDot(synthesizeTemplate());
    // Assess
    expect(current, STALE).toBe(dot);
  });

  it('should be the committed DOT as Graphviz lays it out', async () => {
    // Prepare
    const [dot, svg] = await Promise.all([committed(DOCS_DOT), committed(DOCS_SVG)]);
    expect(dot, STALE).not.toBe('');
    // Act
    const rendered = await renderSvg(dot);
    // Assess
    expect(rendered, STALE).toBe(svg);
  });
});
