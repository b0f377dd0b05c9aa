import type { Verdict } from '../model/compliance.js';
import type {
  Resource,
  ResourceOf,
  ResourceRef,
  ResourceType,
  TriggerType,
} from '../model/resources.js';
import type { AccountView, MemoryReads } from '../sources/view.js';
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
  /**
   * Other types whose changes must re-evaluate resources of `resourceType` (see `dependents`, and
   * `dependentsOfPrefixList` for managed prefix lists).
   */
  triggerTypes: readonly TriggerType[];
  frameworks: readonly FrameworkRef[];
  parameters: S;
  remediation: string;
  /** A worked example (policy JSON, CLI command) shown in docs and reports. */
  remediationExample?: string;
  /** Read-only AWS actions the live AccountView needs for this rule (least privilege). */
  iamActions: readonly string[];
  evaluate(resource: ResourceOf<T>, view: AccountView, params: ParamsOf<S>): Promise<Verdict>;
  /**
   * The same judgement over an account held in memory, without a promise: a snapshot scan calls
   * it for every resource. `undefined` when it needs a read the memory does not answer (the engine
   * then calls `evaluate`). Absent: the rule is always evaluated through the view.
   */
  evaluateSync?(
    resource: ResourceOf<T>,
    reads: MemoryReads,
    // Not an inference site: a rule built by spreading another keeps its own parameter schema.
    params: NoInfer<ParamsOf<S>>,
  ): Verdict | undefined;
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
  /**
   * For a changed managed prefix list (a trigger type that is not a model resource): the resources
   * of `resourceType` that read its entries.
   */
  dependentsOfPrefixList?(prefixListId: string, view: AccountView): Promise<ResourceRef[]>;
}

/** What AWS Config said about a change, when it said it (its `configurationItemDiff`). */
interface ChangeContext {
  /** Changed paths such as `Configuration.Associations.0`; undefined when unknown. */
  changedProperties?: readonly string[] | undefined;
}

// Each `evaluateSync` with the `evaluate` it was defined beside: a rule copied with another
// `evaluate` (a wrapper, a test double) must not keep judging with the original's memory path.
const syncPairs = new WeakMap<object, object>();

/** Keeps the generic parameters of a rule literal while checking its shape. */
const defineRule = <T extends ResourceType, S extends ParamSchema>(
  rule: Rule<T, S>,
): Rule<T, S> => {
  if (rule.evaluateSync) syncPairs.set(rule.evaluateSync, rule.evaluate);
  return rule;
};

/** Whether the rule judges an account held in memory with `evaluateSync`, as its `evaluate` would. */
const evaluatesInMemory = (rule: AnyRule): boolean =>
  rule.evaluateSync !== undefined && syncPairs.get(rule.evaluateSync) === rule.evaluate;

// biome-ignore lint/suspicious/noExplicitAny: the catalogue holds rules of every type and schema
type AnyRule = Rule<any, any>;

export type { AnyRule, ChangeContext, FrameworkRef, Rule, Severity };
export { defineRule, evaluatesInMemory };
