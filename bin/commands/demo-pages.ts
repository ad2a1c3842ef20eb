// `demo --page-to URL`: the demo's incident messages also go to a receiver as pages (PagerDuty's
// shape to a /v2/enqueue path, the signed webhook's otherwise), and the terminal lists each one.

import type { PageEvent } from '../../lambdas/handlers/incidents.ts';
import { localPager } from '../../lambdas/local/paging.ts';
import type { LocalPipelineOptions } from '../../lambdas/local/pipeline.ts';
import { neutralizeText } from '../../lambdas/report/format.ts';
import { UsageError } from './usage-error.ts';

export interface DemoPaging {
  readonly paging: NonNullable<LocalPipelineOptions['paging']>;
  /** Every page a receiver took or refused, in order. */
  readonly pages: PageEvent[];
  /** One line for the set-up rows: where pages go and with which key. */
  readonly description: string;
}

export function demoPaging(url: string | undefined): DemoPaging | undefined {
  if (url === undefined) return undefined;
  let local: ReturnType<typeof localPager>;
  try {
    local = localPager(url);
  } catch (err) {
    throw new UsageError(`demo: ${(err as Error).message}`);
  }
  const pages: PageEvent[] = [];
  return {
    paging: { pagers: [local.pager], onPage: (e) => pages.push(e) },
    pages,
    description: `${local.shape} to ${url} (${local.key})`,
  };
}

/** `pagerduty inc-…#0 trigger → accepted (202)`, `webhook inc-…#1 resolved → accepted (204)`. */
export function pageLine(e: PageEvent): string {
  const what =
    e.channel !== 'pagerduty'
      ? e.kind
      : e.kind === 'resolved'
        ? 'resolve'
        : e.kind === 'opened'
          ? 'trigger'
          : `${e.kind} (trigger)`;
  return neutralizeText(
    `${e.channel} ${e.notificationId} ${what} → ${e.receipt.outcome} (${e.receipt.detail})`,
  );
}
