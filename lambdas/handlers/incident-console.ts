// The incident dashboard's custom widget (issue 19 §1): CloudWatch calls this function with the
// console user's own credentials each time the dashboard draws the widget, passing the widget's
// parameters — `incident`, set from the dashboard variable of the same name (the link of every
// message sets it in the URL) — and a `widgetContext`. It answers HTML: the open incidents and the
// chosen incident's report. With `describe: true` it answers the widget's documentation (Markdown).

import type { IncidentLookup } from '../adapters/incident-lookup.ts';
import type { OutboxSweepList } from '../adapters/outbox-sweep-list.ts';
import type { FindingLookup } from '../adapters/ports.ts';
import type { Incident } from '../core/incidents/model.ts';
import { type ConsoleDashboard, INCIDENT_VARIABLE, NO_INCIDENT } from '../report/console-link.ts';
import { escapeHtml } from '../report/format.ts';
import { renderIncidentWidget, type WidgetView, widgetRow } from '../report/widget.ts';
import { coldStart, inLambda } from './cold-start.ts';
import { InputValidationError, parseInput } from './errors.ts';
import { instrumented } from './observability.ts';
import * as z from './zod.ts';

export interface IncidentConsoleDeps {
  readonly incidents: IncidentLookup;
  readonly findings: FindingLookup;
  /** The incidents open or still sending (the sweep index), longest idle first. */
  readonly work: Pick<OutboxSweepList, 'incidents'>;
  readonly dashboard: ConsoleDashboard;
}

/** Incidents listed above the report: enough for any night, one GetItem each. */
export const MAX_LISTED = 20;

const INCIDENT_ID = /^inc-[0-9a-f]{24}$/;

/**
 * The event CloudWatch sends a custom widget: the widget's parameters at the top level, and the same
 * parameters again in `widgetContext.params`, with the dashboard's name, time range, size, theme…
 * Only what this widget reads is checked; the rest may change without breaking it.
 */
export const WidgetEventSchema = z.looseObject({
  describe: z.optional(z.boolean()),
  [INCIDENT_VARIABLE]: z.optional(z.unknown()),
  widgetContext: z.optional(
    z.looseObject({
      dashboardName: z.optional(z.string()),
      params: z.optional(z.nullable(z.looseObject({ [INCIDENT_VARIABLE]: z.optional(z.unknown()) }))),
      width: z.optional(z.number()),
      height: z.optional(z.number()),
    }),
  ),
});

/** What the console shows in the widget editor ("describe"). */
export const WIDGET_DOCS = `## cascade-analyzer incidents

Shows the open incidents and the report of one incident: the cascade drawn, the root cause, the
evidence and what to do.

### Widget parameters
Param | Description
---|---
**${INCIDENT_VARIABLE}** | The incident to show (\`inc-\` and 24 hex digits). The dashboard variable \`${INCIDENT_VARIABLE}\` sets it; \`${NO_INCIDENT}\` shows the list only.

### Example parameters
\`\`\` yaml
${INCIDENT_VARIABLE}: ${NO_INCIDENT}
\`\`\`
`;

export async function incidentConsole(input: unknown, deps: IncidentConsoleDeps): Promise<string> {
  const event = parseInput(WidgetEventSchema, input, 'custom widget event');
  if (event.describe === true) return WIDGET_DOCS;
  const asked = event[INCIDENT_VARIABLE] ?? event.widgetContext?.params?.[INCIDENT_VARIABLE];
  const open = await openIncidents(deps);
  const view: { -readonly [K in keyof WidgetView]: WidgetView[K] } = {
    dashboard: deps.dashboard,
    open: open.map(widgetRow),
  };
  const wanted = typeof asked === 'string' ? asked.trim() : undefined;
  if (wanted === undefined || wanted === '' || wanted === NO_INCIDENT) {
    // No incident asked for: the list, and the report of the incident open longest when there is one.
    const first = open[0];
    if (first !== undefined) view.selected = await withFinding(first, deps);
  } else if (!INCIDENT_ID.test(wanted)) {
    view.problem = `The dashboard variable "${INCIDENT_VARIABLE}" is ${JSON.stringify(clip(wanted))}, which is not an incident id (inc- and 24 hex digits). Open the link of a message, or choose an incident below.`;
  } else {
    const incident = open.find((i) => i.incidentId === wanted) ?? (await deps.incidents.get(wanted));
    if (incident === undefined) {
      view.problem = `No incident ${wanted} is stored: the id may be mistyped, or the incident is older than the findings' retention.`;
    } else {
      view.selected = await withFinding(incident, deps);
    }
  }
  return renderIncidentWidget(view);
}

async function openIncidents(deps: IncidentConsoleDeps): Promise<Incident[]> {
  const rows = await deps.work.incidents(MAX_LISTED);
  const found = await Promise.all(rows.map((r) => deps.incidents.get(r.incidentId)));
  return found
    .filter((i): i is Incident => i !== undefined && i.status === 'OPEN')
    .sort((a, b) => (a.openedAt < b.openedAt ? 1 : a.openedAt > b.openedAt ? -1 : 0));
}

async function withFinding(
  incident: Incident,
  deps: IncidentConsoleDeps,
): Promise<NonNullable<WidgetView['selected']>> {
  const id = incident.currentAnalysisId;
  return { incident, finding: id === null ? undefined : await deps.findings.get(id) };
}

function clip(s: string): string {
  return s.length <= 80 ? s : `${s.slice(0, 79)}…`;
}

// The composition root (wiring/incident-console.ts) is loaded on first use: importing this module
// for its logic loads no AWS client.
const dependencies = coldStart(async () =>
  (await import('./wiring/incident-console.ts')).incidentConsoleDeps(),
);
// Inside Lambda, build during init: a missing variable fails the cold start naming it.
if (inLambda()) await dependencies();

// A bad event is the widget's configuration, not a failure of the function: the widget says so.
export const handler = instrumented<unknown, string>({ captureResponse: false }).handler(async (event) => {
  try {
    return await incidentConsole(event, await dependencies());
  } catch (err) {
    if (err instanceof InputValidationError) {
      return `<p>cascade-analyzer widget: ${escapeHtml(`${err.field}: ${err.problem}`)}</p>`;
    }
    throw err;
  }
});
