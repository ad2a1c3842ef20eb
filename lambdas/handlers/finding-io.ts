// Findings travel between states by key: Analyze writes the Finding JSON to the snapshot store,
// Store and Notify read it back. Reading checks that the document is the finding it should be.

import type { SnapshotReader } from '../adapters/ports.ts';
import type { Finding } from '../core/model.ts';

const STATUSES = new Set(['COMPLETED', 'NO_DATA', 'FAILED']);

export async function loadFinding(store: SnapshotReader, key: string, analysisId: string): Promise<Finding> {
  const text = await store.get(key);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new Error(`${key} is not valid JSON`);
  }
  const f = doc as Partial<Finding> | null;
  if (typeof f !== 'object' || f === null || f.analysisId !== analysisId || !STATUSES.has(String(f.status))) {
    throw new Error(`${key} does not hold the finding of analysis ${analysisId}`);
  }
  return f as Finding;
}
