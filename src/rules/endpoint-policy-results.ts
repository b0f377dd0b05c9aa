import type { Counterexample } from '../model/compliance.js';
import type { PolicyDocument } from '../policy/document.js';
import type { Rename } from '../policy/identifiers.js';
import {
  type EndpointFacts,
  type PerimeterResult,
  type Trust,
  trustOf,
} from '../policy/perimeter.js';
import { restoreText } from '../policy/restore.js';

/**
 * What vpc-endpoint-policy-restricted keeps per parsed endpoint policy (whether endpoints may share
 * its analysis, its trust, its result keys), and how a shared analysis, made with placeholder ids,
 * gets each endpoint's own ids back.
 */

const ENDPOINT_PLACEHOLDER = 'vpce-1f1f1f1f1f1f1f1f1';
const VPC_PLACEHOLDER = 'vpc-1f1f1f1f1f1f1f1f1';

const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((value, index) => value === b[index]);

/**
 * What perimeterOf derives from the policy alone (and the trust parameters): the same for every
 * endpoint of a template, and gone with the parsed policy.
 */
interface PolicyFacts {
  /** The policy names neither aws:SourceVpc(e) nor anything like the placeholders. */
  shared: boolean;
  /** `trustOf` under the last parameters seen (copied, so a later change of them misses). */
  trust?: { accounts: readonly string[]; orgs: readonly string[]; trust: Trust; json: string };
  /** The last text seen with this policy, as JSON (part of the result key). */
  text?: { text: string; json: string };
  /**
   * Result keys built for this policy, by the JSON of the endpoint facts and the trust (under the
   * text above): a key is written once, and its hash is then known.
   */
  keys: Map<string, string>;
}

/** Result keys kept per policy: a policy of endpoint-specific keys keeps only its latest. */
const KEYS_PER_POLICY = 64;

const policyFacts = new WeakMap<PolicyDocument, PolicyFacts>();

const factsOfPolicy = (policy: PolicyDocument): PolicyFacts => {
  let facts = policyFacts.get(policy);
  if (facts === undefined) {
    facts = {
      shared: !/sourcevpc|vpce-1f1f1f|vpc-1f1f1f/i.test(JSON.stringify(policy.statements)),
      keys: new Map(),
    };
    policyFacts.set(policy, facts);
  }
  return facts;
};

const cachedTrust = (
  facts: PolicyFacts,
  policy: PolicyDocument,
  accounts: readonly string[],
  orgs: readonly string[],
) => {
  const known = facts.trust;
  if (known && sameList(known.accounts, accounts) && sameList(known.orgs, orgs)) return known;
  const trust = trustOf(policy, accounts, orgs);
  facts.trust = { accounts: [...accounts], orgs: [...orgs], trust, json: JSON.stringify(trust) };
  return facts.trust;
};

/** JSON.stringify([text, analysed, trust]), with the policy's parts written once. */
const resultKey = (
  facts: PolicyFacts,
  text: string,
  analysed: EndpointFacts,
  trustJson: string,
): string => {
  if (facts.text?.text !== text) {
    facts.text = { text, json: JSON.stringify(text) };
    facts.keys.clear();
  }
  const local = `${JSON.stringify(analysed)},${trustJson}`;
  let key = facts.keys.get(local);
  if (key === undefined) {
    key = `[${facts.text.json},${local}]`;
    if (facts.keys.size >= KEYS_PER_POLICY) facts.keys.clear();
    facts.keys.set(local, key);
  }
  return key;
};

// Both placeholders hold it; a string without it has nothing to restore.
const PLACEHOLDER_CORE = '-1f1f1f1f1f1f1f1f1';

/** A character JSON.stringify writes escaped: quote, backslash, control or surrogate. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds.
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * A string as restoring the result's JSON text would leave it: the string's own JSON is restored,
 * so a placeholder next to an escape (`\n`) is treated exactly as it was within the whole text.
 */
const restoredString = (value: string, renames: readonly Rename[]): string => {
  if (!value.includes(PLACEHOLDER_CORE)) return value;
  // Where neither the string nor an original holds a character JSON escapes, the string's JSON
  // is the string in quotes (no placeholder boundary tells those from the string's ends): the
  // text way gives the same string.
  if (!NEEDS_ESCAPE.test(value) && renames.every((rename) => !NEEDS_ESCAPE.test(rename.original))) {
    return restoreText(value, renames);
  }
  return JSON.parse(restoreText(JSON.stringify(value), jsonRenames(renames))) as string;
};

/**
 * The renames with their originals written as JSON string content: put into JSON text, an id
 * holding a quote or a backslash (a snapshot is untrusted input) must not end the string.
 */
const jsonRenames = (renames: readonly Rename[]): Rename[] =>
  renames.map((rename) => ({ ...rename, original: JSON.stringify(rename.original).slice(1, -1) }));

/**
 * `JSON.parse(restoreText(JSON.stringify(value), renames))` without writing the text: the same
 * plain data, with every string (keys too) restored. Anything but plain data goes the text way.
 */
const restoredCopy = (value: unknown, renames: readonly Rename[]): unknown => {
  if (typeof value === 'string') return restoredString(value, renames);
  if (typeof value === 'number') return Number.isFinite(value) ? value : null;
  if (value === null || value === undefined || typeof value === 'boolean') return value;
  if (Array.isArray(value)) {
    return value.map((item) =>
      item === undefined || typeof item === 'function' || typeof item === 'symbol'
        ? null
        : restoredCopy(item, renames),
    );
  }
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const copy: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      const item = (value as Record<string, unknown>)[key];
      if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
      const name = restoredString(key, renames);
      const restored = restoredCopy(item, renames);
      if (name === '__proto__') {
        Object.defineProperty(copy, name, {
          value: restored,
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else copy[name] = restored;
    }
    return copy;
  }
  return JSON.parse(restoreText(JSON.stringify(value), jsonRenames(renames))) as unknown;
};

/**
 * The shared result with the endpoint's own ids. A Deny's statement and condition entry come from
 * the policy, which spells no placeholder (or it would not be shared): they are kept as they are.
 */
const restoredResult = (result: PerimeterResult, renames: readonly Rename[]): PerimeterResult => ({
  compliant: result.compliant,
  escapes: result.escapes.map((found) => ({
    counterexample: restoredCopy(found.counterexample, renames) as Counterexample,
    allowedBy: found.allowedBy.map((label) => restoredString(label, renames)),
    misses: found.misses.map((miss) => ({ ...miss, text: restoredString(miss.text, renames) })),
  })),
  undecided: result.undecided.map((reason) => restoredString(reason, renames)),
  allowsAnything: result.allowsAnything,
});

export type { PolicyFacts };
export {
  cachedTrust,
  ENDPOINT_PLACEHOLDER,
  factsOfPolicy,
  restoredCopy,
  restoredResult,
  resultKey,
  VPC_PLACEHOLDER,
};
