/**
 * Wording helpers for the network rules' annotations. AWS Config keeps 256 characters of an
 * annotation (the engine's cut is only a safety net), so a rule writes several versions of the same
 * message, fullest first, and sends the first one that fits: the fix is in every version.
 */

const ANNOTATION_LIMIT = 256;

/** The first text that fits Config's limit; the last (most compact) one when none does. */
const firstThatFits = (variants: readonly string[]): string => {
  const fitting = variants.find((text) => text.length <= ANNOTATION_LIMIT);
  return fitting ?? variants.at(-1) ?? '';
};

/**
 * `firstThatFits` over versions written on demand: a later, shorter version is only written when
 * the ones before it are too long (most messages fit at once).
 */
const firstThatFitsOf = (...versions: readonly (() => string)[]): string => {
  let text = '';
  for (const version of versions) {
    text = version();
    if (text.length <= ANNOTATION_LIMIT) return text;
  }
  return text;
};

/** `a, b, c and 2 more`. */
const listSome = (items: readonly string[], shown = 3): string => {
  const named = items.slice(0, shown).join(', ');
  return items.length > shown ? `${named} and ${items.length - shown} more` : named;
};

export { ANNOTATION_LIMIT, firstThatFits, firstThatFitsOf, listSome };
