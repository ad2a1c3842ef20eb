// DeathStarBench social network (delimitrou/DeathStarBench, socialNetwork): Thrift services behind
// an OpenResty (nginx) front end, each with its MongoDB and a Redis or memcached cache. The request
// mix is the benchmark's mixed workload: 60 % read home timeline, 30 % read user timeline, 10 %
// compose post; a media front end serves uploads. Caches answer most reads; MongoDB the misses.

import type { TopologySpec } from '../topology.ts';
import { call, service, TYPE } from './kit.ts';

const cache = (name: string) => service(name, TYPE.remote, [0.3, 1.5]);
const mongo = (name: string) => service(name, TYPE.remote, [1.5, 9]);

export const socialNetwork: TopologySpec = {
  name: 'social-network',
  description:
    'DeathStarBench social network: nginx-thrift → compose-post, home-timeline, user-timeline, social-graph, user, text, url-shorten, user-mention, media, unique-id, post-storage; MongoDB with Redis/memcached caches.',
  source: 'https://github.com/delimitrou/DeathStarBench/tree/master/socialNetwork',
  traffic: 300,
  defaults: { timeout: 1, passOn: 0.95 },
  services: [
    service(
      'nginx-thrift',
      TYPE.ecs,
      [1, 4],
      [
        call('home-timeline-service', 0.6),
        call('user-timeline-service', 0.3),
        call('compose-post-service', 0.1),
        call('user-service', 0.02),
        call('social-graph-service', 0.02),
      ],
      { entry: 0.97 },
    ),
    service('media-frontend', TYPE.ecs, [4, 20], [call('media-mongodb', 1)], { entry: 0.03 }),
    service(
      'compose-post-service',
      TYPE.ecs,
      [1.5, 6],
      [
        call('unique-id-service', 1),
        call('text-service', 1),
        call('media-service', 1),
        call('user-service', 1),
        call('post-storage-service', 1),
        call('user-timeline-service', 1),
        call('home-timeline-service', 1),
      ],
    ),
    service(
      'home-timeline-service',
      TYPE.ecs,
      [1, 4],
      [
        call('home-timeline-redis', 1),
        call('post-storage-service', 0.87),
        call('social-graph-service', 0.13),
      ],
    ),
    service(
      'user-timeline-service',
      TYPE.ecs,
      [1, 4],
      [
        call('user-timeline-redis', 1),
        call('user-timeline-mongodb', 0.3),
        call('post-storage-service', 0.75),
      ],
    ),
    service(
      'post-storage-service',
      TYPE.ecs,
      [0.8, 3],
      [call('post-storage-memcached', 1), call('post-storage-mongodb', 0.25)],
    ),
    service(
      'social-graph-service',
      TYPE.ecs,
      [0.8, 3],
      [call('social-graph-redis', 1), call('social-graph-mongodb', 0.2), call('user-service', 0.1)],
    ),
    service('user-service', TYPE.ecs, [0.8, 3], [call('user-memcached', 1), call('user-mongodb', 0.2)]),
    service(
      'text-service',
      TYPE.ecs,
      [1, 4],
      [call('url-shorten-service', 1), call('user-mention-service', 1)],
    ),
    service(
      'url-shorten-service',
      TYPE.ecs,
      [0.7, 3],
      [call('url-shorten-memcached', 0.5), call('url-shorten-mongodb', 1)],
    ),
    service(
      'user-mention-service',
      TYPE.ecs,
      [0.7, 3],
      [call('user-memcached', 1), call('user-mongodb', 0.2)],
    ),
    service('media-service', TYPE.ecs, [0.5, 2]),
    service('unique-id-service', TYPE.ecs, [0.3, 1.2]),
    cache('home-timeline-redis'),
    cache('user-timeline-redis'),
    cache('social-graph-redis'),
    cache('post-storage-memcached'),
    cache('user-memcached'),
    cache('url-shorten-memcached'),
    mongo('user-timeline-mongodb'),
    mongo('post-storage-mongodb'),
    mongo('social-graph-mongodb'),
    mongo('user-mongodb'),
    mongo('url-shorten-mongodb'),
    mongo('media-mongodb'),
  ],
};
