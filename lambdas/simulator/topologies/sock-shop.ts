// Sock Shop (microservices-demo/microservices-demo, Weaveworks): a Node.js front-end over Go and
// Java (Spring Boot) services, MySQL for the catalogue, MongoDB for carts, orders and users, and
// RabbitMQ between shipping and the queue-master that consumes its messages.

import type { TopologySpec } from '../topology.ts';
import { call, service, TYPE } from './kit.ts';

export const sockShop: TopologySpec = {
  name: 'sock-shop',
  description:
    'Sock Shop (Weaveworks): front-end → catalogue (MySQL), carts, orders, user (MongoDB); orders → payment, shipping → RabbitMQ → queue-master.',
  source: 'https://github.com/microservices-demo/microservices-demo',
  traffic: 50,
  defaults: { timeout: 5, passOn: 0.95 },
  services: [
    service(
      'front-end',
      TYPE.ecs,
      [6, 25],
      [call('catalogue', 1.2), call('carts', 0.5), call('user', 0.3), call('orders', 0.05, { passOn: 1 })],
      { entry: 1, noise: { errors: 0.006 } },
    ),
    service('catalogue', TYPE.ecs, [3, 12], [call('socksdb@catalogue-db', 1.5)]),
    service('carts', TYPE.ecs, [12, 60], [call('carts-db', 1.6)], { noise: { latency: 0.06 } }),
    service(
      'orders',
      TYPE.ecs,
      [25, 110],
      [
        call('user', 3, { passOn: 1 }),
        call('carts', 1, { passOn: 1 }),
        call('payment', 1, { passOn: 1 }),
        call('shipping', 1, { passOn: 1 }),
        call('orders-db', 2, { passOn: 1 }),
      ],
    ),
    service('user', TYPE.ecs, [3, 15], [call('user-db', 1.2)]),
    service('payment', TYPE.ecs, [2, 8], [], { noise: { errors: 0.02 } }),
    service('shipping', TYPE.ecs, [10, 40], [call('rabbitmq', 1)]),
    service('queue-master', TYPE.ecs, [15, 70]),
    service('socksdb@catalogue-db', TYPE.sql, [1.5, 8]),
    service('carts-db', TYPE.remote, [2, 12]),
    service('orders-db', TYPE.remote, [2.5, 15]),
    service('user-db', TYPE.remote, [1.5, 9]),
    service('rabbitmq', TYPE.remote, [1, 6], [call('queue-master', 1, { async: true })]),
  ],
};
