import type { Verdict } from '../model/compliance.js';
import type { Resource, ResourceOf, ResourceRef, ResourceType } from '../model/resources.js';
import type { AccountView } from '../sources/view.js';
import type { ParamSchema, ParamsOf } from './params.js';

type Severity = 'critical' | 'high' | 'medium' | 'low';

/**
 * A framework citation. `evidence`: AWS maps an analogous managed rule here; `supporting`: our own
 * inference or a weak parity mapping (see docs/frameworks and ../shared/reference/frameworks.md).
 */
interface FrameworkRef {
  framework: 'PCI-DSS-4.0' | 'HIPAA';
  id: string;
  strength: 'evidence' | 'supporting';
}

/**
 * A rule is data plus pure functions. The engine owns the AWS Config protocol; a rule only judges
 * one resource through the AccountView.
 */
interface Rule<T extends ResourceType = ResourceType, S extends ParamSchema = ParamSchema> {
  /** Stable id: CLI, Config rule names (`vpce-guard-<id>`) and reports use it. Never reuse. */
  id: string;
  /** Normative title, "X should Y". */
  title: string;
  description: string;
  /** The attack or failure the rule blocks, for the docs and the Config rule description. */
  rationale: string;
  severity: Severity;
  /** The type this rule reports on (its Config scope). */
  resourceType: T;
  /** Other types whose changes must re-evaluate resources of `resourceType` (see `dependents`). */
  triggerTypes: readonly ResourceType[];
  frameworks: readonly FrameworkRef[];
  parameters: S;
  remediation: string;
  /** A worked example (policy JSON, CLI command) shown in docs and reports. */
  remediationExample?: string;
  /** Read-only AWS actions the live AccountView needs for this rule (least privilege). */
  iamActions: readonly string[];
  evaluate(resource: ResourceOf<T>, view: AccountView, params: ParamsOf<S>): Promise<Verdict>;
  /**
   * Given a changed resource of one of `triggerTypes` (or of `resourceType` itself), which resources
   * of `resourceType` must be evaluated again. Absent: only the resource itself.
   */
  dependents?(changed: Resource, view: AccountView, change?: ChangeContext): Promise<ResourceRef[]>;
  /**
   * Like `dependents`, for a deleted resource whose last configuration is unknown (empty Config
   * history): only its identity is left to find what depended on it.
   */
  dependentsOfGone?(gone: ResourceRef, view: AccountView): Promise<ResourceRef[]>;
}

/** What AWS Config said about a change, when it said it (its `configurationItemDiff`). */
interface ChangeContext {
  /** Changed paths such as `Configuration.Associations.0`; undefined when unknown. */
  changedProperties?: readonly string[] | undefined;
}

/** Keeps the generic parameters of a rule literal while checking its shape. */
const defineRule = <T extends ResourceType, S extends ParamSchema>(rule: Rule<T, S>): Rule<T, S> =>
  rule;

// biome-ignore lint/suspicious/noExplicitAny: the catalogue holds rules of every type and schema
type AnyRule = Rule<any, any>;

export type { AnyRule, ChangeContext, FrameworkRef, Rule, Severity };
export { defineRule };
