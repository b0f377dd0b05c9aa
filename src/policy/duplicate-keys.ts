import { PolicyParseError } from '../errors.js';
import type { Statement } from './document.js';

/**
 * Finds a key written twice in one JSON object of a policy text. `JSON.parse` keeps the last of
 * them silently, but AWS documents no reading of such a policy (first, last or merged), so a
 * duplicate `Effect`, `Condition` operator or condition key leaves open which statement AWS
 * evaluates: the analyser cannot decide it, and what it cannot decide counts as getting in.
 */

interface Frame {
  /** The keys seen so far; `undefined` for an array. */
  keys: Set<string> | undefined;
  /** Keys compare without case here (a Condition block and its operators). */
  fold: boolean;
  /** Where the container sits, e.g. `Statement[0].Condition`. */
  path: string;
  /** The key whose value is being read (objects), or the element count (arrays). */
  last: string | number;
}

/**
 * A statement's Condition block and the operator blocks in it. "Context key names are not
 * case-sensitive" (IAM User Guide, Condition element): `aws:SourceVpce` and `aws:sourcevpce` in
 * one block name one key twice, which `JSON.parse` keeps as two. The analyser reads operator names
 * without case as well, so two spellings of one operator are one operator twice.
 */
const CONDITION = /^Statement(?:\[\d+\])?\.Condition(?:\.|$)/;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** The index of the quote that closes the string opened at `open` (valid JSON assumed). */
const closingQuote = (text: string, open: number): number => {
  let from = open + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return text.length;
    let slashes = 0;
    while (text.charCodeAt(quote - 1 - slashes) === BACKSLASH) slashes += 1;
    if (slashes % 2 === 0) return quote;
    from = quote + 1;
  }
};

const childPath = (frame: Frame | undefined): string => {
  if (frame === undefined) return '';
  const step =
    typeof frame.last === 'number' ? `[${frame.last}]` : `${frame.path ? '.' : ''}${frame.last}`;
  return `${frame.path}${step}`;
};

interface DuplicateKey {
  key: string;
  /** The object holding it, e.g. `Statement[0].Condition` (empty for the document itself). */
  path: string;
}

/**
 * Every key that repeats within one object of `text` (compared after unescaping, as `JSON.parse`
 * compares them; without case in Condition blocks), each with the path of that object. `text`
 * must already be valid JSON.
 */
const duplicateKeys = (text: string): DuplicateKey[] => {
  const found: DuplicateKey[] = [];
  const stack: Frame[] = [];
  let expectKey = false;
  for (let index = 0; index < text.length; index += 1) {
    const code = text.charCodeAt(index);
    if (code === QUOTE) {
      const close = closingQuote(text, index);
      const top = stack.at(-1);
      if (expectKey && top?.keys !== undefined) {
        const raw = text.slice(index + 1, close);
        const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
        const seen = top.fold ? key.toLowerCase() : key;
        if (top.keys.has(seen)) found.push({ key, path: top.path });
        top.keys.add(seen);
        top.last = key;
        expectKey = false;
      }
      index = close;
    } else if (code === 0x7b || code === 0x5b) {
      const top = stack.at(-1);
      const path = childPath(top);
      stack.push({
        keys: code === 0x7b ? new Set() : undefined,
        fold: CONDITION.test(path),
        path,
        last: 0,
      });
      expectKey = code === 0x7b;
    } else if (code === 0x7d || code === 0x5d) {
      stack.pop();
      expectKey = false;
    } else if (code === 0x2c) {
      const top = stack.at(-1);
      if (top !== undefined && typeof top.last === 'number') top.last += 1;
      expectKey = top?.keys !== undefined;
    }
  }
  return found;
};

const duplicateError = (duplicate: DuplicateKey): PolicyParseError =>
  new PolicyParseError(
    `names the key "${duplicate.key}" twice; AWS documents no reading of duplicate keys, so which one applies cannot be decided`,
    duplicate.path || undefined,
  );

/** Whether an object path lies inside a statement whose (last-wins) Effect is Allow. */
const insideAllow = (path: string, statements: readonly Statement[], single: boolean): boolean => {
  const match = /^Statement(?:\[(\d+)\])?(?=$|[.[])/.exec(path);
  if (match === null || (match[1] === undefined) !== single) return false;
  return statements[Number(match[1] ?? 0)]?.effect === 'Allow';
};

export type { DuplicateKey };
export { duplicateError, duplicateKeys, insideAllow };
