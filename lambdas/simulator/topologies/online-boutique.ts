// Online Boutique (GoogleCloudPlatform/microservices-demo): an 11-service shop. Calls per request
// follow the frontend's handlers weighted by the load generator's task mix (index 1, setCurrency 2,
// browseProduct 10, addToCart 2, viewCart 3, checkout 1): e.g. every product page asks
// productcatalog, currency, cart, recommendation and ad. The frontend ignores ad failures
// ("failed to retrieve ads" is only logged), checkout ignores a failed confirmation e-mail.
// Services run on EKS (the demo targets GKE); the cart lives in Redis.

import type { TopologySpec } from '../topology.ts';
import { call, service, TYPE } from './kit.ts';

export const onlineBoutique: TopologySpec = {
  name: 'online-boutique',
  description:
    'Online Boutique (Google microservices-demo): frontend, cart (Redis), product catalog, currency, payment, shipping, email, checkout, recommendation, ad.',
  source: 'https://github.com/GoogleCloudPlatform/microservices-demo',
  traffic: 40,
  defaults: { timeout: 3, passOn: 1 },
  services: [
    service(
      'frontend',
      TYPE.eks,
      [8, 30],
      [
        call('productcatalogservice', 1.0),
        call('currencyservice', 2.26),
        call('cartservice', 0.84),
        call('recommendationservice', 0.74),
        call('adservice', 0.58, { passOn: 0 }),
        call('shippingservice', 0.16),
        call('checkoutservice', 0.053),
      ],
      { entry: 1, noise: { errors: 0.004 } },
    ),
    service(
      'checkoutservice',
      TYPE.eks,
      [12, 40],
      [
        call('cartservice', 2),
        call('productcatalogservice', 2),
        call('currencyservice', 3),
        call('shippingservice', 2),
        call('paymentservice', 1),
        call('emailservice', 1, { passOn: 0 }),
      ],
    ),
    service('cartservice', TYPE.eks, [4, 20], [call('redis-cart', 1.5)]),
    service('recommendationservice', TYPE.eks, [10, 45], [call('productcatalogservice', 1)]),
    service('productcatalogservice', TYPE.eks, [2, 9]),
    service('currencyservice', TYPE.eks, [3, 15], [], { noise: { latency: 0.08 } }),
    service('paymentservice', TYPE.eks, [5, 20], [], { noise: { errors: 0.01 } }),
    service('shippingservice', TYPE.eks, [2, 8]),
    service('emailservice', TYPE.eks, [20, 90], [], { noise: { faults: 0.002 } }),
    service('adservice', TYPE.eks, [5, 25]),
    service('redis-cart', TYPE.remote, [0.6, 3]),
  ],
};
