import type { Rename } from './identifiers.js';
import { LruCache } from './lru.js';

/**
 * Putting real identifiers back into the texts a renamed policy's analysis produced. A shared
 * verdict is restored once per policy that takes it, so the hot path never searches a text: the
 * first restore cuts each text at its placeholders (`planText`), and every later policy of the same
 * placeholders only joins the pieces with its own names (`fill`).
 */

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

// One expression per set of placeholders (a shape has one set, whatever its policies' names).
const restorers = new LruCache<string, RegExp>(10_000);

// A verdict restores several strings with one list of renames: find its expression once.
const restorerOf = new WeakMap<readonly Rename[], RegExp>();

const restorer = (renames: readonly Rename[]): RegExp => {
  const known = restorerOf.get(renames);
  if (known !== undefined) return known;
  const id = renames.map((r) => `${r.kind}:${r.placeholder}`).join('\u0000');
  let pattern = restorers.get(id);
  if (pattern === undefined) {
    // Longest first, so a placeholder never wins over a longer one that starts with it; a value
    // placeholder counts only where it stands alone (not inside a longer word).
    const alternatives = [...renames]
      .sort((a, b) => b.placeholder.length - a.placeholder.length)
      .map((r) =>
        r.kind === 'plain'
          ? escapeRegExp(r.placeholder)
          : `(?<![A-Za-z0-9_-])${escapeRegExp(r.placeholder)}(?![A-Za-z0-9_-])`,
      );
    pattern = new RegExp(alternatives.join('|'), 'g');
    restorers.set(id, pattern);
  }
  restorerOf.set(renames, pattern);
  return pattern;
};

/**
 * Whether a text holds one of the placeholders where `restoreText` would put a name (by finding
 * them, not by comparing the restored text: a name may equal its placeholder).
 */
const mentionsPlaceholder = (text: string, renames: readonly Rename[]): boolean => {
  if (renames.length === 0) return false;
  const pattern = restorer(renames);
  pattern.lastIndex = 0;
  const found = pattern.test(text);
  // The expression is shared and global: leave it where every other use expects it.
  pattern.lastIndex = 0;
  return found;
};

/** Puts the identifiers back into a text the analysis of the renamed policy produced. */
const restoreText = (text: string, renames: readonly Rename[]): string => {
  if (renames.length === 0) return text;
  const pattern = restorer(renames);
  pattern.lastIndex = 0;
  if (!pattern.test(text)) return text;
  return text.replace(
    pattern,
    (found) => renames.find((r) => r.placeholder === found)?.original ?? found,
  );
};

/** A text cut at its placeholders: the pieces around them, and which rename fills each gap. */
interface TextPlan {
  pieces: readonly string[];
  /** Per gap, the index of the rename whose original goes in. */
  fills: readonly number[];
  /** The pieces' total length. */
  fixed: number;
}

/** Where `restoreText` would put originals into `text`, for renames with these placeholders. */
const planText = (text: string, renames: readonly Rename[]): TextPlan => {
  const pieces: string[] = [];
  const fills: number[] = [];
  let last = 0;
  if (renames.length > 0) {
    const pattern = restorer(renames);
    // matchAll starts where the shared expression last stopped: from the start, always.
    pattern.lastIndex = 0;
    for (const found of text.matchAll(pattern)) {
      const index = renames.findIndex((r) => r.placeholder === found[0]);
      if (index < 0) continue;
      pieces.push(text.slice(last, found.index));
      fills.push(index);
      last = found.index + found[0].length;
    }
  }
  pieces.push(text.slice(last));
  let fixed = 0;
  for (const piece of pieces) fixed += piece.length;
  return { pieces, fills, fixed };
};

/** The planned text with these originals (in the order of the renames it was planned with). */
const fill = (plan: TextPlan, originals: readonly string[]): string => {
  const { pieces, fills } = plan;
  if (fills.length === 0) return pieces[0] as string;
  const parts: string[] = [pieces[0] as string];
  for (let gap = 0; gap < fills.length; gap++) {
    parts.push(originals[fills[gap] as number] as string, pieces[gap + 1] as string);
  }
  return parts.join('');
};

/** The length `fill` would give, without building the text. */
const filledLength = (plan: TextPlan, originals: readonly string[]): number => {
  let length = plan.fixed;
  for (const index of plan.fills) length += (originals[index] as string).length;
  return length;
};

/**
 * An object that stands for the placeholders of `renames` (their kinds and texts): lists with the
 * same placeholders give the same object while it is cached, so what was worked out for one set
 * of placeholders can be keyed by it.
 */
const placeholderSet = (renames: readonly Rename[]): object => restorer(renames);

export type { TextPlan };
export { fill, filledLength, mentionsPlaceholder, placeholderSet, planText, restoreText };
