// The check that a named service is in the graph, and the names suggested when it is not: close
// misspellings must find the service meant (issue 18: `fronend` → `frontend` found none).

import { describe, expect, it } from 'vitest';
import { parseSnapshot } from '../../lambdas/core/parse.ts';
import {
  closestNames,
  editDistance,
  hasService,
  notInGraphMessage,
  serviceNamesOf,
} from '../../lambdas/core/service-lookup.ts';
import { edge, node, snapshot } from './graph-kit.ts';

const SHOP = ['frontend', 'order-service', 'payment-service', 'user-service', 'inventory-db'];

describe('Function: closestNames', () => {
  it('should suggest frontend for fronend and fronted, which the older substring rule missed', () => {
    // Act
    const missingT = closestNames('fronend', SHOP);
    const missingN = closestNames('fronted', SHOP);

    // Assess
    expect(missingT[0]).toBe('frontend');
    expect(missingN[0]).toBe('frontend');
  });

  it('should rank a different case first, then containment, then misspellings by distance', () => {
    // Act
    const caseOnly = closestNames('FrontEnd', SHOP);
    const part = closestNames('order', SHOP);
    const swap = closestNames('paymnet-service', SHOP);

    // Assess
    expect(caseOnly[0]).toBe('frontend');
    expect(part).toEqual(['order-service']);
    expect(swap[0]).toBe('payment-service');
  });

  it('should suggest nothing for a name unlike any, and at most three names', () => {
    // Prepare
    const many = Array.from({ length: 10 }, (_, i) => `svc-${i}`);

    // Act
    const none = closestNames('warehouse', SHOP);
    const capped = closestNames('svc', many);

    // Assess
    expect(none).toEqual([]);
    expect(capped).toHaveLength(3);
    expect(closestNames('', SHOP)).toEqual([]);
  });
});

describe('Function: editDistance', () => {
  it('should count inserts, deletes, changes and adjacent swaps as one each, and stop past the limit', () => {
    expect(editDistance('fronend', 'frontend')).toBe(1);
    expect(editDistance('frontend', 'fronend')).toBe(1);
    expect(editDistance('frotnend', 'frontend')).toBe(1);
    expect(editDistance('frontand', 'frontend')).toBe(1);
    expect(editDistance('abc', 'abc')).toBe(0);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('kitten', 'sitting', 1)).toBe(2);
  });
});

describe('Function: hasService and serviceNamesOf', () => {
  it('should find a service by name, not a client, and list the service names once each', () => {
    // Prepare
    const graph = parseSnapshot(
      snapshot([
        node('api', { n: 100 }),
        node('orders', { n: 100 }),
        node('orders-db', { n: 50, type: 'AWS::DynamoDB::Table' }),
        edge('api', 'orders', { n: 100 }),
      ]),
    ).incident;

    // Act
    const names = serviceNamesOf(graph);

    // Assess
    expect(names).toEqual(['api', 'orders', 'orders-db']);
    expect(hasService(graph, 'orders')).toBe(true);
    expect(hasService(graph, 'api')).toBe(true);
    expect(hasService(graph, 'order')).toBe(false);
    expect(hasService(graph, 'client')).toBe(false);
  });
});

describe('Function: notInGraphMessage', () => {
  it('should refuse in one line with the closest names, quoting control characters instead of printing them', () => {
    // Prepare
    const graph = parseSnapshot(
      snapshot([node('frontend', { n: 100 }), node('orders', { n: 100 })]),
    ).incident;

    // Act
    const typo = notInGraphMessage(graph, 'fronted');
    const hostile = notInGraphMessage(graph, 'x\n\u001b[31mforged line');

    // Assess
    expect(typo).toBe('service "fronted" is not in the graph; did you mean "frontend"?');
    expect(hostile.includes('\n') || hostile.includes('\u001b')).toBe(false);
    expect(hostile).toContain('\\n\\u001b[31mforged line');
  });
});
