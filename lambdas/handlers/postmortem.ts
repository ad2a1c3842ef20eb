// GET /incidents/{id}/postmortem: the postmortem draft of an incident (lambdas/report/postmortem.ts)
// as Markdown (`?format=markdown`, the default) or as its JSON document (`?format=json`), read from
// the incident and the stored findings of its analyses.

import type { APIGatewayProxyResult } from 'aws-lambda';
import type { IncidentsReader } from '../adapters/incidents-reader.ts';
import type { FindingsReader } from '../adapters/ports.ts';
import type { Finding } from '../core/model.ts';
import type { ConsoleLink } from '../report/console-link.ts';
import { postmortemDraft, renderPostmortemMarkdown } from '../report/postmortem.ts';
import { InputValidationError } from './errors.ts';

export const POSTMORTEM_FORMATS = ['markdown', 'json'] as const;

export interface PostmortemDeps {
  readonly repository: FindingsReader;
  readonly incidents?: IncidentsReader;
  readonly consoleLink?: ConsoleLink;
}

/**
 * The draft of `incidentId` (already checked to be an incident id). A caller that may not see every
 * alarmed service of it gets the same 404 as for an unknown id.
 */
export async function postmortemResponse(
  incidentId: string,
  format: string | undefined,
  deps: PostmortemDeps,
  sees: (service: string) => boolean,
): Promise<APIGatewayProxyResult> {
  const f = format ?? 'markdown';
  if (!(POSTMORTEM_FORMATS as readonly string[]).includes(f)) {
    throw new InputValidationError('query', 'format', `must be ${POSTMORTEM_FORMATS.join(' or ')}`);
  }
  const incident = deps.incidents === undefined ? undefined : await deps.incidents.get(incidentId);
  if (incident === undefined || !incident.alarms.every((a) => sees(a.service))) {
    return answer(404, 'application/json', JSON.stringify({ message: `no incident ${incidentId}` }));
  }
  // An incident keeps at most 40 analyses (INCIDENT_LIMITS): read in parallel, each one GetItem.
  const found = await Promise.all(incident.analyses.map((a) => deps.repository.get(a.analysisId)));
  const links =
    deps.consoleLink === undefined
      ? []
      : [{ text: 'The incident in the AWS console', url: deps.consoleLink(incident.incidentId) }];
  const draft = postmortemDraft(
    incident,
    found.filter((x): x is Finding => x !== undefined),
    { links },
  );
  return f === 'json'
    ? answer(200, 'application/json', JSON.stringify(draft))
    : answer(200, 'text/markdown', renderPostmortemMarkdown(draft));
}

function answer(statusCode: number, type: string, body: string): APIGatewayProxyResult {
  return {
    statusCode,
    headers: {
      'Content-Type': `${type}; charset=utf-8`,
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
    },
    body,
  };
}
