// Graphviz layout needs no network: @viz-js/viz carries its WebAssembly inline. This file runs in
// a module registry of its own, so the first layout here is the one that loads the wasm.

import { afterEach, describe, expect, it, vi } from 'vitest';
import { layoutSvg } from '../../lambdas/report/layout.ts';

describe('Function: layoutSvg', () => {
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('should load Graphviz and lay out a graph without fetching anything', async () => {
    // Prepare
    const fetch = vi.fn(() => {
      throw new Error('no network for layout');
    });
    vi.stubGlobal('fetch', fetch);
    // Act
    const svg = await layoutSvg('digraph { a -> b [class="on-path"] }');
    // Assess
    expect(fetch).not.toHaveBeenCalled();
    expect(svg.startsWith('<svg ')).toBe(true);
    expect(svg).not.toMatch(/<\?xml|<!DOCTYPE|<!--/);
    expect(svg).toContain('class="edge on&#45;path"');
  });

  it('should fail with Graphviz’s message on DOT it cannot read', async () => {
    await expect(layoutSvg('digraph { a -> }')).rejects.toThrow(/syntax error/);
  });
});

describe('Function: tooltipsAsTitles', () => {
  it('should title each node and edge with its tooltip, and drop the DOT ids', async () => {
    // Act
    const svg = await layoutSvg(
      'digraph g { a [tooltip="A & B <c>\\nline 2"]; a -> b [tooltip="12 calls"]; }',
    );
    // Assess
    const titles = [...svg.matchAll(/<title>([^<]*)<\/title>/g)].map((m) => m[1]);
    expect(titles).toEqual(['A &amp; B &lt;c&gt;&#10;line 2', '12 calls']);
  });
});
