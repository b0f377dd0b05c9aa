import type { BaseOperator, ConditionEntry } from './document.js';
import { keyFacts } from './keys.js';

/**
 * Condition entries the analyser writes itself to state a question ("the request came through an
 * approved endpoint", "the request is an accepted exemption"), so the values they name split the
 * key's classes exactly as a policy's own entries do.
 */
const entry = (
  base: BaseOperator,
  key: string,
  values: readonly string[],
  qualifier?: 'ForAnyValue' | 'ForAllValues',
): ConditionEntry => ({
  operator: qualifier ? `${qualifier}:${base}` : base,
  base,
  qualifier,
  ifExists: false,
  key,
  keyLower: key.toLowerCase(),
  values: [...values],
});

/**
 * "The key's value is one of these patterns", read the way a user writes an exemption: CIDR
 * containment for addresses, true/false for booleans, per-component ARN patterns for ARN keys,
 * `*`/`?` patterns otherwise (multivalued keys: any of the request's values).
 */
const valueIn = (key: string, values: readonly string[]): ConditionEntry => {
  const facts = keyFacts(key.toLowerCase());
  switch (facts?.type) {
    case 'ip':
      return entry('IpAddress', key, values);
    case 'bool':
      // Exemptions take true/false in any case (validated); the policy reading is lower case.
      return entry(
        'Bool',
        key,
        values.map((value) => value.toLowerCase()),
      );
    case 'arn':
      return entry('ArnLike', key, values);
    default:
      return facts?.multi
        ? entry('StringLike', key, values, 'ForAnyValue')
        : entry('StringLike', key, values);
  }
};

/** `*` and `?` as literal characters, for values a pattern must match exactly. */
// biome-ignore lint/suspicious/noTemplateCurlyInString: `${*}` is IAM's escape for a literal star.
const literal = (value: string): string => value.replace(/\*/g, '${*}').replace(/\?/g, '${?}');

export { entry, literal, valueIn };
