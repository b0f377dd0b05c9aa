import { LruCache } from './lru.js';

/**
 * IAM wildcard patterns (`*` any run of characters, `?` one character) as languages, so the analyser
 * can ask set questions of them: does a pattern match a value, does one pattern match everything
 * another matches (coverage), can two patterns match a common value (overlap). The escapes `${*}`,
 * `${?}` and `${$}` stand for the literal characters; other policy variables stay literal text
 * because the analyser cannot know their runtime value.
 */

type Token = { kind: 'star' } | { kind: 'one' } | { kind: 'char'; char: string };

interface WildcardOptions {
  /** Actions and `...IgnoreCase` operators compare without case; resources and ARNs do not. */
  ignoreCase?: boolean;
}

const ESCAPES: Record<string, string> = { '${*}': '*', '${?}': '?', '${$}': '$' };

const tokenizeUncached = (pattern: string, ignoreCase: boolean): Token[] => {
  const tokens: Token[] = [];
  let index = 0;
  while (index < pattern.length) {
    const escaped = ESCAPES[pattern.slice(index, index + 4)];
    if (escaped !== undefined) {
      tokens.push({ kind: 'char', char: escaped });
      index += 4;
      continue;
    }
    const char = pattern.charAt(index);
    if (char === '*') {
      // Consecutive stars match the same language as one and keep the searches below small.
      if (tokens.at(-1)?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (char === '?') {
      tokens.push({ kind: 'one' });
    } else {
      tokens.push({ kind: 'char', char: ignoreCase ? char.toLowerCase() : char });
    }
    index += 1;
  }
  return tokens;
};

// Policies repeat the same handful of patterns (`s3:*`, bucket ARNs) across statements and
// buckets; tokenising each once keeps a sweep over thousands of policies cheap.
const tokenCache = new LruCache<string, Token[]>(10_000);

const tokenize = (pattern: string, ignoreCase: boolean): Token[] => {
  const key = ignoreCase ? `i:${pattern}` : `s:${pattern}`;
  let tokens = tokenCache.get(key);
  if (!tokens) {
    tokens = tokenizeUncached(pattern, ignoreCase);
    tokenCache.set(key, tokens);
  }
  return tokens;
};

const isLiteral = (tokens: readonly Token[]): boolean =>
  tokens.every((token) => token.kind === 'char');

const sameLiteral = (a: readonly Token[], b: readonly Token[]): boolean =>
  a.length === b.length &&
  a.every((token, index) => {
    const other = b[index];
    return token.kind === 'char' && other?.kind === 'char' && token.char === other.char;
  });

const hasWildcard = (pattern: string): boolean => !isLiteral(tokenize(pattern, false));

/** Whether `value` (a concrete string, wildcards in it are plain characters) matches `pattern`. */
const wildcardMatch = (pattern: string, value: string, options: WildcardOptions = {}): boolean => {
  const ignoreCase = options.ignoreCase ?? false;
  const tokens = tokenize(pattern, ignoreCase);
  const text = ignoreCase ? value.toLowerCase() : value;
  // Greedy match with one backtrack point: linear for `*`/`?` patterns.
  let t = 0;
  let s = 0;
  let starToken = -1;
  let starText = 0;
  while (s < text.length) {
    const token = tokens[t];
    if (token && (token.kind === 'one' || (token.kind === 'char' && token.char === text[s]))) {
      t += 1;
      s += 1;
    } else if (token?.kind === 'star') {
      starToken = t;
      starText = s;
      t += 1;
    } else if (starToken >= 0) {
      t = starToken + 1;
      starText += 1;
      s = starText;
    } else {
      return false;
    }
  }
  while (tokens[t]?.kind === 'star') t += 1;
  return t === tokens.length;
};

/** Memoises a search over token positions (i in 0..rows, j in 0..columns) in a flat table. */
const memoised = (columns: number, search: (i: number, j: number) => boolean) => {
  // 0 unknown, 1 false (also "in progress", which cuts cycles), 2 true.
  const seen = new Map<number, number>();
  const run = (i: number, j: number): boolean => {
    const key = i * (columns + 1) + j;
    const known = seen.get(key);
    if (known !== undefined) return known === 2;
    seen.set(key, 1);
    const result = search(i, j);
    seen.set(key, result ? 2 : 1);
    return result;
  };
  return run;
};

/**
 * Whether every value `inner` can match is also matched by `outer` (language inclusion). Sound: a
 * `true` is always right; a few exotic equal pairs (`?*` against `*?`) answer `false`, which makes a
 * rule stricter, never laxer.
 */
const wildcardCovers = (outer: string, inner: string, options: WildcardOptions = {}): boolean => {
  const ignoreCase = options.ignoreCase ?? false;
  const a = tokenize(outer, ignoreCase);
  const b = tokenize(inner, ignoreCase);
  if (a.length === 1 && a[0]?.kind === 'star') return true;
  if (isLiteral(a)) return isLiteral(b) && sameLiteral(a, b);
  const covers = memoised(b.length, (i, j): boolean => {
    const x = a[i];
    const y = b[j];
    if (x === undefined) return y === undefined;
    if (x.kind === 'star') return covers(i + 1, j) || (y !== undefined && covers(i, j + 1));
    if (y === undefined || y.kind === 'star') return false;
    if (x.kind === 'one') return covers(i + 1, j + 1);
    return y.kind === 'char' && y.char === x.char && covers(i + 1, j + 1);
  });
  return covers(0, 0);
};

/** Whether some value matches both patterns (non-empty intersection); exact for `*`/`?`. */
const wildcardOverlaps = (
  first: string,
  second: string,
  options: WildcardOptions = {},
): boolean => {
  const ignoreCase = options.ignoreCase ?? false;
  const a = tokenize(first, ignoreCase);
  const b = tokenize(second, ignoreCase);
  if (isLiteral(a) && isLiteral(b)) return sameLiteral(a, b);
  const overlaps = memoised(b.length, (i, j): boolean => {
    const x = a[i];
    const y = b[j];
    if (x === undefined && y === undefined) return true;
    if (x?.kind === 'star' && overlaps(i + 1, j)) return true;
    if (y?.kind === 'star' && overlaps(i, j + 1)) return true;
    if (x?.kind === 'star' && y !== undefined && y.kind !== 'star') return overlaps(i, j + 1);
    if (y?.kind === 'star' && x !== undefined && x.kind !== 'star') return overlaps(i + 1, j);
    if (x === undefined || y === undefined || x.kind === 'star' || y.kind === 'star') return false;
    const compatible = x.kind === 'one' || y.kind === 'one' || x.char === y.char;
    return compatible && overlaps(i + 1, j + 1);
  });
  return overlaps(0, 0);
};

export type { WildcardOptions };
export { hasWildcard, wildcardCovers, wildcardMatch, wildcardOverlaps };
