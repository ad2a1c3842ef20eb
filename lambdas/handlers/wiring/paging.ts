// The pagers as a deployed function builds them from PAGING: PagerDuty and the webhook, their keys
// read from Secrets Manager when first needed (never from the environment). Only bundles of
// functions that send incident messages import this module.

import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { PagerDutyPager, WebhookPager } from '../../adapters/pager.ts';
import type { Pager } from '../../adapters/ports.ts';
import { createSecretsManagerClient, SecretsManagerSource } from '../../adapters/secrets.ts';
import type { Env } from '../env.ts';
import type { FlushDeps } from '../incidents.ts';
import { logger, metrics, tracer } from '../observability.ts';
import { pagingSettings } from '../paging-settings.ts';

export function pagingFrom(env: Env): Pick<FlushDeps, 'pagers' | 'pageOptions' | 'onPage'> {
  const settings = pagingSettings(env);
  if (settings === undefined) return {};
  const secrets = new SecretsManagerSource(tracer.captureAWSv3Client(createSecretsManagerClient()));
  const pagers: Pager[] = [];
  const pd = settings.pagerDuty;
  if (pd !== undefined) {
    pagers.push(
      new PagerDutyPager({
        secrets,
        routes: {
          ...(pd.routingKeySecret !== undefined ? { defaultSecret: pd.routingKeySecret } : {}),
          ...(pd.services !== undefined ? { services: pd.services } : {}),
        },
        ...(pd.url !== undefined ? { url: pd.url } : {}),
      }),
    );
  }
  if (settings.webhook !== undefined) {
    pagers.push(new WebhookPager({ url: settings.webhook.url, secret: settings.webhook.secret, secrets }));
  }
  return {
    pagers,
    ...(settings.incidentUrl !== undefined ? { pageOptions: { incidentUrl: settings.incidentUrl } } : {}),
    onPage: (e) => {
      if (e.receipt.outcome === 'accepted') {
        logger.info('page delivered', { ...e });
        metrics.addMetric('PagesDelivered', MetricUnit.Count, 1);
      } else if (e.receipt.outcome === 'held') {
        logger.warn('pager receiver down; the page waits in the outbox for the sweep', { ...e });
        metrics.addMetric('PagesHeld', MetricUnit.Count, 1);
      } else {
        // Refused for good (a 4xx, a missing route): the message goes on; the errors here need a person.
        logger.error('page refused by its receiver; not retried', { ...e });
        metrics.addMetric('PagesRefused', MetricUnit.Count, 1);
      }
    },
  };
}
