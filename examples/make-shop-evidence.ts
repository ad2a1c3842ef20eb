// Writes the evidence beside examples/shop-incident.json: shop-traces.json (X-Ray trace summaries
// of the incident window, as "aws xray get-trace-summaries" prints them, and the exemplar traces
// as "aws xray batch-get-traces" does) and shop-changes.json (CloudTrail LookupEvents). The story:
// payment-service was redeployed 4 minutes before the window; its calls to the external payment
// API fail with 502s and time out; X-Ray blames the API in most faulty traces. Deterministic.
//
//   npx tsx examples/make-shop-evidence.ts

import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { lookupEventJson } from '../lambdas/simulator/change-events.ts';
import { mulberry32 } from '../lambdas/simulator/graph-builder.ts';
import { type SummarySpec, traceJson, traceSummaryJson } from '../lambdas/simulator/trace-summaries.ts';

/** The shop incident window: 03:00–03:15 UTC on 2026-11-20 (examples/shop-incident.json). */
export const SHOP_START = 1_795_143_600;
const API = 'api.payments.example.com';

export function shopTraceSpecs(start = SHOP_START): SummarySpec[] {
  const rng = mulberry32(11);
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rng() * 16).toString(16)).join('');
  const specs: SummarySpec[] = [];
  for (let i = 0; i < 40; i++) {
    const at = start + 20 * i + Math.floor(rng() * 15);
    const id = `1-${at.toString(16)}-${hex(24)}`;
    const which = i % 10;
    const causes: SummarySpec['causes'] =
      which < 7
        ? [
            {
              kind: 'fault',
              service: API,
              type: 'remote',
              inferred: true,
              caller: 'payment-service',
              operation: 'POST /v2/charges',
              path: ['payment-service', API],
              exceptions: [
                { name: 'PaymentGatewayError', message: `502 Bad Gateway from ${API} POST /v2/charges` },
              ],
            },
          ]
        : which < 9
          ? [
              {
                kind: 'latency',
                service: API,
                type: 'remote',
                inferred: true,
                path: ['payment-service', API],
              },
            ]
          : [
              {
                kind: 'fault',
                service: 'payment-service',
                type: 'AWS::ECS::Container',
                operation: 'ChargeHandler',
                exceptions: [{ name: 'TimeoutException', message: 'charge did not complete within 2000 ms' }],
              },
            ];
    specs.push({
      id,
      start: at,
      responseTime: Math.round((0.4 + 2.4 * rng()) * 1000) / 1000,
      entry: 'frontend',
      causes,
    });
  }
  return specs;
}

export function shopChangeEvents(start = SHOP_START): Record<string, unknown>[] {
  return [
    lookupEventJson({
      id: 'b1c4c7de-0000-4000-8000-000000000001',
      eventName: 'UpdateService',
      source: 'ecs.amazonaws.com',
      at: start - 4 * 60,
      who: 'deploy-pipeline',
      resourceType: 'AWS::ECS::Service',
      resourceName: 'arn:aws:ecs:eu-west-1:123456789012:service/shop/payment-service',
      requestParameters: {
        cluster: 'shop',
        service: 'payment-service',
        taskDefinition: 'payment-service:42',
      },
    }),
    lookupEventJson({
      id: 'b1c4c7de-0000-4000-8000-000000000002',
      eventName: 'PutParameter',
      source: 'ssm.amazonaws.com',
      at: start - 38 * 60,
      who: 'alice',
      resourceType: 'AWS::SSM::Parameter',
      resourceName: '/shop/frontend/banner',
      requestParameters: { name: '/shop/frontend/banner' },
    }),
  ];
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const dir = import.meta.dirname;
  const specs = shopTraceSpecs();
  const traces = {
    TraceSummaries: specs.map(traceSummaryJson),
    ApproximateTime: SHOP_START + 900,
    TracesProcessedCount: 1873,
  };
  writeFileSync(join(dir, 'shop-traces.json'), `${JSON.stringify(traces, null, 2)}\n`);
  writeFileSync(
    join(dir, 'shop-exemplars.json'),
    `${JSON.stringify({ Traces: specs.map(traceJson), UnprocessedTraceIds: [] }, null, 2)}\n`,
  );
  writeFileSync(
    join(dir, 'shop-changes.json'),
    `${JSON.stringify({ Events: shopChangeEvents() }, null, 2)}\n`,
  );
  console.log('wrote examples/shop-traces.json, shop-exemplars.json and shop-changes.json');
}
