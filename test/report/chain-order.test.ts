// The dependency chain of the HTML report reads as a tree (issue 19): every service sits under its
// caller, so an indented row never looks nested under a service that does not call it.

import { describe, expect, it } from 'vitest';
import type { ChainEntry } from '../../lambdas/core/model.ts';
import { renderHtml, treeOrder } from '../../lambdas/report/html.ts';
import { shopIncident } from './fixtures.ts';

/** [service, caller, depth] of each row of the chain table, in page order. */
function chainRows(html: string): { service: string; parent: string; depth: number }[] {
  const section = /<section id="chain">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? '';
  return [
    ...section.matchAll(
      /<td class="depth-\d">([^<]+)<\/td><td>[^<]*<\/td><td>([^<]+)<\/td><td class="n">(\d+)<\/td>/g,
    ),
  ].map((m) => ({ service: m[1] as string, parent: m[2] as string, depth: Number(m[3]) }));
}

const entry = (service: string, parent: string | null, depth: number): ChainEntry => ({
  service,
  type: 'AWS::ECS::Container',
  depth,
  parent,
  role: 'healthy',
  faultRate: 0,
  p99: 0,
});

describe('Function: treeOrder', () => {
  it('should list each service right after its caller, depth first, siblings in the engine order', () => {
    // Prepare: breadth first, as the engine lists it.
    const chain = [
      entry('a', null, 0),
      entry('b', 'a', 1),
      entry('c', 'a', 1),
      entry('d', 'b', 2),
      entry('e', 'c', 2),
      entry('f', 'd', 3),
    ];
    // Act
    const order = treeOrder(chain).map((c) => c.service);
    // Assess
    expect(order).toEqual(['a', 'b', 'd', 'f', 'c', 'e']);
  });

  it('should keep every entry once, even with a caller missing from the chain or a cycle of names', () => {
    // Prepare
    const chain = [entry('a', null, 0), entry('b', 'a', 1), entry('x', 'gone', 2), entry('a', 'b', 2)];
    // Act
    const order = treeOrder(chain);
    // Assess
    expect(order).toHaveLength(chain.length);
    expect(new Set(order)).toEqual(new Set(chain));
  });
});

describe('Function: renderHtml (dependency chain)', () => {
  it('should put every row of the shop chain under its caller: the nearest row above it one level up', async () => {
    // Prepare
    const { finding } = shopIncident();
    // Act
    const rows = chainRows(await renderHtml(finding));
    // Assess
    expect(rows.map((r) => r.service)).toEqual([
      'frontend',
      'order-service',
      'inventory-service',
      'inventory-db',
      'payment-service',
      'api.payments.example.com',
      'user-service',
      'users',
    ]);
    rows.forEach((r, i) => {
      if (r.depth === 0) return;
      const above = rows
        .slice(0, i)
        .reverse()
        .find((x) => x.depth === r.depth - 1);
      expect(above?.service, `${r.service} sits under its caller`).toBe(r.parent);
    });
  });
});
