// The HTML report's structure, without a browser: what each section holds, that the page needs
// nothing from outside and keeps to its Content-Security-Policy, escaping, determinism, and that
// large graphs draw the cascade whole and fold the rest.

import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { Finding } from '../../lambdas/core/model.ts';
import { buildCascadeView } from '../../lambdas/report/cascade-view.ts';
import { dotSource, quote } from '../../lambdas/report/dot.ts';
import { REPORT_CSP, renderCascadeSvg, renderHtml } from '../../lambdas/report/html.ts';
import { generatedIncident, shopIncident } from './fixtures.ts';
import { hugeFinding } from './large-finding.ts';

const count = (html: string, re: RegExp): number => html.match(re)?.length ?? 0;

/** The SVG `<g>` groups Graphviz wrote for nodes of one class, e.g. `role-origin`. */
const nodes = (html: string, cls: string): number =>
  count(html, new RegExp(`<g id="node\\d+" class="node [^"]*\\b${cls.replace(/-/g, '&#45;')}\\b`, 'g'));

describe('Function: renderHtml', () => {
  const shop = shopIncident();

  it('should hold every section of the shop report, the cascade drawn with the exact graph', async () => {
    // Act
    const html = await renderHtml(shop.finding, { graph: shop.snapshot.incident });
    // Assess: what fired and when, the verdict, health and blast radius.
    expect(html).toContain('<h1>Cascade analysis: frontend</h1>');
    expect(html).toContain('alarm cascade-analyzer-frontend-fault-rate on frontend');
    expect(html).toContain('2026-11-20 03:00 to 03:15 UTC');
    expect(html).toContain('<strong class="root-cause-name">api.payments.example.com</strong>');
    expect(html).toMatch(/System health<\/span><span class="v">45 %/);
    expect(html).toContain('40 % of entry traffic');
    // The picture: one origin, three propagators, four healthy services, the users.
    expect(html).toContain('<svg class="cascade" role="img" aria-label="Cascade graph: 8 of 8 services"');
    expect(nodes(html, 'role-origin')).toBe(1);
    expect(nodes(html, 'role-propagator')).toBe(3);
    expect(nodes(html, 'role-healthy')).toBe(4);
    expect(nodes(html, 'users')).toBe(1);
    // users → frontend → order-service → payment-service → api.payments.example.com, highlighted.
    expect(count(html, /class="edge call (entry|call) on&#45;path"/g)).toBe(4);
    expect(html).toMatch(/>failed 15\.3 % · p99 2\.50 s</);
    expect(html).toMatch(/>21\.7k</);
    // The legend, root causes with evidence, the path, what to do, the chain and the services.
    for (const item of [
      'origin',
      'propagator',
      'affected',
      'healthy',
      'collapsed',
      'users',
      'path',
      'traffic',
    ]) {
      expect(html).toContain(`<li class="legend-item legend-${item}">`);
    }
    expect(html).toContain('<li>failure rate 15.3 % over 21708 requests, baseline 0.2 %</li>');
    expect(html).toContain('As text: api.payments.example.com → payment-service → order-service → frontend');
    expect(count(html, /<span class="action">/g)).toBe(2);
    expect(count(html, /<td class="depth-\d">/g)).toBe(8);
    expect(html).toContain('<td class="depth-3">api.payments.example.com</td>');
    expect(count(html, /<tr class="anomalous"><td>/g)).toBe(4);
  });

  it('should need nothing from outside and keep to its Content-Security-Policy', async () => {
    // Act
    const html = await renderHtml(shop.finding, { graph: shop.snapshot.incident });
    // Assess
    expect(html).not.toMatch(/<script|<link|<img|<iframe|@import|url\(|\son[a-z]+=/i);
    expect(html).not.toMatch(/\sstyle="/);
    const urls = html.match(/https?:\/\/[^\s"'<>]+/g) ?? [];
    expect(new Set(urls)).toEqual(new Set(['http://www.w3.org/2000/svg', 'http://www.w3.org/1999/xlink']));
    const style = /<style>([\s\S]*?)<\/style>/.exec(html)?.[1] ?? '';
    const hash = createHash('sha256').update(style, 'utf8').digest('base64');
    expect(REPORT_CSP).toContain(`style-src 'sha256-${hash}'`);
    expect(REPORT_CSP).toMatch(/^default-src 'none';/);
    expect(count(html, /<style>/g)).toBe(1);
  });

  it('should escape markup from the finding in the page and in the picture', async () => {
    // Prepare
    const evil = '<script>alert("x")</script>';
    const f = shop.finding;
    const finding: Finding = {
      ...f,
      summary: `${evil} & co`,
      rootCauses: f.rootCauses.map((r) => ({
        ...r,
        service: evil,
        evidence: [{ ...r.evidence[0], text: evil } as never],
      })),
      services: f.services.map((s) =>
        s.role === 'origin' ? { ...s, service: evil, key: `${evil}|remote` } : s,
      ),
      cascade: { paths: f.cascade.paths.map((p) => ({ ...p, services: [evil, ...p.services.slice(1)] })) },
      dependencyChain: f.dependencyChain.map((c) => (c.role === 'origin' ? { ...c, service: evil } : c)),
    };
    // Act
    const html = await renderHtml(finding);
    // Assess
    expect(html).not.toContain('<script');
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
    expect(nodes(html, 'role-origin')).toBe(1);
  });

  it('should give the same bytes for the same finding', async () => {
    const a = await renderHtml(shop.finding, { graph: shop.snapshot.incident });
    const b = await renderHtml(shop.finding, { graph: shop.snapshot.incident });
    expect(a).toBe(b);
  });

  it.each([
    [
      'FAILED',
      { status: 'FAILED', rootCauses: [], services: [], dependencyChain: [], error: 'X-Ray throttled' },
    ],
    [
      'NO_DATA',
      { status: 'NO_DATA', rootCauses: [], services: [], dependencyChain: [], recommendations: [] },
    ],
  ] as const)('should render a %s finding without a picture', async (status, patch) => {
    // Act
    const html = await renderHtml({ ...shop.finding, ...patch, cascade: { paths: [] } } as Finding);
    // Assess
    expect(html).toContain(`<span class="status ${status.toLowerCase()}">${status}</span>`);
    expect(html).not.toContain('<svg class="cascade"');
    if (status === 'FAILED') expect(html).toContain('<p class="error">X-Ray throttled</p>');
  });
});

describe('Function: buildCascadeView', () => {
  it('should draw the whole cascade of a 500-service incident and fold the healthy services it calls', () => {
    // Prepare
    const { finding, snapshot } = generatedIncident(500);
    const onPaths = new Set(finding.cascade.paths.flatMap((p) => p.services));
    const cascade = finding.services.filter((s) => s.role !== 'healthy' || onPaths.has(s.service));
    // Act
    const view = buildCascadeView(finding, snapshot.incident);
    // Assess
    const drawn = view.nodes.filter((n) => n.kind === 'service');
    expect(drawn.map((n) => (n.kind === 'service' ? n.health : undefined))).toEqual(
      expect.arrayContaining(cascade),
    );
    // Beyond the cascade, only healthy callers that lead the users to a drawn service.
    const extra = drawn.filter((n) => n.kind === 'service' && !cascade.includes(n.health));
    expect(extra.every((n) => n.kind === 'service' && n.health.role === 'healthy')).toBe(true);
    const callers = new Set(view.edges.filter((e) => e.kind === 'call').map((e) => e.from));
    expect(extra.every((n) => callers.has(n.id))).toBe(true);
    expect(drawn.length).toBeLessThan(2 * cascade.length);
    const folded = view.nodes.filter((n) => n.kind === 'collapsed');
    expect(folded.length).toBeGreaterThan(0);
    expect(view.collapsed).toBeGreaterThan(0);
    expect(view.shown + view.collapsed + view.elsewhere).toBe(500);
    expect(view.edgesFrom).toBe('graph');
    expect(view.edges.filter((e) => e.kind === 'call').every((e) => e.exact && e.calls !== undefined)).toBe(
      true,
    );
    expect(view.unlinked).toEqual([]);
  });

  it('should take the edges from the finding when there is no graph, estimating their traffic', () => {
    // Prepare
    const { finding } = shopIncident();
    // Act
    const view = buildCascadeView(finding);
    // Assess: the dependency chain has every call of the shop graph.
    expect(view.edgesFrom).toBe('finding');
    expect(view.edges.filter((e) => e.kind === 'call')).toHaveLength(7);
    expect(view.edges.filter((e) => e.onPath)).toHaveLength(4);
    expect(view.edges.every((e) => !e.exact)).toBe(true);
    expect(view.unlinked).toEqual([]);
  });

  it('should cut a huge cascade to its limit, keeping the root causes and every path', () => {
    // Prepare
    const finding = hugeFinding(10_000);
    // Act
    const view = buildCascadeView(finding, undefined, { fullGraph: 40, maxCascade: 120 });
    // Assess
    const onPaths = new Set(finding.cascade.paths.flatMap((p) => p.services));
    const drawn = new Set(view.nodes.flatMap((n) => (n.kind === 'service' ? [n.label] : [])));
    for (const name of onPaths) expect(drawn.has(name)).toBe(true);
    for (const r of finding.rootCauses) expect(drawn.has(r.service)).toBe(true);
    expect(view.shown).toBe(Math.max(120, onPaths.size));
    expect(view.shown + view.collapsed + view.elsewhere).toBe(10_000);
  });

  // What bounds the time is what is drawn, not the machine's speed: the picture and the tables are
  // cut at their limits whatever the size, and the test's timeout catches a runaway.
  it('should render a 10,000-service finding cut at its limits, well within a Lambda response', async () => {
    // Prepare
    const finding = hugeFinding(10_000);
    // Act
    const { svg, view } = await renderCascadeSvg(finding);
    const html = await renderHtml(finding);
    // Assess: the picture is cut at its limit, the tables at theirs; Lambda answers at most 6 MB.
    expect(view.shown).toBe(300);
    expect(svg.startsWith('<svg class="cascade"')).toBe(true);
    // The chain is folded to the calls down to the root causes; the rest is counted.
    expect(count(html, /<td class="depth-\d">/g)).toBeLessThanOrEqual(40);
    expect(count(html, /<td class="depth-\d">/g)).toBeGreaterThan(0);
    expect(html).toContain(`The chain holds ${finding.dependencyChain.length} services`);
    expect(Buffer.byteLength(html)).toBeLessThan(2 * 1024 * 1024);
  }, 120_000);
});

describe('Function: dotSource', () => {
  it('should quote DOT strings so that no finding text ends a string or adds an escape', () => {
    expect(quote('a"b\\n\nc\u0007 &lt;')).toBe('"a\\"b\\\\n\\nc &amp;lt;"');
  });

  it('should give each role its own shape and outline', () => {
    // Act
    const dot = dotSource(buildCascadeView(shopIncident().finding));
    // Assess
    expect(dot).toMatch(
      /shape="doubleoctagon", style="filled,bold"[^\]]*class="service role-origin root-cause on-path"/,
    );
    expect(dot).toMatch(/shape="box", style="filled,rounded,dashed"[^\]]*class="service role-propagator/);
    expect(dot).toMatch(/shape="box", style="filled"[^\]]*class="service role-healthy"/);
  });
});
