/**
 * Every error vpce-guard raises on purpose. Callers narrow with `instanceof`; the original failure
 * travels in `cause`.
 */

/** Base class: anything thrown by vpce-guard itself rather than by a dependency. */
class VpceGuardError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A configuration item (event, snapshot or API format) that cannot be turned into the model. */
class ConfigItemParseError extends VpceGuardError {
  readonly resourceType: string | undefined;
  readonly resourceId: string | undefined;
  constructor(
    message: string,
    resource: { resourceType?: string | undefined; resourceId?: string | undefined },
    options?: ErrorOptions,
  ) {
    const where = `${resource.resourceType ?? 'unknown type'} ${resource.resourceId ?? '(no id)'}`;
    super(`Cannot read configuration item ${where}: ${message}`, options);
    this.resourceType = resource.resourceType;
    this.resourceId = resource.resourceId;
  }
}

/** The Lambda event from AWS Config is not the shape the contract promises. */
class InvalidEventError extends VpceGuardError {}

/** Rule parameters (Config `InputParameters` or the CLI `--params` file) fail validation. */
class InvalidParametersError extends VpceGuardError {
  readonly ruleId: string;
  constructor(ruleId: string, message: string, options?: ErrorOptions) {
    super(`Invalid parameters for rule ${ruleId}: ${message}`, options);
    this.ruleId = ruleId;
  }
}

/** Evaluations that AWS Config still rejected after every retry; the invocation must fail. */
class EvaluationDeliveryError extends VpceGuardError {
  readonly undelivered: number;
  constructor(message: string, undelivered: number, options?: ErrorOptions) {
    super(message, options);
    this.undelivered = undelivered;
  }
}

/** SNS did not accept an alert; the SQS messages behind it are retried, then dead-lettered. */
class AlertDeliveryError extends VpceGuardError {}

/**
 * An invocation delivered what it judged but left resources without a verdict (reads that failed
 * transiently after the retries, or the Lambda deadline); failing makes AWS Config retry them.
 */
class UnjudgedResourcesError extends VpceGuardError {
  readonly resources: readonly { type: string; id: string }[];
  constructor(
    message: string,
    resources: readonly { type: string; id: string }[],
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.resources = resources;
  }
}

/** A snapshot file that is missing, not JSON, or not a Config snapshot. */
class SnapshotError extends VpceGuardError {}

/** Wrong command-line usage; the CLI prints the message and exits 2. */
class UsageError extends VpceGuardError {}

/** An AWS read failed in a way that is not a per-resource permission problem. */
class AwsReadError extends VpceGuardError {
  /** The scanner was refused the read (AccessDenied): the resource cannot be verified. */
  readonly denied: boolean;
  constructor(message: string, options?: ErrorOptions & { denied?: boolean }) {
    super(message, options);
    this.denied = options?.denied ?? false;
  }
}

/** A policy document (bucket policy, endpoint policy) that is not JSON or not IAM-shaped. */
class PolicyParseError extends VpceGuardError {
  /** Where in the document the problem is, e.g. `Statement[1].Condition`. */
  readonly path: string | undefined;
  constructor(message: string, path?: string, options?: ErrorOptions) {
    super(`Invalid policy document${path ? ` at ${path}` : ''}: ${message}`, options);
    this.path = path;
  }
}

/** A suppressions file that cannot be read or holds invalid entries; lists every problem found. */
class SuppressionsError extends VpceGuardError {
  readonly problems: readonly string[];
  constructor(message: string, problems: readonly string[] = [], options?: ErrorOptions) {
    super(message, options);
    this.problems = problems;
  }
}

/** A compliance report cannot be built, read or written (bad input report, failed AWS read). */
class ReportError extends VpceGuardError {}

/** Deployment settings (stage parameters, derived names) that AWS would reject at deploy time. */
class DeploymentConfigError extends VpceGuardError {}

export {
  AlertDeliveryError,
  AwsReadError,
  ConfigItemParseError,
  DeploymentConfigError,
  EvaluationDeliveryError,
  InvalidEventError,
  InvalidParametersError,
  PolicyParseError,
  ReportError,
  SnapshotError,
  SuppressionsError,
  UnjudgedResourcesError,
  UsageError,
  VpceGuardError,
};
