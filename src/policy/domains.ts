import { parseCidr } from '../network/cidr.js';
import { atoms, compile, type Pattern } from './automata.js';
import { hasVariable, OPAQUE } from './condition.js';
import type { ConditionEntry } from './document.js';
import type { KeyFacts } from './keys.js';

/**
 * The representative values of one condition key: one per class of values on which every entry
 * naming the key answers alike, plus "absent" where the key can be missing. A class is exact for
 * strings and ARNs (glob languages), IP addresses (CIDR intervals, IPv4 and IPv6) and booleans;
 * numbers and dates get one opaque value the condition evaluator answers "unknown" for.
 */

type KeyValue = readonly string[] | null;

interface KeyDomain {
  values: KeyValue[];
  /** False when the class search was bounded: conditions on the key are then undecidable. */
  complete: boolean;
}

const formatIp = (value: bigint, version: 4 | 6): string => {
  if (version === 4) {
    return [24n, 16n, 8n, 0n].map((shift) => String((value >> shift) & 255n)).join('.');
  }
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) {
    groups.push(((value >> shift) & 0xffffn).toString(16));
  }
  return groups.join(':');
};

/**
 * One address per interval between the blocks' boundaries (IpAddress/NotIpAddress hold alike
 * within one), seeds first: an address outside every block is the documentation range.
 */
const ipAtoms = (cidrs: readonly string[], seeds: readonly string[]): string[] => {
  const result: string[] = [];
  for (const version of [4, 6] as const) {
    const bits = version === 4 ? 32n : 128n;
    const top = 1n << bits;
    const cuts = new Set<bigint>([0n]);
    for (const text of cidrs) {
      const cidr = parseCidr(text);
      if (cidr === undefined || cidr.version !== version) continue;
      cuts.add(cidr.network);
      const end = cidr.network + (1n << (bits - BigInt(cidr.prefix)));
      if (end < top) cuts.add(end);
    }
    const sorted = [...cuts].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
    const seedValues = seeds
      .map((seed) => parseCidr(seed))
      .filter((cidr) => cidr?.version === version)
      .map((cidr) => cidr?.network as bigint);
    sorted.forEach((start, index) => {
      const end = sorted[index + 1] ?? top;
      const seed = seedValues.find((value) => value >= start && value < end);
      result.push(formatIp(seed ?? start, version));
    });
  }
  return result;
};

const modeOf = (
  entry: ConditionEntry,
): { mode: 'literal' | 'glob' | 'arn'; ignoreCase: boolean } | undefined => {
  switch (entry.base) {
    case 'StringEquals':
    case 'StringNotEquals':
    case 'BinaryEquals':
      return { mode: 'literal', ignoreCase: false };
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
    case 'Bool':
      return { mode: 'literal', ignoreCase: true };
    case 'StringLike':
    case 'StringNotLike':
      return { mode: 'glob', ignoreCase: false };
    case 'ArnEquals':
    case 'ArnLike':
    case 'ArnNotEquals':
    case 'ArnNotLike':
      return { mode: 'arn', ignoreCase: false };
    default:
      return undefined;
  }
};

/** The languages an entry's values name, as compiled patterns (variables name none). */
const entryPatterns = (entry: ConditionEntry, variables: boolean): Pattern[] => {
  const mode = modeOf(entry);
  if (mode === undefined) return [];
  return entry.values
    .filter((value) => !hasVariable(value, variables))
    .map((value) => compile(value, mode.mode, mode.ignoreCase))
    .filter((pattern): pattern is Pattern => pattern !== undefined);
};

const MULTI_ATOM_LIMIT = 6;

/** Every non-empty set of atoms: what ForAnyValue/ForAllValues can tell apart. */
const subsets = (values: readonly string[]): string[][] => {
  const result: string[][] = [];
  for (let mask = 1; mask < 1 << values.length; mask += 1) {
    result.push(values.filter((_, index) => (mask >> index) & 1));
  }
  return result.sort((a, b) => a.length - b.length);
};

/**
 * Whether AWS can issue a class's value. A value equal to a pattern without wildcards (a literal
 * `vpce-*` under StringNotEquals) is a class of its own; when it has not the key's form, no
 * request carries it. Other classes hold more values than the one shown, so they stay.
 */
const issuable = (facts: KeyFacts, patterns: readonly Pattern[], value: string): boolean => {
  if (facts.format === undefined || facts.format.test(value)) return true;
  const literalMatch = patterns.some(
    (pattern) =>
      pattern.tokens.every((token) => token.kind === 'char') &&
      pattern.tokens.map((token) => (token.kind === 'char' ? token.char : '')).join('') === value,
  );
  return !literalMatch;
};

const keyDomain = (
  facts: KeyFacts,
  entries: readonly ConditionEntry[],
  variables: boolean,
  seeds: readonly string[],
): KeyDomain => {
  const absent: KeyValue[] = facts.alwaysPresent ? [] : [null];
  switch (facts.type) {
    case 'bool':
      return { values: [['true'], ['false'], ...absent], complete: true };
    case 'numeric':
    case 'date':
      return { values: [[OPAQUE], ...absent], complete: true };
    case 'ip': {
      const cidrs = entries
        .filter((entry) => entry.base === 'IpAddress' || entry.base === 'NotIpAddress')
        .flatMap((entry) => entry.values);
      const values = ipAtoms(cidrs, seeds).map((ip) => [ip]);
      return { values: [...values, ...absent], complete: true };
    }
    default: {
      const patterns = entries.flatMap((entry) => entryPatterns(entry, variables));
      const known = seeds.length > 0 ? seeds : ['example'];
      // Complete a short witness with a seed's tail: "vpce-0a" becomes a realistic endpoint id.
      // An organization path keeps the witness's organization and takes the seed's root and OUs.
      const candidates = (witness: string) => [
        ...known
          .filter((seed) => seed.includes('/'))
          .map((seed) => `${witness.split('/')[0]}${seed.slice(seed.indexOf('/'))}`),
        ...known.map((seed) => witness + seed.slice(witness.length)),
      ];
      const shape = facts.shape === undefined ? [] : [compile(facts.shape, 'glob') as Pattern];
      const found = atoms(patterns, shape, known, candidates, facts.lowercase ?? false);
      const values = found.values.filter((value) => issuable(facts, patterns, value));
      if (!facts.multi || facts.onePath) {
        return {
          values: [...values.map((value) => [value]), ...absent],
          complete: found.complete,
        };
      }
      const complete = found.complete && values.length <= MULTI_ATOM_LIMIT;
      const sets = subsets(values.slice(0, MULTI_ATOM_LIMIT));
      return { values: [...sets, ...absent], complete };
    }
  }
};

export type { KeyDomain, KeyValue };
export { entryPatterns, keyDomain, modeOf };
