// DynamoDB store of findings: one item per analysisId (conditional put; a result supersedes a
// FAILED finding, never the reverse), listed per service newest first through the `byService`
// index, with the outbox flag of findings no alarm started. The writer and the reader together, for the local
// runtime and the tests; a deployed function takes only the half its handler uses.

import type { Finding } from '../core/model.ts';
import { DynamoFindingsOutbox } from './findings-outbox.ts';
import { DynamoFindingsReader } from './findings-reader.ts';
import type { DynamoFindingsRepositoryOptions } from './findings-table.ts';
import { DynamoFindingsWriter } from './findings-writer.ts';
import type { FindingPage, FindingsRepository, ListQuery, PutOutcome } from './ports.ts';

export { encodeNext, MAX_LIST_LIMIT } from './findings-reader.ts';
export { createDynamoDBClient, type DynamoFindingsRepositoryOptions } from './findings-table.ts';
export { compactFinding, MAX_FINDING_BYTES } from './findings-writer.ts';

export class DynamoFindingsRepository implements FindingsRepository {
  private readonly writer: DynamoFindingsWriter;
  private readonly reader: DynamoFindingsReader;
  private readonly outbox: DynamoFindingsOutbox;

  constructor(options: DynamoFindingsRepositoryOptions) {
    this.writer = new DynamoFindingsWriter(options);
    this.reader = new DynamoFindingsReader(options);
    this.outbox = new DynamoFindingsOutbox(options);
  }

  put(finding: Finding): Promise<PutOutcome> {
    return this.writer.put(finding);
  }

  get(analysisId: string): Promise<Finding | undefined> {
    return this.reader.get(analysisId);
  }

  listByService(query: ListQuery): Promise<FindingPage> {
    return this.reader.listByService(query);
  }

  isNotified(analysisId: string): Promise<boolean> {
    return this.outbox.isNotified(analysisId);
  }

  markNotified(analysisId: string, messageId: string): Promise<boolean> {
    return this.outbox.markNotified(analysisId, messageId);
  }
}
