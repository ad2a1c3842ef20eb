// The link every incident message carries (issue 19 §1): the stack's incident dashboard in the AWS
// console, with the dashboard variable `incident` set to the incident's id in the URL, so that the
// custom widget (lambdas/handlers/incident-console.ts) shows that incident's report. Console
// sign-in is the only key: the URL names no credential and nothing it opens is public.

/** The dashboard variable the link sets, and the widget parameter it replaces (docs/deploy.md). */
export const INCIDENT_VARIABLE = 'incident';
/**
 * The widget parameter's value when the URL sets no incident: the variable is a pattern variable,
 * and this is the text it replaces in the widget's parameters. The widget then lists the open incidents.
 */
export const NO_INCIDENT = 'open-incidents';

/** Where the incident dashboard is: the stack's region and the dashboard's name. */
export interface ConsoleDashboard {
  readonly region: string;
  readonly dashboardName: string;
}

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;
/** CloudWatch dashboard names: letters, digits, `-` and `_`, at most 255 characters. */
const DASHBOARD_NAME = /^[A-Za-z0-9_-]{1,255}$/;
const INCIDENT_ID = /^inc-[0-9a-f]{24}$/;

/** The console's host for a region: the partition decides (aws, aws-cn, aws-us-gov). */
export function consoleHost(region: string): string {
  if (region.startsWith('cn-')) return `${region}.console.amazonaws.cn`;
  if (region.startsWith('us-gov-')) return `${region}.console.amazonaws-us-gov.com`;
  return `${region}.console.aws.amazon.com`;
}

/** Checks a dashboard location, naming what is wrong. */
export function checkConsoleDashboard(d: ConsoleDashboard): ConsoleDashboard {
  if (!REGION.test(d.region)) throw new Error(`not an AWS region: ${JSON.stringify(d.region)}`);
  if (!DASHBOARD_NAME.test(d.dashboardName)) {
    throw new Error(
      `not a CloudWatch dashboard name (letters, digits, "-" and "_", at most 255): ${JSON.stringify(d.dashboardName)}`,
    );
  }
  return d;
}

/**
 * The dashboard in the console, showing `incidentId` when given (else the open incidents). The
 * dashboard variable goes in the URL's fragment as `var.<id>=<value>`, as the console writes it
 * when a variable is chosen.
 */
export function consoleDashboardUrl(d: ConsoleDashboard, incidentId?: string): string {
  checkConsoleDashboard(d);
  if (incidentId !== undefined && !INCIDENT_ID.test(incidentId)) {
    throw new Error(`not an incident id: ${JSON.stringify(incidentId)}`);
  }
  const base = `https://${consoleHost(d.region)}/cloudwatch/home?region=${d.region}#dashboards/dashboard/${d.dashboardName}`;
  return incidentId === undefined ? base : `${base}?var.${INCIDENT_VARIABLE}=${incidentId}`;
}

/** The link of one incident, or undefined when no dashboard is configured. */
export type ConsoleLink = (incidentId: string) => string;

export function consoleLinkFor(d: ConsoleDashboard | undefined): ConsoleLink | undefined {
  if (d === undefined) return undefined;
  checkConsoleDashboard(d);
  return (incidentId) => consoleDashboardUrl(d, incidentId);
}
