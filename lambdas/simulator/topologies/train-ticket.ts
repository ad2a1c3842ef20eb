// Train Ticket (FudanSELab/train-ticket): a railway booking system of ~40 Spring Boot services
// behind a UI dashboard, each with its own MySQL database (one schema per service on a shared
// cluster, as X-Ray names SQL nodes: database@host). Calls follow the services' REST clients:
// searching trips goes travel → ticketinfo → basic → station/train/route/price and seat → order
// (seat also asks travel for the route: a real cycle); booking goes through preserve, paying through
// inside-payment, and food orders reach delivery through RabbitMQ. Notification failures are
// logged, not returned.

import type { CallSpec, ServiceSpec, TopologySpec } from '../topology.ts';
import { call, service, TYPE } from './kit.ts';

const ts = (s: string) => `ts-${s}-service`;
const db = (s: string) => `ts_${s.replace(/-/g, '_')}@tsdb-mysql`;

/** A Spring Boot service with its own schema, read `dbCalls` times per request. */
function spring(
  s: string,
  own: readonly [number, number],
  calls: readonly CallSpec[],
  dbCalls = 1,
  extra: Omit<Partial<ServiceSpec>, 'name' | 'type' | 'latency' | 'calls'> = {},
): ServiceSpec[] {
  const withDb = dbCalls > 0 ? [...calls, call(db(s), dbCalls)] : [...calls];
  const svc = service(ts(s), TYPE.ecs, own, withDb, { noise: { faults: 0.0002, errors: 0.002 }, ...extra });
  return dbCalls > 0 ? [svc, service(db(s), TYPE.sql, [1.2, 10], [], { noise: { faults: 0.0001 } })] : [svc];
}

const quiet = { passOn: 0 } as const;

export const trainTicket: TopologySpec = {
  name: 'train-ticket',
  description:
    'Train Ticket (FudanSELab): ~40 Spring Boot services (travel, seat, order, preserve, payment, food, consign…) behind ts-ui-dashboard, one MySQL schema each, RabbitMQ to delivery.',
  source: 'https://github.com/FudanSELab/train-ticket',
  traffic: 80,
  defaults: { timeout: 5, passOn: 0.95 },
  services: [
    service(
      'ts-ui-dashboard',
      TYPE.ecs,
      [2, 8],
      [
        call(ts('travel'), 0.3),
        call(ts('travel2'), 0.1),
        call(ts('travel-plan'), 0.06),
        call(ts('auth'), 0.05),
        call(ts('verification-code'), 0.03),
        call(ts('preserve'), 0.06),
        call(ts('preserve-other'), 0.02),
        call(ts('order'), 0.08),
        call(ts('order-other'), 0.04),
        call(ts('inside-payment'), 0.05),
        call(ts('cancel'), 0.03),
        call(ts('rebook'), 0.02),
        call(ts('consign'), 0.02),
        call(ts('food'), 0.03),
        call(ts('contacts'), 0.03),
        call(ts('execute'), 0.02),
        call(ts('station'), 0.02),
        call(ts('route'), 0.01),
        call(ts('assurance'), 0.02),
        call(ts('user'), 0.02),
        call(ts('voucher'), 0.01),
        call(ts('news'), 0.01),
        call(ts('admin-basic-info'), 0.005),
        call(ts('admin-order'), 0.005),
        call(ts('admin-route'), 0.005),
        call(ts('admin-travel'), 0.005),
        call(ts('admin-user'), 0.005),
      ],
      { entry: 1, noise: { errors: 0.008 } },
    ),
    ...spring('auth', [15, 60], [call(ts('verification-code'), 1)]),
    ...spring('user', [8, 30], [call(ts('auth'), 0.1)]),
    ...spring('verification-code', [4, 15], [], 0),
    ...spring(
      'travel',
      [12, 50],
      [call(ts('ticketinfo'), 1), call(ts('train'), 1), call(ts('route'), 1), call(ts('seat'), 2)],
    ),
    ...spring(
      'travel2',
      [12, 50],
      [call(ts('ticketinfo'), 1), call(ts('train'), 1), call(ts('route'), 1), call(ts('seat'), 2)],
    ),
    ...spring('ticketinfo', [4, 15], [call(ts('basic'), 1)], 0),
    ...spring(
      'basic',
      [6, 25],
      [call(ts('station'), 2), call(ts('train'), 1), call(ts('route'), 1), call(ts('price'), 1)],
      0,
    ),
    ...spring(
      'seat',
      [8, 35],
      [call(ts('order'), 0.7), call(ts('order-other'), 0.3), call(ts('config'), 1), call(ts('travel'), 0.1)],
      0,
    ),
    ...spring('config', [3, 12], []),
    ...spring(
      'travel-plan',
      [8, 30],
      [
        call(ts('route-plan'), 0.5),
        call(ts('travel'), 1),
        call(ts('travel2'), 1),
        call(ts('seat'), 1),
        call(ts('station'), 1),
      ],
      0,
    ),
    ...spring(
      'route-plan',
      [10, 45],
      [call(ts('route'), 1), call(ts('travel'), 1), call(ts('travel2'), 1), call(ts('station'), 1)],
      0,
    ),
    ...spring('route', [4, 18], []),
    ...spring('station', [3, 12], [], 1, { noise: { faults: 0.0002, errors: 0.002, latency: 0.06 } }),
    ...spring('train', [3, 12], []),
    ...spring('price', [3, 12], []),
    ...spring(
      'preserve',
      [15, 60],
      [
        call(ts('security'), 1),
        call(ts('contacts'), 1),
        call(ts('travel'), 1),
        call(ts('station'), 2),
        call(ts('seat'), 1),
        call(ts('order'), 1),
        call(ts('assurance'), 0.5),
        call(ts('food'), 0.5),
        call(ts('consign'), 0.3),
        call(ts('user'), 1),
        call(ts('basic'), 1),
        call(ts('notification'), 1, quiet),
      ],
      0,
    ),
    ...spring(
      'preserve-other',
      [15, 60],
      [
        call(ts('security'), 1),
        call(ts('contacts'), 1),
        call(ts('travel2'), 1),
        call(ts('station'), 2),
        call(ts('seat'), 1),
        call(ts('order-other'), 1),
        call(ts('assurance'), 0.5),
        call(ts('food'), 0.5),
        call(ts('consign'), 0.3),
        call(ts('user'), 1),
        call(ts('basic'), 1),
        call(ts('notification'), 1, quiet),
      ],
      0,
    ),
    ...spring('security', [6, 25], [call(ts('order'), 1), call(ts('order-other'), 1)]),
    ...spring('order', [6, 30], [], 1.5),
    ...spring('order-other', [6, 30], [], 1.5),
    ...spring(
      'inside-payment',
      [10, 40],
      [call(ts('order'), 1), call(ts('order-other'), 0.3), call(ts('payment'), 1)],
    ),
    ...spring('payment', [8, 30], [], 1, { noise: { faults: 0.0002, errors: 0.01 } }),
    ...spring(
      'cancel',
      [10, 40],
      [
        call(ts('order'), 1),
        call(ts('order-other'), 0.3),
        call(ts('inside-payment'), 1),
        call(ts('user'), 1),
        call(ts('notification'), 1, quiet),
      ],
      0,
    ),
    ...spring(
      'rebook',
      [15, 60],
      [
        call(ts('order'), 1),
        call(ts('travel'), 1),
        call(ts('seat'), 1),
        call(ts('station'), 1),
        call(ts('inside-payment'), 1),
        call(ts('train'), 1),
        call(ts('route'), 1),
      ],
      0,
    ),
    ...spring('execute', [5, 20], [call(ts('order'), 1), call(ts('order-other'), 0.3)], 0),
    ...spring('consign', [6, 25], [call(ts('consign-price'), 1)]),
    ...spring('consign-price', [3, 12], []),
    ...spring(
      'food',
      [8, 30],
      [
        call(ts('station-food'), 1),
        call(ts('train-food'), 1),
        call(ts('travel'), 1),
        call('ts-rabbitmq', 0.3, quiet),
      ],
    ),
    ...spring('station-food', [4, 15], []),
    ...spring('train-food', [4, 15], []),
    ...spring('delivery', [5, 20], []),
    service('ts-rabbitmq', TYPE.remote, [1, 6], [call(ts('delivery'), 1, { async: true })]),
    ...spring('contacts', [4, 15], []),
    ...spring('assurance', [4, 15], []),
    ...spring('notification', [30, 150], [call('smtp.mail.example.com', 1)], 0),
    service('smtp.mail.example.com', TYPE.remote, [25, 120], [], { noise: { faults: 0.003 } }),
    ...spring('voucher', [6, 25], []),
    ...spring('news', [2, 8], [], 0),
    ...spring(
      'admin-basic-info',
      [8, 30],
      [
        call(ts('station'), 1),
        call(ts('train'), 1),
        call(ts('config'), 1),
        call(ts('price'), 1),
        call(ts('contacts'), 1),
      ],
      0,
    ),
    ...spring('admin-order', [8, 30], [call(ts('order'), 1), call(ts('order-other'), 1)], 0),
    ...spring('admin-route', [6, 25], [call(ts('route'), 1)], 0),
    ...spring('admin-travel', [8, 30], [call(ts('travel'), 1), call(ts('travel2'), 1)], 0),
    ...spring('admin-user', [6, 25], [call(ts('user'), 1)], 0),
  ],
};
