// `incidents export ID`: the postmortem draft of an incident of the data folder, read as the other
// local readers do (the folder itself, or the API of the `serve` process that holds it).

import type { Incident } from '../core/incidents/model.ts';
import type { Finding } from '../core/model.ts';
import { postmortemDraft, renderPostmortemMarkdown } from '../report/postmortem.ts';
import type { DataDir } from './data-dir.ts';
import { openFindings } from './findings-reader.ts';
import { openIncidents } from './incidents-reader.ts';

export const POSTMORTEM_FORMATS = ['markdown', 'json'] as const;
export type PostmortemFormat = (typeof POSTMORTEM_FORMATS)[number];

/** The draft of `incidentId` in `format`, or undefined when the folder holds no such incident. */
export async function exportPostmortem(
  dir: DataDir,
  incidentId: string,
  format: PostmortemFormat,
): Promise<string | undefined> {
  // One reader at a time: the folder's lock is held by whichever is open.
  const incidents = await openIncidents(dir, 'incidents export');
  let incident: Incident | undefined;
  try {
    incident = await incidents?.get(incidentId);
  } finally {
    await incidents?.close();
  }
  if (incident === undefined) return undefined;
  const findings = await openFindings(dir, 'incidents export');
  const found: Finding[] = [];
  try {
    for (const a of incident.analyses) {
      const f = await findings?.get(a.analysisId);
      if (f !== undefined) found.push(f);
    }
  } finally {
    await findings?.close();
  }
  const draft = postmortemDraft(incident, found);
  return format === 'json' ? `${JSON.stringify(draft, null, 2)}\n` : renderPostmortemMarkdown(draft);
}
