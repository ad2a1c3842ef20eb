// Verdicts and the live accuracy on the local store (issue 21), for `findings feedback` and
// `accuracy`: straight on the data folder's table with the API's own logic (the same validation and
// answers), or through the API of the `serve` process that holds the folder.

import { DynamoFeedbackStore } from '../adapters/feedback-store.ts';
import { DynamoFindingLookup } from '../adapters/findings-lookup.ts';
import {
  type Answer,
  type FeedbackDeps,
  giveFeedback,
  showAccuracy,
  showFeedback,
} from '../handlers/api-feedback.ts';
import { InputValidationError } from '../handlers/errors.ts';
import type { DataDir } from './data-dir.ts';
import { ensureFindingsTable } from './dynamodb.ts';
import { LOCAL_TABLE_NAME } from './local-aws.ts';
import { openLocalTable, serveApiName } from './local-table.ts';

export interface FeedbackAccess {
  /** Where verdicts are read and written, for the terminal. */
  readonly source: string;
  /** POST /findings/{id}/feedback, as the API answers it. */
  give(analysisId: string, body: Record<string, unknown>): Promise<Answer>;
  /** GET /findings/{id}/feedback. */
  show(analysisId: string): Promise<Answer>;
  /** GET /accuracy?… */
  accuracy(query: Readonly<Record<string, string>>): Promise<Answer>;
  close(): Promise<void>;
}

/** Undefined when nothing was ever stored in the folder. */
export async function openFeedback(dir: DataDir, command: string): Promise<FeedbackAccess | undefined> {
  const table = await openLocalTable(dir, command);
  if (table === undefined) return undefined;
  if (table.kind === 'api') return apiAccess(table.endpoint);
  try {
    // A folder from before the verdicts gets their index (its items are kept).
    await ensureFindingsTable(table.client, LOCAL_TABLE_NAME);
  } catch (err) {
    await table.close();
    throw err;
  }
  const options = { client: table.client, tableName: LOCAL_TABLE_NAME, retentionDays: 1 };
  const deps: FeedbackDeps = {
    repository: new DynamoFindingLookup(options),
    feedback: new DynamoFeedbackStore(options),
    now: () => new Date(),
  };
  const all = () => true;
  // The folder's own errors (a 400) come back as answers, as the API gives them.
  const answer = async (run: () => Promise<Answer>): Promise<Answer> => {
    try {
      return await run();
    } catch (err) {
      if (!(err instanceof InputValidationError)) throw err;
      return { statusCode: 400, body: { message: `${err.field}: ${err.problem}` } };
    }
  };
  return {
    source: dir.root,
    give: (id, body) => answer(() => giveFeedback(id, body, undefined, deps, all)),
    show: (id) => answer(() => showFeedback(id, deps, all)),
    accuracy: (query) => answer(() => showAccuracy(query, deps, all)),
    close: () => table.close(),
  };
}

function apiAccess(endpoint: string): FeedbackAccess {
  const call = async (path: string, body?: unknown): Promise<Answer> => {
    const res = await fetch(`${endpoint}${path}`, {
      method: body === undefined ? 'GET' : 'POST',
      signal: AbortSignal.timeout(30_000),
      ...(body !== undefined
        ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }
        : {}),
    });
    const text = await res.text();
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = { message: text };
    }
    if (res.status >= 500) {
      throw new Error(
        `${serveApiName(endpoint)} answered ${res.status}: ${String((parsed as { message?: unknown }).message ?? text)}`,
      );
    }
    return { statusCode: res.status, body: parsed };
  };
  return {
    source: serveApiName(endpoint),
    give: (id, body) => call(`/findings/${encodeURIComponent(id)}/feedback`, body),
    show: (id) => call(`/findings/${encodeURIComponent(id)}/feedback`),
    accuracy: (query) => call(`/accuracy?${new URLSearchParams(query)}`),
    close: async () => undefined,
  };
}
