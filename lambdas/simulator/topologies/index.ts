// The topologies shipped with the project, by the name `--topology` takes.

import { SimulationInputError, suggest } from '../errors.ts';
import type { TopologySpec } from '../topology.ts';
import { generatedTopology } from './generated.ts';
import { onlineBoutique } from './online-boutique.ts';
import { shop } from './shop.ts';
import { socialNetwork } from './social-network.ts';
import { sockShop } from './sock-shop.ts';
import { trainTicket } from './train-ticket.ts';

export const NAMED_TOPOLOGIES: readonly TopologySpec[] = [
  shop,
  onlineBoutique,
  sockShop,
  trainTicket,
  socialNetwork,
];

/** Services of `generated` when `--services` is not given. */
export const GENERATED_DEFAULT = 100;

export const TOPOLOGY_NAMES: readonly string[] = [...NAMED_TOPOLOGIES.map((t) => t.name), 'generated'];

/** A shipped topology by name: `shop`, …, `generated` (with `services`), or `generated:N`. */
export function builtinTopology(name: string, services?: number): TopologySpec {
  const gen = /^generated(?::(\d+))?$/.exec(name);
  if (gen) {
    if (gen[1] !== undefined && services !== undefined && Number(gen[1]) !== services) {
      throw new SimulationInputError(`--topology ${name} and --services ${services} disagree`);
    }
    return generatedTopology(gen[1] !== undefined ? Number(gen[1]) : (services ?? GENERATED_DEFAULT));
  }
  const found = NAMED_TOPOLOGIES.find((t) => t.name === name);
  if (!found) {
    const close = suggest(name, TOPOLOGY_NAMES);
    throw new SimulationInputError(
      `unknown topology "${name}"; built in: ${TOPOLOGY_NAMES.join(', ')}` +
        (close.length > 0 ? ` (did you mean "${close[0]}"?)` : '') +
        ', or give a topology file (.json)',
    );
  }
  if (services !== undefined) {
    throw new SimulationInputError(`--services applies to the generated topology only, not to "${name}"`);
  }
  return found;
}

export { generatedTopology } from './generated.ts';
export { SHOP_PAYMENT_API, shop } from './shop.ts';
