// The REST API behind API Gateway (proxy integration): start an analysis, read one, list them by
// service and time, an HTML report, and incidents (list by service and time, one with its alarms,
// analyses and timeline). An optional access list limits each caller to its services. Bad requests get a 400 naming the parameter; anything
// unexpected gets a bare 500 with the request id — never internal details.

import type { APIGatewayProxyEvent, APIGatewayProxyResult } from 'aws-lambda';
import { findingService } from '../adapters/findings-table-schema.ts';
import type { IncidentsReader } from '../adapters/incidents-reader.ts';
import { BadRequestError, type FindingsReader, type ListQuery } from '../adapters/ports.ts';
import { confirmedCause } from '../core/feedback.ts';
import type { ConsoleLink } from '../report/console-link.ts';
import { IsoTimestampSchema } from './alarm-event.ts';
import { type AccessRule, callerOf, scopeOf } from './api-access.ts';
import { type Answer, type FeedbackDeps, giveFeedback, showAccuracy, showFeedback } from './api-feedback.ts';
import { coldStart, inLambda } from './cold-start.ts';
import { AnalysisIdSchema, type ApiAnalysisInput, reportPathFor } from './contracts.ts';
import { InputValidationError, parseInput } from './errors.ts';
import { notInGraphAnswer, notInGraphOf } from './not-in-graph.ts';
import { instrumented } from './observability.ts';
import { postmortemResponse } from './postmortem.ts';
import { REPORT_CSP, renderReportHtml } from './report-html.ts';
import type { WorkflowStarter } from './workflow-starter.ts';
import * as z from './zod.ts';

export interface ApiDeps {
  readonly repository: FindingsReader;
  /** Incidents for GET /incidents…; without it those routes answer 404. */
  readonly incidents?: IncidentsReader;
  /**
   * Who may see which services (`API_ACCESS`). Empty or absent: every caller IAM lets in sees all.
   * Otherwise a caller matching no rule is refused, and one that matches sees its services only.
   */
  readonly access?: readonly AccessRule[];
  readonly starter: WorkflowStarter;
  /** A new analysis id for POST /analyses; must satisfy AnalysisIdSchema (it names the execution). */
  readonly newId: () => string;
  readonly now: () => Date;
  /** Told about unexpected errors; the caller only gets the request id. */
  readonly onError?: (error: unknown, requestId: string) => void;
  /** The incident in the AWS console (INCIDENT_DASHBOARD): incidents and postmortems carry it. */
  readonly consoleLink?: ConsoleLink;
  /** Verdicts (POST/GET /findings/{id}/feedback, GET /accuracy); without it those routes answer 404. */
  readonly feedback?: FeedbackDeps['feedback'];
  /** Told about each verdict recorded (the CloudWatch metric). */
  readonly onVerdict?: FeedbackDeps['onVerdict'];
}

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;
/** X-Ray serves at most 6 hours of service graph per query and keeps 30 days of data. */
const MAX_WINDOW_MS = 6 * 3_600_000;
const RETENTION_MS = 30 * 86_400_000;
/** Clock skew tolerated on a window's end. */
const SKEW_MS = 5 * 60_000;

const ServiceNameSchema = z.string({ error: 'required' }).check(
  z.trim(),
  z.minLength(1, 'required'),
  z.maxLength(256, 'must have at most 256 characters'),
  z.refine((s) => !/\p{Cc}/u.test(s), 'must not contain control characters'),
);

const StartBodySchema = z.strictObject({
  service: ServiceNameSchema,
  window: z.optional(z.strictObject({ start: IsoTimestampSchema, end: IsoTimestampSchema })),
});

const LIMIT_MESSAGE = `must be a whole number from 1 to ${MAX_LIMIT}`;
const ListQuerySchema = z.object({
  service: ServiceNameSchema,
  limit: z.optional(
    z
      .pipe(z.string().check(z.regex(/^\d{1,3}$/, LIMIT_MESSAGE)), z.transform(Number))
      .check(z.refine((n) => n >= 1 && n <= MAX_LIMIT, LIMIT_MESSAGE)),
  ),
  from: z.optional(IsoTimestampSchema),
  to: z.optional(IsoTimestampSchema),
  next: z.optional(
    z
      .string()
      .check(z.minLength(1, 'must not be empty'), z.maxLength(4096, 'is not a token this list returned')),
  ),
});

type Route =
  | { readonly name: 'analyses' | 'incidents' | 'accuracy' }
  | { readonly name: 'analysis' | 'report' | 'incident' | 'postmortem' | 'feedback'; readonly id: string };

/** The API's resources (as API Gateway names them) and their routes; `serve --help` lists them all. */
export const RESOURCES: Readonly<Record<string, Route['name']>> = {
  '/analyses': 'analyses',
  '/analyses/{id}': 'analysis',
  '/analyses/{id}/report': 'report',
  '/incidents': 'incidents',
  '/incidents/{id}': 'incident',
  '/incidents/{id}/postmortem': 'postmortem',
  '/findings/{id}/feedback': 'feedback',
  '/accuracy': 'accuracy',
};

export const ALLOWED: Readonly<Record<Route['name'], readonly string[]>> = {
  analyses: ['GET', 'POST'],
  analysis: ['GET'],
  report: ['GET'],
  incidents: ['GET'],
  incident: ['GET'],
  postmortem: ['GET'],
  feedback: ['GET', 'POST'],
  accuracy: ['GET'],
};

const IncidentIdSchema = z.string().check(z.regex(/^inc-[0-9a-f]{24}$/, 'is not an incident id'));

const FORBIDDEN = (service: string) =>
  json(403, { message: `not allowed to see service ${JSON.stringify(service)}` });

export async function route(event: APIGatewayProxyEvent, deps: ApiDeps): Promise<APIGatewayProxyResult> {
  const requestId = event.requestContext?.requestId ?? 'unknown';
  try {
    const r = match(event);
    if (r === undefined) return json(404, { message: 'not found' });
    const method = event.httpMethod.toUpperCase();
    if (!ALLOWED[r.name].includes(method)) {
      return json(405, { message: 'method not allowed' }, { Allow: ALLOWED[r.name].join(', ') });
    }
    const scope = scopeOf(callerOf(event), deps.access ?? []);
    if (scope === 'denied') return json(403, { message: 'this caller is not allowed any service' });
    const sees = (service: string) => scope === 'all' || scope.has(service);
    if (r.name === 'feedback' || r.name === 'accuracy') {
      if (deps.feedback === undefined) return json(404, { message: 'not found' });
      const fd: FeedbackDeps = {
        repository: deps.repository,
        feedback: deps.feedback,
        now: deps.now,
        ...(deps.onVerdict !== undefined ? { onVerdict: deps.onVerdict } : {}),
      };
      let a: Answer;
      if (!('id' in r)) a = await showAccuracy(event.queryStringParameters, fd, sees);
      else if (method === 'POST')
        a = await giveFeedback(r.id, readJsonBody(event), callerOf(event), fd, sees);
      else a = await showFeedback(r.id, fd, sees);
      return json(a.statusCode, a.body);
    }
    if (!('id' in r)) {
      if (r.name === 'incidents') return await listIncidents(event, deps, sees);
      return method === 'POST' ? await start(event, deps, sees) : await list(event, deps, sees);
    }
    if (r.name === 'incident') return await getIncident(r.id, deps, sees);
    if (r.name === 'postmortem') {
      if (!IncidentIdSchema.safeParse(r.id).success)
        throw new InputValidationError('path', 'id', 'is not an incident id');
      return await postmortemResponse(r.id, event.queryStringParameters?.format, deps, sees);
    }
    if (!AnalysisIdSchema.safeParse(r.id).success) {
      throw new InputValidationError('path', 'id', 'is not an analysis id');
    }
    const found = await deps.repository.get(r.id);
    // Out of scope reads as absent: a caller learns nothing about other services' analyses.
    const finding = found !== undefined && sees(findingService(found)) ? found : undefined;
    if (finding === undefined) return json(404, { message: `no analysis ${r.id}` });
    // The service was not in the graph, so nothing was analyzed: name the services that are (those
    // this caller may see), as for a typo.
    const missing = notInGraphOf(finding);
    if (missing !== undefined) return json(404, notInGraphAnswer(missing, sees));
    if (r.name === 'analysis') return json(200, finding);
    return {
      statusCode: 200,
      headers: {
        'Content-Type': 'text/html; charset=utf-8',
        'Content-Security-Policy': REPORT_CSP,
        'X-Content-Type-Options': 'nosniff',
        'Referrer-Policy': 'no-referrer',
        'Cache-Control': 'no-store',
      },
      body: await renderReportHtml(finding, await deps.incidents?.incidentOf(finding.analysisId)),
    };
  } catch (err) {
    if (err instanceof InputValidationError) return json(400, { message: `${err.field}: ${err.problem}` });
    if (err instanceof BadRequestError) return json(400, { message: err.message });
    deps.onError?.(err, requestId);
    return json(500, { message: 'internal error', requestId });
  }
}

/** By API Gateway's resource template; by path for proxy resources and local callers. */
function match(event: APIGatewayProxyEvent): Route | undefined {
  const name = RESOURCES[event.resource ?? ''];
  if (name === 'analyses' || name === 'incidents' || name === 'accuracy') return { name };
  if (name !== undefined) {
    const id = event.pathParameters?.id;
    return id === undefined ? undefined : { name, id };
  }
  if (/^\/accuracy\/?$/.test(event.path ?? '')) return { name: 'accuracy' };
  const fb = /^\/findings\/([^/]+)\/feedback\/?$/.exec(event.path ?? '');
  if (fb?.[1] !== undefined) return { name: 'feedback', id: decodeId(fb[1]) };
  const inc = /^\/incidents(?:\/([^/]+)(\/postmortem)?)?\/?$/.exec(event.path ?? '');
  if (inc) {
    if (inc[1] === undefined) return { name: 'incidents' };
    return { name: inc[2] ? 'postmortem' : 'incident', id: inc[1] };
  }
  const m = /^\/analyses(?:\/([^/]+)(\/report)?)?\/?$/.exec(event.path ?? '');
  if (!m) return undefined;
  if (m[1] === undefined) return { name: 'analyses' };
  return { name: m[2] ? 'report' : 'analysis', id: decodeId(m[1]) };
}

function decodeId(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new InputValidationError('path', 'id', 'is not valid percent-encoding');
  }
}

async function start(
  event: APIGatewayProxyEvent,
  deps: ApiDeps,
  sees: (service: string) => boolean,
): Promise<APIGatewayProxyResult> {
  const body = parseInput(StartBodySchema, readJsonBody(event), 'body');
  if (!sees(body.service)) return FORBIDDEN(body.service);
  const now = deps.now().getTime();
  const input: ApiAnalysisInput = {
    source: 'api',
    // A bad generated id is a bug (a 500), not the caller's fault.
    analysisId: AnalysisIdSchema.parse(deps.newId()),
    service: body.service,
  };
  if (body.window) {
    const start = Date.parse(body.window.start);
    const end = Date.parse(body.window.end);
    const bad = (field: string, problem: string) => new InputValidationError('body', field, problem);
    if (start >= end) throw bad('window', 'start must be before end');
    if (end - start > MAX_WINDOW_MS)
      throw bad('window', 'must span at most 6 hours (the X-Ray service graph limit)');
    if (end > now + SKEW_MS) throw bad('window.end', 'must not be in the future');
    if (start < now - RETENTION_MS)
      throw bad('window.start', 'must be within the last 30 days (X-Ray retention)');
    input.window = { start: new Date(start).toISOString(), end: new Date(end).toISOString() };
  }
  await deps.starter.start(input.analysisId, input);
  const location = `/analyses/${input.analysisId}`;
  return json(
    202,
    { analysisId: input.analysisId, location },
    { Location: absoluteLocation(event, input.analysisId) },
  );
}

/**
 * The Location header as the caller reached the API: `requestContext.path` carries the stage
 * (`/v1/analyses`) or a custom domain's base path, which `/analyses/<id>` alone would lose.
 */
function absoluteLocation(event: APIGatewayProxyEvent, id: string): string {
  const seen = event.requestContext?.path?.replace(/\/+$/, '');
  return seen?.endsWith('/analyses') ? `${seen}/${id}` : `/analyses/${id}`;
}

function readJsonBody(event: APIGatewayProxyEvent): unknown {
  if (event.body === null || event.body === undefined || event.body === '') {
    throw new InputValidationError('body', 'body', 'required: a JSON object such as {"service": "checkout"}');
  }
  const text = event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
  try {
    return JSON.parse(text);
  } catch {
    throw new InputValidationError('body', 'body', 'not valid JSON');
  }
}

async function list(
  event: APIGatewayProxyEvent,
  deps: ApiDeps,
  sees: (service: string) => boolean,
): Promise<APIGatewayProxyResult> {
  const query = listQueryOf(event);
  if (!sees(query.service)) return FORBIDDEN(query.service);
  const page = await deps.repository.listByService(query);
  return json(200, { items: page.items, next: page.next ?? null });
}

/** `?service=…&from=…&to=…&limit=…&next=…` of both lists, checked. */
function listQueryOf(event: APIGatewayProxyEvent): ListQuery {
  const q = parseInput(ListQuerySchema, event.queryStringParameters ?? {}, 'query');
  if (q.from !== undefined && q.to !== undefined && Date.parse(q.from) > Date.parse(q.to)) {
    throw new InputValidationError('query', 'from', 'must not be later than to');
  }
  return {
    service: q.service,
    limit: q.limit ?? DEFAULT_LIMIT,
    ...(q.from !== undefined ? { from: q.from } : {}),
    ...(q.to !== undefined ? { to: q.to } : {}),
    ...(q.next !== undefined ? { next: q.next } : {}),
  };
}

async function listIncidents(
  event: APIGatewayProxyEvent,
  deps: ApiDeps,
  sees: (service: string) => boolean,
): Promise<APIGatewayProxyResult> {
  if (deps.incidents === undefined) return json(404, { message: 'not found' });
  const query = listQueryOf(event);
  if (!sees(query.service)) return FORBIDDEN(query.service);
  const page = await deps.incidents.listByService(query);
  return json(200, { items: page.items, next: page.next ?? null });
}

/** An incident with its alarms, analyses (each linking its report) and timeline. */
async function getIncident(
  id: string,
  deps: ApiDeps,
  sees: (service: string) => boolean,
): Promise<APIGatewayProxyResult> {
  if (!IncidentIdSchema.safeParse(id).success)
    throw new InputValidationError('path', 'id', 'is not an incident id');
  const incident = deps.incidents === undefined ? undefined : await deps.incidents.get(id);
  // Scoped callers see an incident only when every alarmed service of it is theirs.
  if (incident === undefined || !incident.alarms.every((a) => sees(a.service))) {
    return json(404, { message: `no incident ${id}` });
  }
  // The root cause as on-call confirmed it (issue 21), from the verdicts on the current analysis.
  const record =
    incident.currentAnalysisId === null ? undefined : await deps.feedback?.get(incident.currentAnalysisId);
  const confirmed = record === undefined ? undefined : confirmedCause(record);
  return json(200, {
    ...incident,
    analyses: incident.analyses.map((a) => ({ ...a, report: reportPathFor(a.analysisId) })),
    ...(deps.consoleLink !== undefined ? { consoleUrl: deps.consoleLink(incident.incidentId) } : {}),
    ...(confirmed !== undefined ? { confirmedRootCause: confirmed } : {}),
  });
}

function json(
  statusCode: number,
  body: unknown,
  headers: Record<string, string> = {},
): APIGatewayProxyResult {
  return {
    statusCode,
    headers: {
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
      'X-Content-Type-Options': 'nosniff',
      ...headers,
    },
    body: JSON.stringify(body),
  };
}

// The composition root (wiring/api.ts) is loaded on first use: importing this module for its logic
// loads no AWS client.
const dependencies = coldStart(async () => (await import('./wiring/api.ts')).apiDeps());
// Inside Lambda, build during init: a missing variable fails the cold start naming it.
if (inLambda()) await dependencies();

// A finding can be hundreds of KB; X-Ray segments hold 64 KB, so responses stay out of traces.
export const handler = instrumented<APIGatewayProxyEvent, APIGatewayProxyResult>({
  captureResponse: false,
}).handler(async (event) => route(event, await dependencies()));
