// The HTML report in a real browser (Debian chromium via playwright-core), served by the API route
// from a local HTTP server: the root cause, the propagators, the path to the users and the legend
// must be visible and drawn in their own styles, under the strict Content-Security-Policy, with no
// request beyond the page itself. Screenshots land in a temporary folder named in the output.

import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Finding, ServiceRole } from '../../lambdas/core/model.ts';
import { buildCascadeView } from '../../lambdas/report/cascade-view.ts';
import { PATH_EDGE, ROLE_STYLES } from '../../lambdas/report/dot.ts';
import { serviceLabels } from '../../lambdas/report/format.ts';
import { renderHtml } from '../../lambdas/report/html.ts';
import { generatedIncident, type Incident, shopIncident } from '../report/fixtures.ts';
import { type Browser, chromiumAvailable, launchChromium } from './chromium.ts';
import { type ReportServer, startReportServer } from './report-server.ts';

const available = chromiumAvailable();

/** The browser's own function, for code that `evaluate` runs in the page (tsconfig has no DOM lib). */
declare const getComputedStyle: (el: unknown) => { fill: string; stroke: string; strokeDasharray: string };

/** `#F7C6A8` → `rgb(247, 198, 168)`, as getComputedStyle reports colours. */
function rgb(hex: string): string {
  const n = Number.parseInt(hex.slice(1), 16);
  return `rgb(${(n >> 16) & 255}, ${(n >> 8) & 255}, ${n & 255})`;
}

interface Drawn {
  readonly fill: string;
  readonly stroke: string;
  readonly dash: string;
}

/** The computed fill, stroke and dashes of the first shape under `selector`. */
async function drawnStyle(page: Page, selector: string): Promise<Drawn> {
  return page
    .locator(selector)
    .first()
    .evaluate((el) => {
      const s = getComputedStyle(el);
      return { fill: s.fill, stroke: s.stroke, dash: s.strokeDasharray };
    });
}

interface Opened {
  readonly page: Page;
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly problems: string[];
  readonly requests: string[];
}

describe.runIf(available)('Browser: the HTML report in Debian chromium', () => {
  let browser: Browser;
  let server: ReportServer;
  let shop: Incident;
  let big: Incident & { rootCause: string };
  let shots: string;

  beforeAll(async () => {
    shop = shopIncident();
    big = generatedIncident(500);
    const cliReport = await renderHtml(big.finding, { graph: big.snapshot.incident });
    server = await startReportServer([shop.finding, big.finding], { 'generated-500.html': cliReport });
    browser = await launchChromium();
    shots = mkdtempSync(join(tmpdir(), 'cascade-report-screenshots-'));
    console.info(`report screenshots: ${shots}`);
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  async function open(path: string): Promise<Opened> {
    const page = await browser.context.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error' || m.type() === 'warning') problems.push(m.text());
    });
    page.on('pageerror', (err) => problems.push(err.message));
    page.on('request', (r) => requests.push(r.url()));
    const response = await page.goto(`${server.url}${path}`, { waitUntil: 'load' });
    if (!response) throw new Error(`no response for ${path}`);
    return { page, status: response.status(), headers: response.headers(), problems, requests };
  }

  async function assessReport(opened: Opened, finding: Finding, path: string, shot: string): Promise<void> {
    const { page } = opened;
    const top = finding.rootCauses[0];
    if (!top) throw new Error('the incident has no root cause');

    // Served under the policy, loading nothing else, and nothing refused or broken.
    expect(opened.status).toBe(200);
    expect(opened.headers['content-security-policy']).toContain("default-src 'none'");
    expect(opened.requests).toEqual([`${server.url}${path}`]);
    expect(opened.problems).toEqual([]);

    // The root cause: named in the verdict, drawn as a double octagon in the origin's colours.
    await expect(page.locator('.verdict .root-cause-name').textContent()).resolves.toBe(top.service);
    const origin = page.locator('svg.cascade g.node.role-origin').filter({ hasText: top.service });
    await origin.scrollIntoViewIfNeeded();
    expect(await origin.isVisible()).toBe(true);
    expect(await origin.locator('polygon').count()).toBe(2);
    await expect(origin.textContent()).resolves.toContain('ROOT CAUSE');
    const originStyle = await drawnStyle(page, 'svg.cascade g.node.role-origin polygon');
    expect(originStyle).toMatchObject({
      fill: rgb(ROLE_STYLES.origin.fill),
      stroke: rgb(ROLE_STYLES.origin.stroke),
    });

    // Every propagator: drawn, dashed, in the propagator's colours.
    const labels = serviceLabels(finding.services);
    const propagators = finding.services
      .filter((s) => s.role === 'propagator')
      .map((s) => labels.get(s) ?? '');
    expect(propagators.length).toBeGreaterThan(0);
    expect(await page.locator('svg.cascade g.node.role-propagator').count()).toBe(propagators.length);
    for (const name of propagators.slice(0, 12)) {
      const node = page.locator('svg.cascade g.node.role-propagator').filter({
        has: page.locator('text', {
          hasText: new RegExp(`^${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`),
        }),
      });
      expect(await node.isVisible(), name).toBe(true);
    }
    const propagatorStyle = await drawnStyle(page, 'svg.cascade g.node.role-propagator path');
    expect(propagatorStyle).toMatchObject({
      fill: rgb(ROLE_STYLES.propagator.fill),
      stroke: rgb(ROLE_STYLES.propagator.stroke),
      dash: '5px, 2px',
    });

    // The path from the root cause to the users, highlighted.
    const pathEdges = page.locator('svg.cascade g.edge.on-path');
    expect(await pathEdges.count()).toBeGreaterThan(0);
    expect((await drawnStyle(page, 'svg.cascade g.edge.on-path path')).stroke).toBe(rgb(PATH_EDGE.color));

    // The legend: visible, and each role's swatch drawn exactly as that role's nodes are.
    const legend = page.locator('ul.legend');
    await legend.scrollIntoViewIfNeeded();
    expect(await legend.isVisible()).toBe(true);
    for (const role of ['origin', 'propagator', 'affected', 'healthy'] as ServiceRole[]) {
      const item = page.locator(`ul.legend li.legend-${role}`);
      expect(await item.isVisible(), role).toBe(true);
      await expect(item.textContent()).resolves.toMatch(new RegExp(role, 'i'));
      const swatch = await drawnStyle(page, `ul.legend li.legend-${role} svg > *`);
      expect(swatch.fill, role).toBe(rgb(ROLE_STYLES[role].fill));
      expect(swatch.stroke, role).toBe(rgb(ROLE_STYLES[role].stroke));
    }
    expect((await drawnStyle(page, 'ul.legend li.legend-propagator svg > *')).dash).toBe(
      propagatorStyle.dash,
    );
    expect((await drawnStyle(page, 'ul.legend li.legend-path svg > path')).stroke).toBe(rgb(PATH_EDGE.color));

    // The rest of the report.
    for (const id of ['#root-causes', '#paths', '#recommendations', '#chain', '#services']) {
      expect(await page.locator(id).isVisible(), id).toBe(true);
    }

    const file = join(shots, shot);
    await page.screenshot({ path: file, fullPage: true });
    expect(statSync(file).size).toBeGreaterThan(20_000);
    await page.close();
  }

  it('should show the shop report with its root cause, propagators and legend', async () => {
    // Act
    const path = `/analyses/${shop.finding.analysisId}/report`;
    const opened = await open(path);
    // Assess
    await assessReport(opened, shop.finding, path, 'shop-report.png');
  });

  it('should show the report of a 500-service incident from the API', async () => {
    // Act
    const path = `/analyses/${big.finding.analysisId}/report`;
    const opened = await open(path);
    // Assess
    expect(big.finding.rootCauses[0]?.service).toBe(big.rootCause);
    await assessReport(opened, big.finding, path, 'generated-500-api-report.png');
  });

  it('should draw the 500-service report the CLI writes, healthy services folded', async () => {
    // Act
    const path = '/files/generated-500.html';
    const opened = await open(path);
    const { page } = opened;
    const folded = await page.locator('svg.cascade g.node.collapsed').count();
    const caption = await page.locator('figure.picture figcaption').textContent();
    const healthyDrawn = await page.locator('svg.cascade g.node.role-healthy').count();
    // Assess: only the cascade is drawn, with the healthy callers that lead the users to it; its
    // healthy callees sit in "+N" boxes, counted in the caption.
    const view = buildCascadeView(big.finding, big.snapshot.incident);
    const healthyInView = view.nodes.filter((n) => n.kind === 'service' && n.health.role === 'healthy');
    expect(folded).toBeGreaterThan(0);
    expect(healthyDrawn).toBe(healthyInView.length);
    expect(caption).toMatch(
      /^\d+ of 500 services drawn: the whole cascade; \d+ services it calls are folded/,
    );
    await assessReport(opened, big.finding, path, 'generated-500-cli-report.png');
  });
});
