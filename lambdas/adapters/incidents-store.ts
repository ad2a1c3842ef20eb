// DynamoDB store of incidents, in the findings table beside the findings: the writer
// (incidents-writer.ts) and the reader (incidents-reader.ts) together, for the local runtime and
// the tests; a deployed function takes only the half its handler uses.

import type { Incident, OpenIncidents } from '../core/incidents/model.ts';
import {
  DynamoIncidentsReader,
  type IncidentListQuery,
  type IncidentPage,
  type IncidentsReader,
} from './incidents-reader.ts';
import {
  type Change,
  type DynamoIncidentsStoreOptions,
  DynamoIncidentsWriter,
  type IncidentScope,
  type IncidentsWriter,
} from './incidents-writer.ts';

export {
  type IncidentListQuery,
  type IncidentPage,
  type IncidentSummary,
  type IncidentsReader,
  MAX_INCIDENT_LIST_LIMIT,
  summaryOf,
} from './incidents-reader.ts';
export {
  type Change,
  type DynamoIncidentsStoreOptions,
  type IncidentScope,
  IncidentsConflictError,
  type IncidentsWrite,
  type IncidentsWriter,
} from './incidents-writer.ts';

export interface IncidentsStore extends IncidentsWriter, IncidentsReader {}

export class DynamoIncidentsStore implements IncidentsStore {
  private readonly writer: DynamoIncidentsWriter;
  private readonly reader: DynamoIncidentsReader;

  constructor(options: DynamoIncidentsStoreOptions) {
    this.writer = new DynamoIncidentsWriter(options);
    this.reader = new DynamoIncidentsReader(options);
  }

  mutate<R>(scope: IncidentScope, change: (doc: OpenIncidents) => Change<R>): Promise<R> {
    return this.writer.mutate(scope, change);
  }

  get(incidentId: string): Promise<Incident | undefined> {
    return this.reader.get(incidentId);
  }

  listByService(query: IncidentListQuery): Promise<IncidentPage> {
    return this.reader.listByService(query);
  }

  incidentOf(analysisId: string): Promise<string | undefined> {
    return this.reader.incidentOf(analysisId);
  }
}
