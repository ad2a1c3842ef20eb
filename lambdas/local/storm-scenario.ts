// `demo --scenario storm` and the incident tests: two unrelated cascades in one account. In the shop
// cascade the bank's API fails 30 % of its calls, so eight services alarm (bank-api, ledger,
// payments, orders, checkout, web, mobile-bff, edge-proxy); in the search cascade, on its own
// entry point, the index fails. A storm of alarms over the first must give one incident.

import { parseFault } from '../simulator/faults.ts';
import { simulate } from '../simulator/simulate.ts';
import { call, service, TYPE } from '../simulator/topologies/kit.ts';
import { compileTopology, type TopologySpec } from '../simulator/topology.ts';
import { type Scenario, scenarioFromGenerated } from './scenarios.ts';

/** The services of the shop cascade, origin first: every one of them alarms in the storm. */
export const STORM_CASCADE = [
  'bank-api',
  'ledger',
  'payments',
  'orders',
  'checkout',
  'web',
  'mobile-bff',
  'edge-proxy',
] as const;
/** The unrelated cascade, origin first. */
export const SEARCH_CASCADE = ['search-index', 'search', 'search-frontend'] as const;

const STORM_TOPOLOGY: TopologySpec = {
  name: 'storm',
  description: 'a shop whose bank API fails, beside an unrelated search whose index fails',
  traffic: 200,
  defaults: { timeout: 2, passOn: 0.95 },
  services: [
    service('edge-proxy', TYPE.ecs, [1, 4], [call('web', 1)], { entry: 0.5 }),
    service('mobile-bff', TYPE.ecs, [1, 4], [call('checkout', 1)], { entry: 0.3 }),
    service('web', TYPE.ecs, [2, 8], [call('checkout', 1)]),
    service('checkout', TYPE.ecs, [2, 8], [call('orders', 1)]),
    service('orders', TYPE.ecs, [2, 8], [call('payments', 1)]),
    service('payments', TYPE.ecs, [2, 8], [call('ledger', 1)]),
    service('ledger', TYPE.ecs, [2, 8], [call('bank-api', 1)]),
    service('bank-api', TYPE.remote, [20, 80]),
    service('search-frontend', TYPE.ecs, [1, 4], [call('search', 1)], { entry: 0.2 }),
    service('search', TYPE.ecs, [2, 8], [call('search-index', 1)]),
    service('search-index', TYPE.remote, [5, 20]),
  ],
};

export function stormScenario(): Scenario {
  const topo = compileTopology(STORM_TOPOLOGY);
  const sim = simulate(topo, {
    faults: [parseFault('bank-api:error:0.3'), parseFault('search-index:error:0.3')],
    seed: 11,
  });
  return scenarioFromGenerated({
    name: 'storm',
    incident: sim.snapshot.incident,
    baseline: sim.snapshot.baseline,
    rootCause: 'bank-api',
    description: `${STORM_TOPOLOGY.description}: ${STORM_CASCADE.length} services alarm in one cascade`,
  });
}
