import { matchText } from './automata.js';
import { hasVariable, type Tri } from './condition.js';
import type { MatchSet } from './document.js';

/** How a statement's Action/Resource elements (and their Not… forms) match one value. */

/**
 * A resource pattern with a wildcard in the ARN's service segment (`arn:aws:*:::b/*`, `arn:*`):
 * AWS does not allow one there (Resource element reference), so what it matches is not known.
 */
const serviceWildcard = (pattern: string): boolean => {
  if (pattern === '*') return false;
  const segments = pattern.split(':');
  return /[*?]/.test(segments[2] ?? segments.at(-1) ?? '');
};

/**
 * Whether an Action/Resource (or Not…) element matches a value; undefined when a pattern that
 * could decide it is unknown (a live policy variable, a resource wildcard AWS does not allow).
 */
const matchSet = (
  set: MatchSet,
  value: string,
  ignoreCase: boolean,
  variables: boolean,
  arns = false,
): Tri => {
  let unknown = false;
  for (const pattern of set.patterns) {
    if (hasVariable(pattern, variables) || (arns && serviceWildcard(pattern))) {
      unknown = true;
    } else if (!matchText(pattern, value, 'glob', ignoreCase)) {
      // No reading of the wildcards matches.
    } else if (arns && !matchText(pattern, value, 'resource', ignoreCase)) {
      // Only a wildcard that runs past a colon inside its ARN segment matches (a * not ending
      // its segment, or a ?): AWS documents wildcards as matching within a segment, so whether
      // this one does is not known.
      unknown = true;
    } else {
      return set.kind === 'only';
    }
  }
  if (unknown) return undefined;
  return set.kind !== 'only';
};

/** Why a Resource/NotResource element's answer for a value is unknown (see `matchSet`). */
const resourceDoubt = (set: MatchSet, value: string, variables: boolean): string => {
  if (set.patterns.some((p) => hasVariable(p, variables))) return 'it uses a policy variable';
  if (set.patterns.some(serviceWildcard)) return 'a wildcard in the service segment';
  return `only a wildcard reaching past a colon inside an ARN segment matches ${value}, and AWS documents that only for a * ending its segment`;
};

/** An Action/Resource element that names `*`: it matches every value, whatever the classes. */
const matchesAll = (set: MatchSet): boolean => set.kind === 'only' && set.patterns.includes('*');

export { matchesAll, matchSet, resourceDoubt, serviceWildcard };
