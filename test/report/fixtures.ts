// Findings for the report tests, made by the real engine: the shop example as the deployed
// workflow would analyze it (an alarm on frontend), and a generated 500-service incident.

import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateSyntheticSnapshot } from '../../bench/synthetic.ts';
import { analyze } from '../../lambdas/core/analyze.ts';
import type { Finding, GraphSnapshot } from '../../lambdas/core/model.ts';
import { parseSnapshot } from '../../lambdas/core/parse.ts';

export const ROOT = resolve(import.meta.dirname, '../..');
export const SHOP_EXAMPLE = resolve(ROOT, 'examples/shop-incident.json');

export interface Incident {
  readonly snapshot: GraphSnapshot;
  readonly finding: Finding;
}

/** The shop cascade: api.payments.example.com → payment-service → order-service → frontend. */
export function shopIncident(): Incident {
  const snapshot = parseSnapshot(JSON.parse(readFileSync(SHOP_EXAMPLE, 'utf8')));
  const finding = analyze(snapshot, {
    analysisId: 'alarm-shop-0001',
    service: 'frontend',
    trigger: { source: 'alarm', service: 'frontend', alarmName: 'cascade-analyzer-frontend-fault-rate' },
  });
  return { snapshot, finding };
}

/** A generated incident: one faulty shared back end under `services` services. */
export function generatedIncident(services: number, seed = 1): Incident & { rootCause: string } {
  const gen = generateSyntheticSnapshot(services, seed);
  const snapshot = parseSnapshot({ incident: gen.incident, baseline: gen.baseline });
  const finding = analyze(snapshot, { analysisId: `generated-${services}` });
  return { snapshot, finding, rootCause: gen.rootCause };
}
