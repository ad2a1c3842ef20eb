// The shop of the incident example (examples/shop-incident.json): a frontend, orders with payment
// through an external card API and stock reservation in SQL, users in DynamoDB.

import type { TopologySpec } from '../topology.ts';
import { call, service, TYPE } from './kit.ts';

export const SHOP_PAYMENT_API = 'api.payments.example.com';

export const shop: TopologySpec = {
  name: 'shop',
  description:
    'The shop of the incident example: frontend → order-service → payment-service → an external card API; user-service → a DynamoDB table; inventory-service → SQL.',
  traffic: 60,
  defaults: { passOn: 0.97 },
  services: [
    service(
      'frontend',
      TYPE.ecs,
      [15, 50],
      [
        // 40 % of page views place an order; every page loads the signed-in user.
        call('order-service', 0.4, { passOn: 0.98 }),
        call('user-service', 1, { passOn: 0.95 }),
      ],
      { entry: 1, noise: { faults: 0.0005, errors: 0.004 } },
    ),
    service(
      'order-service',
      TYPE.ecs,
      [20, 60],
      [call('payment-service', 1, { passOn: 0.98 }), call('inventory-service', 1, { passOn: 0.98 })],
      { noise: { faults: 0.0001, errors: 0.002 } },
    ),
    service('user-service', TYPE.ecs, [30, 100], [call('users', 1, { passOn: 0.95 })], {
      noise: { faults: 0.0003, errors: 0.001 },
    }),
    service(
      'payment-service',
      TYPE.ecs,
      [18, 40],
      // Card payments are not retried blindly: a second charge is worse than a failed order.
      [call(SHOP_PAYMENT_API, 1, { timeout: 3, retries: 0, passOn: 0.97 })],
      { noise: { faults: 0.0002, errors: 0.001 } },
    ),
    service('inventory-service', TYPE.ecs, [30, 120], [call('inventory-db', 2, { passOn: 0.95 })], {
      noise: { faults: 0.0002, errors: 0.001 },
    }),
    // Card declines come back as 402 (4xx); the provider rate-limits now and then.
    service(SHOP_PAYMENT_API, TYPE.remote, [120, 400], [], {
      noise: { faults: 0.001, errors: 0.006, throttles: 0.0005 },
    }),
    service('users', TYPE.dynamodb, [5, 20], [], { noise: { faults: 0.0001, throttles: 0.0002 } }),
    service('inventory-db', TYPE.sql, [4, 25], [], { noise: { faults: 0.0001 } }),
  ],
};
