/**
 * String values as regular languages, so the analyser can split a key's infinite value space into
 * finitely many classes ("atoms") on which every pattern of a policy answers the same way, and pick
 * one concrete value per class. Matching rules follow the IAM condition-operator reference
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html):
 * - `StringEquals`/`StringNotEquals`: exact, case-sensitive, no wildcards;
 * - `...IgnoreCase`: exact without case;
 * - `StringLike`/`StringNotLike`: `*` any run, `?` one character, case-sensitive;
 * - `ArnEquals`/`ArnLike` (and Not): "each of the six colon-delimited components of the ARN is
 *   checked separately", wildcards allowed, case-sensitive — a `*` before the sixth component never
 *   spans a colon, and a value needs all six components;
 * - actions (`Action`/`NotAction`) compare without case, resources with case;
 * - `Resource`/`NotResource` (mode `resource`): "You can use wildcard characters (* and ?) within the
 *   individual segments of an ARN (the parts separated by colons) ... If the * wildcard is the last
 *   character of a resource ARN segment, it can expand to match beyond the colon boundaries" (IAM
 *   User Guide, IAM JSON policy elements: Resource) — a `*` that ends a segment may span colons,
 *   any other `*` and every `?` stay within their segment. An object key may hold colons.
 * The escapes `${*}`, `${?}`, `${$}` are literal characters.
 */

import { LruCache } from './lru.js';

type MatchMode = 'literal' | 'glob' | 'arn' | 'resource';

/** One pattern compiled to NFA tokens. `free` wildcards may not match a colon (ARN components). */
type Token =
  | { kind: 'star'; colonFree: boolean }
  | { kind: 'one'; colonFree: boolean }
  | { kind: 'char'; char: string };

interface Pattern {
  tokens: Token[];
  ignoreCase: boolean;
  /** Mode, case rule and text: equal sources compile to equal patterns. */
  source: string;
}

const ESCAPES: Record<string, string> = { '${*}': '*', '${?}': '?', '${$}': '$' };

const globTokens = (text: string, colonFree: boolean, wildcards: boolean): Token[] => {
  const tokens: Token[] = [];
  for (let index = 0; index < text.length; ) {
    const escaped = wildcards ? ESCAPES[text.slice(index, index + 4)] : undefined;
    if (escaped !== undefined) {
      tokens.push({ kind: 'char', char: escaped });
      index += 4;
      continue;
    }
    const char = text.charAt(index);
    if (wildcards && char === '*') tokens.push({ kind: 'star', colonFree });
    else if (wildcards && char === '?') tokens.push({ kind: 'one', colonFree });
    else tokens.push({ kind: 'char', char });
    index += 1;
  }
  return tokens;
};

/** Compiles a pattern; `undefined` for an ARN pattern with fewer than six components (matches nothing). */
const compile = (text: string, mode: MatchMode, ignoreCase = false): Pattern | undefined => {
  const source = `${mode}:${ignoreCase ? 'i' : 's'}:${text}`;
  if (mode === 'resource') {
    // The pattern's own colons delimit its segments; a star right before one (or at the end) ends
    // its segment and may run on past colons. Wildcards are documented "within the individual
    // segments", and only that star is said to reach beyond them: a `?` never matches a colon.
    const tokens = globTokens(text, false, true).map((token, index, all): Token => {
      if (token.kind === 'one') return { kind: 'one', colonFree: true };
      const next = all[index + 1];
      const last = next === undefined || (next.kind === 'char' && next.char === ':');
      return token.kind === 'star' && !last ? { kind: 'star', colonFree: true } : token;
    });
    return { tokens, ignoreCase, source };
  }
  if (mode !== 'arn')
    return { tokens: globTokens(text, false, mode === 'glob'), ignoreCase, source };
  const parts = text.split(':');
  if (parts.length < 6) return undefined;
  const head = parts.slice(0, 5);
  const tail = parts.slice(5).join(':');
  const tokens: Token[] = [];
  for (const part of head) {
    tokens.push(...globTokens(part, true, true), { kind: 'char', char: ':' });
  }
  tokens.push(...globTokens(tail, false, true));
  return { tokens, ignoreCase, source };
};

/** A glob pattern as a regular expression, for matching concrete values fast. */
const toRegExp = (pattern: Pattern): RegExp => {
  const source = pattern.tokens
    .map((token) => {
      if (token.kind === 'star') return token.colonFree ? '[^:]*' : '[\\s\\S]*';
      if (token.kind === 'one') return token.colonFree ? '[^:]' : '[\\s\\S]';
      return token.char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${source}$`, pattern.ignoreCase ? 'iu' : 'u');
};

const regexps = new WeakMap<Pattern, RegExp>();

/** Whether a concrete value matches a compiled pattern. */
const matches = (pattern: Pattern | undefined, value: string): boolean => {
  if (pattern === undefined) return false;
  let regexp = regexps.get(pattern);
  if (regexp === undefined) {
    regexp = toRegExp(pattern);
    regexps.set(pattern, regexp);
  }
  return regexp.test(value);
};

// Policies repeat the same patterns across statements and buckets; compile each once.
const compiled = new LruCache<string, Pattern | null>(20_000);

/** Convenience: does `value` match `text` read in `mode`. */
const matchText = (text: string, value: string, mode: MatchMode, ignoreCase = false): boolean => {
  const key = `${mode}${ignoreCase ? 'i' : 's'}${text}`;
  let pattern = compiled.get(key);
  if (pattern === undefined) {
    pattern = compile(text, mode, ignoreCase) ?? null;
    compiled.set(key, pattern);
  }
  return pattern !== null && matches(pattern, value);
};

/**
 * A pattern's automaton: a state is the sorted list of token positions reached (few at a time for
 * IAM patterns), position `tokens.length` accepting.
 */
interface Automaton {
  tokens: readonly Token[];
  /** Per position, the character to compare with (lower case when the pattern ignores case). */
  chars: readonly (string | undefined)[];
  ignoreCase: boolean;
}

type State = readonly number[];

const automaton = (pattern: Pattern): Automaton => ({
  tokens: pattern.tokens,
  chars: pattern.tokens.map((token) =>
    token.kind === 'char'
      ? pattern.ignoreCase
        ? token.char.toLowerCase()
        : token.char
      : undefined,
  ),
  ignoreCase: pattern.ignoreCase,
});

/** Adds the positions reachable through stars without reading, sorted and unique. */
const close = (auto: Automaton, positions: number[]): State => {
  for (let i = 0; i < positions.length; i += 1) {
    const position = positions[i] as number;
    if (auto.tokens[position]?.kind === 'star' && !positions.includes(position + 1)) {
      positions.push(position + 1);
    }
  }
  return [...new Set(positions)].sort((a, b) => a - b);
};

const step = (auto: Automaton, state: State, letter: string, lower: string): State => {
  if (state.length === 0) return state;
  const next: number[] = [];
  const char = auto.ignoreCase ? lower : letter;
  for (const position of state) {
    const token = auto.tokens[position];
    if (token === undefined) continue;
    if (token.kind === 'char') {
      if (auto.chars[position] === char) next.push(position + 1);
    } else if (!(token.colonFree && letter === ':')) {
      next.push(token.kind === 'one' ? position + 1 : position);
    }
  }
  return next.length === 0 ? next : close(auto, next);
};

interface AtomResult {
  /** One value per non-empty class, seeds first where a seed falls in the class. */
  values: string[];
  /** False when the search hit its bound: some classes may be missing. */
  complete: boolean;
}

const STATE_LIMIT = 20_000;

/**
 * One representative per non-empty Boolean combination of the patterns' languages, restricted to
 * strings accepted by at least one `domain` pattern (all strings when `domain` is empty). Exact:
 * a breadth-first search over the product of the patterns' automata on an alphabet of every
 * character they name (both cases where one ignores case) plus one character none names, which
 * stands for every other character.
 */
// A sweep meets the same pattern sets again and again (the account's root, its exemptions, the
// same endpoint ids); the class search is pure, so its answers are kept.
const atomCache = new LruCache<string, AtomResult>(5_000);

const atoms = (
  patterns: readonly Pattern[],
  domain: readonly Pattern[],
  seeds: readonly string[] = [],
  candidates?: (witness: string) => readonly string[],
  lowercase = false,
): AtomResult => {
  const key = JSON.stringify([
    patterns.map((p) => p.source),
    domain.map((p) => p.source),
    seeds,
    candidates?.('') ?? null,
    lowercase,
  ]);
  let result = atomCache.get(key);
  if (result === undefined) {
    result = searchAtoms(patterns, domain, seeds, candidates, lowercase);
    atomCache.set(key, result);
  }
  return result;
};

const searchAtoms = (
  patterns: readonly Pattern[],
  domain: readonly Pattern[],
  seeds: readonly string[] = [],
  /** Nicer values to try in place of a found one (same class): realistic ids for counterexamples. */
  candidates?: (witness: string) => readonly string[],
  /** Only lower-case values exist (AWS ids): upper-case letters are left out of the search. */
  lowercase = false,
): AtomResult => {
  // Literal patterns (no wildcard) are followed as two tries, one per case rule, instead of one
  // automaton each: from a state off every literal, only the wildcard patterns' letters matter.
  const isLiteral = (pattern: Pattern) => pattern.tokens.every((token) => token.kind === 'char');
  const text = (pattern: Pattern) =>
    pattern.tokens.map((token) => (token.kind === 'char' ? token.char : '')).join('');
  const wild = [...patterns.filter((p) => !isLiteral(p)), ...domain];
  const wildCount = wild.length - domain.length;
  const exact = new Set(patterns.filter((p) => isLiteral(p) && !p.ignoreCase).map(text));
  const folded = new Set(
    patterns.filter((p) => isLiteral(p) && p.ignoreCase).map((p) => text(p).toLowerCase()),
  );
  const nextOf = (words: Iterable<string>, both: boolean): Map<string, Set<string>> => {
    const next = new Map<string, Set<string>>();
    for (const word of words) {
      for (let i = 0; i < word.length; i += 1) {
        const prefix = word.slice(0, i);
        const set = next.get(prefix) ?? new Set<string>();
        const char = word.charAt(i);
        set.add(char);
        if (both) set.add(char.toUpperCase());
        next.set(prefix, set);
      }
    }
    return next;
  };
  const exactNext = nextOf(exact, false);
  const foldedNext = nextOf(folded, true);
  const base = new Set<string>([':']);
  for (const pattern of wild) {
    for (const token of pattern.tokens) {
      if (token.kind !== 'char') continue;
      base.add(token.char);
      if (pattern.ignoreCase) {
        base.add(token.char.toLowerCase());
        base.add(token.char.toUpperCase());
      }
    }
  }
  const everything = new Set([
    ...base,
    ...[...exact, ...folded].join(''),
    ...[...folded].join('').toUpperCase(),
  ]);
  const fresh = ['x', 'z', 'q', '0', '9', '#', '~', '\u00e9'].find((c) => !everything.has(c));
  if (fresh !== undefined) base.add(fresh);
  if (lowercase) {
    for (const letter of [...base]) if (letter !== letter.toLowerCase()) base.delete(letter);
  }
  const autos = wild.map((pattern) => automaton(pattern));
  const accepts = (states: readonly State[], index: number): boolean =>
    (states[index] as State).includes((autos[index] as Automaton).tokens.length);
  const literalPart = (value: string): string => {
    const lower = value.toLowerCase();
    return `${exact.has(value) ? value : ''}|${folded.has(lower) ? lower : ''}`;
  };
  const signatureOf = (states: readonly State[], value: string): string | undefined => {
    const inDomain =
      domain.length === 0 || domain.some((_, index) => accepts(states, wildCount + index));
    if (!inDomain) return undefined;
    let bits = '';
    for (let index = 0; index < wildCount; index += 1) bits += accepts(states, index) ? '1' : '0';
    return `${bits}|${literalPart(value)}`;
  };
  const signatureOfValue = (value: string): string | undefined => {
    const inDomain = domain.length === 0 || domain.some((pattern) => matches(pattern, value));
    if (!inDomain) return undefined;
    let bits = '';
    for (let index = 0; index < wildCount; index += 1)
      bits += matches(wild[index], value) ? '1' : '0';
    return `${bits}|${literalPart(value)}`;
  };
  const found = new Map<string, string>();
  for (const seed of seeds) {
    if (lowercase && seed !== seed.toLowerCase()) continue;
    const signature = signatureOfValue(seed);
    if (signature !== undefined && !found.has(signature)) found.set(signature, seed);
  }
  const keyOf = (states: readonly State[], value: string): string => {
    const lower = value.toLowerCase();
    const live = exactNext.has(value) || exact.has(value) ? value : '-';
    const liveFolded = foldedNext.has(lower) || folded.has(lower) ? lower : '-';
    return `${states.map((state) => state.join('.')).join(',')}|${live}|${liveFolded}`;
  };
  const start = autos.map((auto) => close(auto, [0]));
  const seen = new Set<string>([keyOf(start, '')]);
  const queue: { states: State[]; text: string }[] = [{ states: start, text: '' }];
  let complete = true;
  for (let head = 0; head < queue.length; head += 1) {
    const { states, text: value } = queue[head] as { states: State[]; text: string };
    const signature = signatureOf(states, value);
    if (signature !== undefined && !found.has(signature)) {
      const nicer = candidates?.(value).find(
        (candidate) =>
          (!lowercase || candidate === candidate.toLowerCase()) &&
          signatureOfValue(candidate) === signature,
      );
      found.set(signature, nicer ?? value);
    }
    if (seen.size > STATE_LIMIT) {
      complete = false;
      break;
    }
    // Nothing in the domain starts this way: no extension can be a value of the key.
    if (domain.length > 0 && domain.every((_, index) => states[wildCount + index]?.length === 0)) {
      continue;
    }
    // Off every literal and every wildcard pattern: extensions only repeat this signature.
    const lower = value.toLowerCase();
    const onTrie = exactNext.has(value) || foldedNext.has(lower);
    if (
      !onTrie &&
      states.slice(0, wildCount).every((state) => state.length === 0) &&
      found.has(signature ?? '')
    ) {
      continue;
    }
    // Only letters some automaton expects next can tell classes apart; every other letter acts
    // like the fresh one (or like ':' where a wildcard may not span a colon).
    const options = new Set<string>([':', ...(fresh === undefined ? [] : [fresh])]);
    autos.forEach((auto, index) => {
      for (const position of states[index] as State) {
        const char = auto.chars[position];
        if (char === undefined) continue;
        options.add(char);
        if (auto.ignoreCase) options.add(char.toUpperCase());
      }
    });
    for (const char of exactNext.get(value) ?? []) options.add(char);
    for (const char of foldedNext.get(value.toLowerCase()) ?? []) options.add(char);
    if (lowercase)
      for (const char of [...options]) if (char !== char.toLowerCase()) options.delete(char);
    for (const letter of options) {
      const lowerLetter = letter.toLowerCase();
      const next = autos.map((auto, index) =>
        step(auto, states[index] as State, letter, lowerLetter),
      );
      const key = keyOf(next, value + letter);
      if (seen.has(key)) continue;
      seen.add(key);
      queue.push({ states: next, text: value + letter });
    }
  }

  return { values: [...found.values()], complete };
};

/**
 * The pattern's literal start: its characters before the first wildcard, up to the first one
 * outside ASCII, lower case when the pattern ignores case. Every value the pattern matches starts
 * with it (`startsLike`), so most values are turned away without running the expression.
 */
const literalHead = (pattern: Pattern): string => {
  const head: string[] = [];
  for (const token of pattern.tokens) {
    if (token.kind !== 'char' || token.char.length !== 1 || token.char.charCodeAt(0) >= 0x80) break;
    head.push(pattern.ignoreCase ? token.char.toLowerCase() : token.char);
  }
  // Joined, not appended: a head lives as long as its pattern, and one link per character would
  // outweigh the text.
  return head.join('');
};

/**
 * Whether `value` may match a pattern with this head (see `literalHead`): false only when it
 * cannot. Under case-insensitive matching a non-ASCII character of the value may fold to an ASCII
 * one (K, the Kelvin sign, to k), so such a value is left to the expression.
 */
const startsLike = (head: string, ignoreCase: boolean, value: string): boolean => {
  // Each head character matches one code point of the value, and one code unit holds at most one.
  if (value.length < head.length) return false;
  for (let index = 0; index < head.length; index++) {
    let code = value.charCodeAt(index);
    const want = head.charCodeAt(index);
    if (code === want) continue;
    if (!ignoreCase) return false;
    if (code >= 0x80) return true;
    if (code >= 0x41 && code <= 0x5a) code += 0x20;
    if (code !== want) return false;
  }
  return true;
};

export type { AtomResult, MatchMode, Pattern };
export { atoms, compile, literalHead, matches, matchText, startsLike };
