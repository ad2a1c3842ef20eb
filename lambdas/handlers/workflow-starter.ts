// How the API starts an analysis: one execution of the workflow per analysisId. An interface so
// that the API is tested without Step Functions and the local runtime can run the workflow in-process.

import type { ApiAnalysisInput } from './contracts.ts';

export interface WorkflowStarter {
  /**
   * Starts one execution named `name` (the analysisId: execution names are unique per state
   * machine, so the name doubles as a guard against starting the same analysis twice).
   */
  start(name: string, input: ApiAnalysisInput): Promise<{ readonly executionArn: string }>;
}
