// GET /analyses/{id}/report: the HTML report of lambdas/report/html.ts, served under its
// Content-Security-Policy. The page has no script and loads nothing; its one <style> element is
// allowed by hash, so the policy needs neither 'unsafe-inline' nor any source but its own bytes.

import type { Finding } from '../core/model.ts';
import { REPORT_CSP, renderHtml } from '../report/html.ts';

export { escapeHtml } from '../report/format.ts';
export { REPORT_CSP };

/**
 * The report of a stored finding. The API has the Finding only (not the graph snapshot), so the
 * picture's edges come from the finding's dependency chain and cascade paths.
 */
export function renderReportHtml(finding: Finding, incidentId?: string): Promise<string> {
  return renderHtml(finding, incidentId !== undefined ? { incidentId } : {});
}
