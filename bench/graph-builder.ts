// The graph builder lives with the simulator (lambdas/simulator/graph-builder.ts); benchmarks and
// examples keep importing it from here.

export * from '../lambdas/simulator/graph-builder.ts';
