// Writes examples/shop-incident.json: "the classic shop cascade". The external payment API starts
// failing (15 % 5xx, p99 2.5 s); payment-service and order-service pass the faults on and frontend's
// fault rate rises to ~6 % (only 40 % of its requests place orders). user-service, the users table,
// inventory-service and inventory-db stay healthy. Deterministic: run it again, get the same bytes.
//
//   npx tsx examples/make-shop-incident.ts

import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type {
  EdgeTraffic,
  Latency,
  NodeTraffic,
  ServiceDef,
  WindowDef,
} from '../lambdas/simulator/graph-builder.ts';
import {
  buildSnapshot,
  callerLatency,
  checkServiceGraph,
  lognormal,
  scaleLatency,
  shiftLatency,
} from '../lambdas/simulator/graph-builder.ts';

const API = 'api.payments.example.com';

const SERVICES: readonly ServiceDef[] = [
  { key: 'client', name: 'frontend', type: 'client' },
  { name: 'frontend', type: 'AWS::ECS::Container', root: true },
  { name: 'order-service', type: 'AWS::ECS::Container' },
  { name: 'user-service', type: 'AWS::ECS::Container' },
  { name: 'payment-service', type: 'AWS::ECS::Container' },
  { name: 'inventory-service', type: 'AWS::ECS::Container' },
  { name: API, type: 'remote' },
  { name: 'users', type: 'AWS::DynamoDB::Table' },
  { name: 'inventory-db', type: 'Database::SQL' },
];

/** Share of a callee's faults that the caller passes on as its own 5xx. */
const PASS_ON = { payment: 0.97, order: 0.98, inventory: 0.95, user: 0.95, frontend: 0.98 } as const;
/** Network time a service adds on its side of a call to another service (seconds). */
const HOP = 0.001;

interface ShopWindow {
  /** Epoch seconds. */
  readonly start: number;
  readonly end: number;
  /** frontend requests per second. */
  readonly rate: number;
  /** Share of frontend requests that place an order. */
  readonly orderShare: number;
  /** The external payment API. */
  readonly apiFaultRate: number;
  readonly apiLatency: Latency;
  /** Each service's own 5xx, 4xx and 429 rates (before anything it passes on). */
  readonly own: Readonly<
    Record<Service, { readonly faults: number; readonly errors: number; readonly throttles?: number }>
  >;
  /** Latency level of each service's own work (1 = baseline): a few % of jitter. */
  readonly level: Readonly<Record<Service, number>>;
}

type Service =
  | 'frontend'
  | 'order-service'
  | 'user-service'
  | 'payment-service'
  | 'inventory-service'
  | typeof API
  | 'users'
  | 'inventory-db';

/** Own (self) time of each service at level 1, in seconds; the API's comes with the window. */
const SELF: Readonly<
  Record<Exclude<Service, typeof API>, { readonly median: number; readonly p99: number }>
> = {
  frontend: { median: 0.015, p99: 0.05 },
  'order-service': { median: 0.02, p99: 0.06 },
  'user-service': { median: 0.03, p99: 0.1 },
  'payment-service': { median: 0.018, p99: 0.04 },
  'inventory-service': { median: 0.03, p99: 0.12 },
  users: { median: 0.005, p99: 0.02 },
  'inventory-db': { median: 0.004, p99: 0.025 },
};

/** Requests failed by a service: its own faults plus the passed-on share of each callee's faults. */
function faultsOf(requests: number, ownRate: number, pass: number, calleeFaults: readonly number[]): number {
  let healthy = 1 - ownRate;
  for (const f of calleeFaults) healthy *= 1 - pass * Math.min(1, f / requests);
  return Math.round(requests * (1 - healthy));
}

function shopWindow(w: ShopWindow): WindowDef {
  const self = (s: Exclude<Service, typeof API>): Latency => scaleLatency(lognormal(SELF[s]), w.level[s]);
  const rate = (s: Service, n: number, what: 'errors' | 'throttles'): number =>
    Math.round(n * (w.own[s][what] ?? 0));

  // Requests, top-down.
  const frontend = Math.round(w.rate * (w.end - w.start));
  const orders = Math.round(frontend * w.orderShare);
  const users = frontend; // every page view loads the user
  const payments = orders; // one payment per order
  const apiCalls = payments;
  const inventory = orders; // one reservation per order
  const dbQueries = inventory * 2; // SELECT … FOR UPDATE, then UPDATE

  // Back ends.
  const api: NodeTraffic = {
    requests: apiCalls,
    faults: Math.round(apiCalls * w.apiFaultRate),
    errors: rate(API, apiCalls, 'errors'), // card declines (402)
    throttles: rate(API, apiCalls, 'throttles'),
    latency: w.apiLatency,
  };
  const usersTable: NodeTraffic = {
    requests: users,
    faults: Math.round(users * w.own.users.faults),
    errors: rate('users', users, 'errors'),
    throttles: rate('users', users, 'throttles'),
    latency: self('users'),
  };
  const db: NodeTraffic = {
    requests: dbQueries,
    faults: Math.round(dbQueries * w.own['inventory-db'].faults),
    errors: rate('inventory-db', dbQueries, 'errors'),
    latency: self('inventory-db'),
  };

  // Services, bottom-up: each waits for its callees (edge latency = what the caller sees).
  const apiEdge = api.latency;
  const payment: NodeTraffic = {
    requests: payments,
    faults: faultsOf(payments, w.own['payment-service'].faults, PASS_ON.payment, [api.faults ?? 0]),
    // Declines are passed on as 4xx; the API's 429s are retried.
    errors: (api.errors ?? 0) + rate('payment-service', payments, 'errors'),
    latency: callerLatency(self('payment-service'), [
      { latency: apiEdge, callsPerRequest: apiCalls / payments },
    ]),
  };
  const inv: NodeTraffic = {
    requests: inventory,
    faults: faultsOf(inventory, w.own['inventory-service'].faults, PASS_ON.inventory, [db.faults ?? 0]),
    errors: rate('inventory-service', inventory, 'errors'),
    latency: callerLatency(self('inventory-service'), [
      { latency: db.latency, callsPerRequest: dbQueries / inventory },
    ]),
  };
  const user: NodeTraffic = {
    requests: users,
    faults: faultsOf(users, w.own['user-service'].faults, PASS_ON.user, [usersTable.faults ?? 0]),
    errors: rate('user-service', users, 'errors'), // the table's throttles are retried
    latency: callerLatency(self('user-service'), [{ latency: usersTable.latency, callsPerRequest: 1 }]),
  };
  const paymentEdge = shiftLatency(payment.latency, HOP);
  const invEdge = shiftLatency(inv.latency, HOP);
  const order: NodeTraffic = {
    requests: orders,
    faults: faultsOf(orders, w.own['order-service'].faults, PASS_ON.order, [
      payment.faults ?? 0,
      inv.faults ?? 0,
    ]),
    errors: (payment.errors ?? 0) + rate('order-service', orders, 'errors'),
    latency: callerLatency(self('order-service'), [
      { latency: paymentEdge, callsPerRequest: payments / orders },
      { latency: invEdge, callsPerRequest: inventory / orders },
    ]),
  };
  const orderEdge = shiftLatency(order.latency, HOP);
  const userEdge = shiftLatency(user.latency, HOP);
  const front: NodeTraffic = {
    requests: frontend,
    faults: faultsOf(frontend, w.own.frontend.faults, PASS_ON.frontend, [
      order.faults ?? 0,
      user.faults ?? 0,
    ]),
    errors: (order.errors ?? 0) + rate('frontend', frontend, 'errors'),
    latency: callerLatency(self('frontend'), [
      { latency: userEdge, callsPerRequest: users / frontend },
      { latency: orderEdge, callsPerRequest: orders / frontend },
    ]),
  };

  // Each callee has a single caller: the caller's view carries the callee's counts.
  const edge = (from: string, to: string, n: NodeTraffic, latency: Latency): EdgeTraffic => ({
    from,
    to,
    calls: n.requests,
    faults: n.faults ?? 0,
    errors: n.errors ?? 0,
    throttles: n.throttles ?? 0,
    latency,
  });
  return {
    start: w.start,
    end: w.end,
    nodes: {
      frontend: front,
      'order-service': order,
      'user-service': user,
      'payment-service': payment,
      'inventory-service': inv,
      [API]: api,
      users: usersTable,
      'inventory-db': db,
    },
    edges: [
      edge('client', 'frontend', front, front.latency),
      edge('frontend', 'order-service', order, orderEdge),
      edge('frontend', 'user-service', user, userEdge),
      edge('order-service', 'payment-service', payment, paymentEdge),
      edge('order-service', 'inventory-service', inv, invEdge),
      edge('payment-service', API, api, apiEdge),
      edge('user-service', 'users', usersTable, usersTable.latency),
      edge('inventory-service', 'inventory-db', db, db.latency),
    ],
  };
}

const T0300 = Date.UTC(2026, 10, 20, 3, 0, 0) / 1000; // 2026-11-20T03:00:00Z = 1795143600

const OWN_BASELINE: ShopWindow['own'] = {
  frontend: { faults: 0.0005, errors: 0.004 },
  'order-service': { faults: 0.0001, errors: 0.002 },
  'user-service': { faults: 0.0003, errors: 0.001 },
  'payment-service': { faults: 0.0002, errors: 0.001 },
  'inventory-service': { faults: 0.0002, errors: 0.001 },
  [API]: { faults: 0, errors: 0.006, throttles: 0.0005 },
  users: { faults: 0.0001, errors: 0, throttles: 0.0002 },
  'inventory-db': { faults: 0.0001, errors: 0 },
};

const baseline = shopWindow({
  start: T0300 - 3600,
  end: T0300,
  rate: 59.4,
  orderShare: 0.4,
  apiFaultRate: 0.001,
  apiLatency: lognormal({ median: 0.12, p99: 0.4 }),
  own: OWN_BASELINE,
  level: {
    frontend: 1,
    'order-service': 1,
    'user-service': 1,
    'payment-service': 1,
    'inventory-service': 1,
    [API]: 1,
    users: 1,
    'inventory-db': 1,
  },
});

const incident = shopWindow({
  start: T0300,
  end: T0300 + 900,
  rate: 60.3,
  orderShare: 0.4,
  apiFaultRate: 0.152,
  apiLatency: lognormal({ mean: 0.8, p99: 2.5 }),
  own: {
    ...OWN_BASELINE,
    frontend: { faults: 0.0006, errors: 0.0042 },
    'user-service': { faults: 0.0002, errors: 0.0011 },
  },
  level: {
    frontend: 1.01,
    'order-service': 1.02,
    'user-service': 1.02,
    'payment-service': 1.01,
    'inventory-service': 0.99,
    [API]: 1,
    users: 1.01,
    'inventory-db': 1.03,
  },
});

const snapshot = buildSnapshot(SERVICES, { incident, baseline });
for (const [name, graph] of Object.entries(snapshot)) {
  const problems = checkServiceGraph(graph, { callerTimeCoversCallees: true });
  if (problems.length > 0) throw new Error(`${name} window is inconsistent:\n${problems.join('\n')}`);
}
const out = fileURLToPath(new URL('./shop-incident.json', import.meta.url));
writeFileSync(out, `${JSON.stringify(snapshot, null, 2)}\n`);
console.log(`wrote ${out}`);
