// What the local runtime takes from the synthesized CDK app: the state machine's definition with
// its intrinsics resolved, which Lambda each Task state invokes and with which environment, and
// the stack's own alarms. Plain data, so that both the CDK side and the runtime side can use it.

/** The stack's Lambda functions the local runtime can stand in for (keys of `stack.analyzer.functions`). */
export const STEP_KEYS = [
  'prepare',
  'collectGraph',
  'collectEvidence',
  'enrich',
  'analyze',
  'store',
  'notify',
  'recordFailure',
  'correlate',
  'resolveAlarm',
] as const;
export type StepKey = (typeof STEP_KEYS)[number];

export type Environment = Readonly<Record<string, string>>;

/** One Task state of the definition and the function it invokes. */
export interface SynthesizedTask {
  /** The state's name in the definition, e.g. `CollectGraph`. */
  readonly state: string;
  /** Which of the stack's functions the state invokes. */
  readonly step: StepKey;
  readonly functionLogicalId: string;
  /** The function's environment variables as deployed, intrinsics resolved to local names. */
  readonly environment: Environment;
}

/** A CloudWatch alarm of the stack, as the template declares it. */
export interface SynthesizedAlarm {
  readonly logicalId: string;
  readonly alarmName: string;
  readonly description: string;
  /** The template's `Metrics` (metric math alarms) or a single metric turned into that shape. */
  readonly metrics: readonly Readonly<Record<string, unknown>>[];
}

export interface SynthesizedApp {
  readonly stackName: string;
  readonly stateMachineLogicalId: string;
  /** The Amazon States Language definition, exactly as synthesized, with ARNs filled in. */
  readonly definition: Readonly<Record<string, unknown>>;
  readonly tasks: readonly SynthesizedTask[];
  /** The API function's environment. */
  readonly apiEnvironment: Environment;
  /** The SweepOutbox function's environment (its schedule invokes it, no Task state). */
  readonly sweepEnvironment: Environment;
  readonly alarms: readonly SynthesizedAlarm[];
  /** The placeholder account and region the ARNs were resolved with. */
  readonly account: string;
  readonly region: string;
}

/** Context values (cdk.json keys) that differ from the repository's cdk.json. */
export type ContextOverrides = Readonly<Record<string, unknown>>;
