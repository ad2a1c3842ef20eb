// One exemplar trace in detail, from a BatchGetTraces response: the deepest failing segment or
// subsegment of the blamed service, its operation and its first exception, bounded in size.

import type { ExemplarDetail } from '../model.ts';
import {
  at,
  bounded,
  EvidenceInputError,
  isObj,
  type Obj,
  object,
  optList,
  optString,
  pagesOf,
} from './fields.ts';

export const MAX_MESSAGE_CHARS = 300;
export const MAX_OPERATION_CHARS = 120;

/** Every segment document of a BatchGetTraces response (or its pages), by trace id; checks them all. */
export function readTraceDocuments(input: unknown): Map<string, Obj[]> {
  const out = new Map<string, Obj[]>();
  for (const { page, path } of pagesOf(input, 'Traces', 'a BatchGetTraces response')) {
    optList(page.Traces, at(path, 'Traces')).forEach((raw, i) => {
      const tf = at(at(path, 'Traces'), i);
      const trace = object(raw, tf);
      const id = optString(trace.Id, at(tf, 'Id')) ?? '';
      const docs = out.get(id) ?? [];
      out.set(id, docs);
      optList(trace.Segments, at(tf, 'Segments')).forEach((segRaw, j) => {
        const sf = at(at(tf, 'Segments'), j);
        const text = optString(object(segRaw, sf).Document, at(sf, 'Document'));
        if (text === undefined) return;
        let doc: unknown;
        try {
          doc = JSON.parse(text);
        } catch {
          throw new EvidenceInputError(at(sf, 'Document'), 'expected a segment document as a JSON string');
        }
        if (isObj(doc)) docs.push(doc);
      });
    });
  }
  return out;
}

interface Failure {
  readonly depth: number;
  readonly doc: Obj;
}

/**
 * The detail of `traceId` in a BatchGetTraces response (or its pages): undefined when the trace is
 * not there or records no failure. Segments of `service` are preferred; otherwise any segment.
 */
export function exemplarFromTraces(
  input: unknown,
  traceId: string,
  service: string,
): ExemplarDetail | undefined {
  const docs = readTraceDocuments(input).get(traceId) ?? [];
  const own = docs.filter((d) => d.name === service);
  const failures: Failure[] = [];
  for (const d of own.length > 0 ? own : docs) collectFailures(d, 0, failures);
  // Deepest first: the subsegment closest to the failure; equal depth keeps document order.
  const best = failures.reduce<Failure | undefined>(
    (b, f) => (b === undefined || f.depth > b.depth ? f : b),
    undefined,
  );
  if (best === undefined) return undefined;
  const exception = firstException(best.doc);
  const operation = operationOf(best.doc);
  return {
    traceId,
    ...(exception?.type ? { exception: bounded(exception.type, MAX_OPERATION_CHARS) } : {}),
    ...(exception?.message ? { message: bounded(exception.message, MAX_MESSAGE_CHARS) } : {}),
    ...(operation ? { operation: bounded(operation, MAX_OPERATION_CHARS) } : {}),
  };
}

function collectFailures(doc: Obj, depth: number, out: Failure[]): void {
  if (doc.fault === true || doc.error === true || doc.throttle === true) out.push({ depth, doc });
  const subs = Array.isArray(doc.subsegments) ? doc.subsegments : [];
  for (const s of subs) if (isObj(s)) collectFailures(s, depth + 1, out);
}

function firstException(doc: Obj): { type?: string; message?: string } | undefined {
  const cause = isObj(doc.cause) ? doc.cause : undefined;
  const list = cause && Array.isArray(cause.exceptions) ? cause.exceptions : [];
  const ex = list.find(isObj);
  if (!ex) return undefined;
  return {
    ...(typeof ex.type === 'string' ? { type: ex.type } : {}),
    ...(typeof ex.message === 'string' ? { message: ex.message } : {}),
  };
}

/** `DynamoDB UpdateItem` for an AWS call, `POST /charge` for an HTTP one, else the entity name. */
function operationOf(doc: Obj): string | undefined {
  const name = typeof doc.name === 'string' ? doc.name : undefined;
  const aws = isObj(doc.aws) ? doc.aws : undefined;
  if (aws && typeof aws.operation === 'string') return `${name ?? 'AWS'} ${aws.operation}`;
  const http = isObj(doc.http) ? doc.http : undefined;
  const req = http && isObj(http.request) ? http.request : undefined;
  if (req && typeof req.method === 'string' && typeof req.url === 'string') {
    return `${req.method} ${pathOf(req.url)}`;
  }
  return name;
}

function pathOf(url: string): string {
  const m = /^[a-z]+:\/\/[^/]+(\/[^?#]*)?/i.exec(url);
  return m ? (m[1] ?? '/') : url;
}
