import type { Counterexample, Verdict } from '../model/compliance.js';
import { ANNOTATION_LIMIT, fitAnnotation } from '../policy/explain.js';
import type { Rename } from '../policy/identifiers.js';
import {
  fill,
  filledLength,
  mentionsPlaceholder,
  placeholderSet,
  planText,
  restoreText,
  type TextPlan,
} from '../policy/restore.js';

/**
 * A bucket-policy verdict worded once for a shape of policies (with placeholders for the bucket
 * and the renamed identifiers), and given to each policy of that shape with its own names put back:
 * by searching the texts (`renamed`), or, for the policies of one text template, by joining pieces
 * cut once (`planned`, `filled`).
 */

/** A verdict, with the annotations it was fitted from (longest first). */
interface Worded {
  verdict: Verdict;
  variants: readonly string[];
}

/** The parts of a shared counterexample that hold a placeholder: top-level fields, context keys. */
interface RestorePlan {
  fields: readonly ('principal' | 'action' | 'resource')[];
  context: readonly string[];
}

// A shared verdict's counterexample holds placeholders in the same places for every policy that
// takes it with the same placeholders: find them once per set, then copy the rest as it is. (One
// verdict serves policies renamed differently: a policy that spells a placeholder id is judged
// as written and shares the shape of one whose id was renamed to it.)
const plans = new WeakMap<Counterexample, WeakMap<object, RestorePlan>>();

const holdsPlaceholder = (value: unknown, renames: readonly Rename[]): boolean =>
  typeof value === 'string'
    ? mentionsPlaceholder(value, renames)
    : Array.isArray(value) && value.some((item) => holdsPlaceholder(item, renames));

const restorePlanOf = (example: Counterexample, renames: readonly Rename[]): RestorePlan => {
  let bySet = plans.get(example);
  if (bySet === undefined) {
    bySet = new WeakMap();
    plans.set(example, bySet);
  }
  const set = placeholderSet(renames);
  let plan = bySet.get(set);
  if (plan === undefined) {
    plan = {
      fields: (['principal', 'action', 'resource'] as const).filter((field) =>
        holdsPlaceholder(example[field], renames),
      ),
      context: Object.keys(example.context).filter((key) =>
        holdsPlaceholder(example.context[key], renames),
      ),
    };
    bySet.set(set, plan);
  }
  return plan;
};

const restoreCounterexample = (
  example: Counterexample,
  renames: readonly Rename[],
): Counterexample => {
  const plan = restorePlanOf(example, renames);
  if (plan.fields.length === 0 && plan.context.length === 0) return example;
  const restored: Counterexample = { ...example, context: { ...example.context } };
  for (const field of plan.fields) restored[field] = restoreText(example[field], renames);
  for (const key of plan.context) {
    const value = example.context[key];
    if (typeof value === 'string') restored.context[key] = restoreText(value, renames);
    else if (Array.isArray(value)) {
      restored.context[key] = value.map((item: string) => restoreText(item, renames));
    }
  }
  return restored;
};

/**
 * The shared verdict with this policy's names: the annotation is fitted again from its variants,
 * because the real names may be longer than the placeholders the verdict was fitted with.
 */
const renamed = ({ verdict, variants }: Worded, renames: readonly Rename[]): Verdict => {
  let annotation: string | undefined;
  for (const variant of variants) {
    const text = restoreText(variant, renames);
    if (text.length <= ANNOTATION_LIMIT) {
      annotation = text;
      break;
    }
  }
  return {
    ...verdict,
    annotation:
      annotation ?? fitAnnotation(restoreText(variants.at(-1) ?? verdict.annotation, renames)),
    detail: verdict.detail === undefined ? undefined : restoreText(verdict.detail, renames),
    counterexample:
      verdict.counterexample === undefined
        ? undefined
        : restoreCounterexample(verdict.counterexample, renames),
  };
};

/** A shared verdict cut at its placeholders once, for every policy of a template (restore.ts). */
interface Planned {
  worded: Worded;
  variants: readonly TextPlan[];
  /** The last resort when no variant fits once filled: cut to fit. */
  last: TextPlan;
  detail: TextPlan | undefined;
  counterexample:
    | {
        example: Counterexample;
        fields: readonly ['principal' | 'action' | 'resource', TextPlan][];
        context: readonly [string, TextPlan | TextPlan[]][];
      }
    | undefined;
}

// Keyed by a template's first renames: one template, one verdict, one set of placeholders.
const plannedByTemplate = new WeakMap<readonly Rename[], Planned>();

const planned = (worded: Worded, canonical: readonly Rename[]): Planned => {
  const known = plannedByTemplate.get(canonical);
  if (known !== undefined && known.worded === worded) return known;
  const { verdict, variants } = worded;
  const example = verdict.counterexample;
  let counterexample: Planned['counterexample'];
  if (example !== undefined) {
    const plan = restorePlanOf(example, canonical);
    counterexample = {
      example,
      fields: plan.fields.map((field) => [field, planText(example[field], canonical)]),
      context: plan.context.map((key) => {
        const value = example.context[key];
        return [
          key,
          Array.isArray(value)
            ? value.map((item: string) => planText(item, canonical))
            : planText(String(value), canonical),
        ];
      }),
    };
  }
  const made: Planned = {
    worded,
    variants: variants.map((variant) => planText(variant, canonical)),
    last: planText(variants.at(-1) ?? verdict.annotation, canonical),
    detail: verdict.detail === undefined ? undefined : planText(verdict.detail, canonical),
    counterexample,
  };
  plannedByTemplate.set(canonical, made);
  return made;
};

/** `renamed`, by joining planned pieces: the same texts, without searching them. */
const filled = (plans: Planned, renames: readonly Rename[]): Verdict => {
  const originals = renames.map((rename) => rename.original);
  let annotation: string | undefined;
  for (const plan of plans.variants) {
    if (filledLength(plan, originals) <= ANNOTATION_LIMIT) {
      annotation = fill(plan, originals);
      break;
    }
  }
  let counterexample: Counterexample | undefined;
  const planned = plans.counterexample;
  if (planned !== undefined) {
    counterexample = planned.example;
    if (planned.fields.length > 0 || planned.context.length > 0) {
      const context = { ...planned.example.context };
      counterexample = { ...planned.example, context };
      for (const [field, plan] of planned.fields) counterexample[field] = fill(plan, originals);
      for (const [key, plan] of planned.context) {
        context[key] = Array.isArray(plan)
          ? plan.map((item) => fill(item, originals))
          : fill(plan, originals);
      }
    }
  }
  const { verdict } = plans.worded;
  const restored: Verdict = {
    compliance: verdict.compliance,
    annotation: annotation ?? fitAnnotation(fill(plans.last, originals)),
    detail: plans.detail === undefined ? undefined : fill(plans.detail, originals),
    counterexample,
  };
  if (verdict.unverifiable !== undefined) restored.unverifiable = verdict.unverifiable;
  return restored;
};

export type { Worded };
export { filled, planned, renamed };
