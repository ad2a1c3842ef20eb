// The package's entry point (docs/own-cdk-app.md): the CascadeAnalyzer construct, its props, and
// the parts it exposes. The package build (scripts/build-package.ts) compiles this file and what it
// imports to CommonJS with type declarations, and ships the Lambda code prebuilt.

export {
  type AnalyzerFunctions,
  type ApiAccessRule,
  CascadeAnalyzer,
  type CascadeAnalyzerProps,
  type PagingProps,
  type WatchedService,
} from './cascade-analyzer.ts';
export { ConfigError } from './config-error.ts';
export type { AlarmTrigger } from './constructs/alarm-trigger.ts';
export type { AnalyzerFunction } from './constructs/analyzer-function.ts';
export type { AnalysesApi } from './constructs/api.ts';
export type { ExecutionWatch } from './constructs/execution-watch.ts';
export type { FindingsTable } from './constructs/findings-table.ts';
export type { GraphvizLayer } from './constructs/graphviz-layer.ts';
export type { Monitoring } from './constructs/monitoring.ts';
export type { Notifications } from './constructs/notifications.ts';
export type { OutboxSweeper } from './constructs/outbox-sweeper.ts';
export type {
  ServiceAlarms,
  WatchedServiceResources,
  WatchedServiceSettings,
} from './constructs/service-alarms.ts';
export type { SnapshotStore } from './constructs/snapshot-store.ts';
export type { Workflow, WorkflowSteps } from './constructs/workflow.ts';
