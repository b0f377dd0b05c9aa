import { readFile } from 'node:fs/promises';
import { parse as parseYaml } from 'yaml';
import { SuppressionsError } from '../errors.js';
import { isRecord } from '../util/json.js';

/**
 * Accepted risks: an evaluation matching an active entry is reported `suppressed` (with the reason
 * and end date), sends no alert and does not fail the CLI. AWS Config keeps the true verdict.
 *
 * File format (JSON or YAML): a list of entries, or `{ suppressions: [...] }`.
 * - `ruleId`: a rule id of the catalogue, or a glob (`*`) over rule ids.
 * - `resource`: a glob over the resource id (`*` any run of characters, `/` and `:` included; `?` one
 *   character); case-sensitive, like resource ids.
 * - `account`, `region`: optional; exact or glob. Absent means every account / region.
 * - `reason`: why the risk is accepted (required, shown in every report).
 * - `expires`: `YYYY-MM-DD` (suppresses through the end of that day, UTC) or an ISO 8601 time with a
 *   zone. Required: an accepted risk without an end date is a forgotten one.
 * - `owner`: optional, who accepted it.
 */
interface Suppression {
  ruleId: string;
  resource: string;
  account?: string | undefined;
  region?: string | undefined;
  reason: string;
  /** As written in the file. */
  expires: string;
  /** The first instant the entry no longer suppresses. */
  expiresAt: Date;
  owner?: string | undefined;
  /** Position in the file (0-based), for messages and reports. */
  index: number;
}

/** What a suppression is matched against: one evaluation. */
interface SuppressionTarget {
  ruleId: string;
  resourceId: string;
  accountId?: string | undefined;
  region?: string | undefined;
}

/** What reports and alerts carry on a suppressed evaluation. */
interface SuppressionMark {
  reason: string;
  expires: string;
  owner?: string | undefined;
  /** Index of the entry in the suppressions file. */
  entry: number;
}

interface SuppressionUsage {
  suppression: Suppression;
  /** Evaluations the entry matched (for expired entries: would have matched). */
  matched: number;
}

/** Object keys the deployed functions read the suppressions file from, first found wins. */
const SUPPRESSIONS_KEYS = ['suppressions.yaml', 'suppressions.yml', 'suppressions.json'] as const;

const FIELDS = new Set(['ruleId', 'resource', 'account', 'region', 'reason', 'expires', 'owner']);
const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/;
const hasWildcard = (pattern: string): boolean => /[*?]/.test(pattern);

const globCache = new Map<string, RegExp>();
/** `*` any run of characters, `?` exactly one; everything else literal. */
const globToRegExp = (pattern: string): RegExp => {
  let regex = globCache.get(pattern);
  if (!regex) {
    const body = pattern
      .split('')
      .map((char) => {
        if (char === '*') return '.*';
        if (char === '?') return '.';
        return char.replace(/[\\^$.|+()[\]{}]/g, '\\$&');
      })
      .join('');
    regex = new RegExp(`^${body}$`, 's');
    globCache.set(pattern, regex);
  }
  return regex;
};

const globMatches = (pattern: string, value: string): boolean => globToRegExp(pattern).test(value);

/** Calendar-checked: `2026-02-30` is refused rather than rolled over to March. */
const validDay = (year: string, month: string, day: string): boolean => {
  const date = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return (
    date.getUTCFullYear() === Number(year) &&
    date.getUTCMonth() === Number(month) - 1 &&
    date.getUTCDate() === Number(day)
  );
};

const parseExpiry = (value: string): Date | undefined => {
  const dateOnly = DATE_ONLY.exec(value);
  if (dateOnly) {
    const [, year, month, day] = dateOnly as unknown as [string, string, string, string];
    if (!validDay(year, month, day)) return undefined;
    // The whole named day is included: the entry stops at the next midnight UTC.
    return new Date(Date.UTC(Number(year), Number(month) - 1, Number(day) + 1));
  }
  const dateTime = DATE_TIME.exec(value);
  if (!dateTime) return undefined;
  const [, year, month, day] = dateTime as unknown as [string, string, string, string];
  if (!validDay(year, month, day)) return undefined;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? undefined : time;
};

interface ParseOptions {
  /** Rule ids of the catalogue: a literal `ruleId` outside it is a typo and refused. */
  knownRuleIds?: readonly string[] | undefined;
}

const describeEntry = (raw: Record<string, unknown>, index: number): string =>
  `entry ${index + 1}${typeof raw.ruleId === 'string' ? ` (${raw.ruleId})` : ''}`;

const validateEntry = (
  raw: unknown,
  index: number,
  options: ParseOptions,
): { suppression?: Suppression; problems: string[] } => {
  if (!isRecord(raw)) return { problems: [`entry ${index + 1}: must be an object`] };
  const where = describeEntry(raw, index);
  const problems: string[] = [];
  for (const key of Object.keys(raw)) {
    if (!FIELDS.has(key)) {
      problems.push(`${where}: unknown field "${key}" (allowed: ${[...FIELDS].join(', ')})`);
    }
  }
  const text = (field: string, required: boolean): string | undefined => {
    const value = raw[field];
    if (value === undefined || value === null) {
      if (required) problems.push(`${where}: "${field}" is required`);
      return undefined;
    }
    if (typeof value !== 'string' || value.trim() === '') {
      problems.push(`${where}: "${field}" must be a non-empty string`);
      return undefined;
    }
    return value.trim();
  };
  const ruleId = text('ruleId', true);
  const resource = text('resource', true);
  const reason = text('reason', true);
  const owner = text('owner', false);
  const region = text('region', false);
  // YAML reads an unquoted account id as a number (and drops leading zeros): restore the 12 digits.
  const rawAccount = raw.account;
  const account =
    typeof rawAccount === 'number' && Number.isSafeInteger(rawAccount) && rawAccount >= 0
      ? String(rawAccount).padStart(12, '0')
      : text('account', false);
  let expires: string | undefined;
  let expiresAt: Date | undefined;
  if (raw.expires instanceof Date) {
    // Only a custom YAML schema yields Date objects; keep the instant it names.
    expiresAt = raw.expires;
    expires = raw.expires.toISOString();
  } else {
    expires = text('expires', true);
    if (expires !== undefined) {
      expiresAt = parseExpiry(expires);
      if (!expiresAt) {
        problems.push(
          `${where}: "expires" must be a date YYYY-MM-DD or an ISO 8601 time with a zone (e.g. 2026-12-31T17:00:00Z), got "${expires}"`,
        );
      }
    }
  }
  if (ruleId && !hasWildcard(ruleId) && options.knownRuleIds) {
    if (!options.knownRuleIds.includes(ruleId)) {
      const stripped = ruleId.replace(/^(OrgConfigRule-)?vpce-guard-/, '');
      const hint = options.knownRuleIds.includes(stripped)
        ? ` (use the rule id "${stripped}", not the Config rule name)`
        : ` (known: ${options.knownRuleIds.join(', ')})`;
      problems.push(`${where}: unknown ruleId "${ruleId}"${hint}`);
    }
  }
  if (account !== undefined && !hasWildcard(account) && !/^\d{12}$/.test(account)) {
    problems.push(`${where}: "account" must be a 12-digit account id or a glob, got "${account}"`);
  }
  if (region !== undefined && !/^[a-z0-9*?-]+$/.test(region)) {
    problems.push(`${where}: "region" must be a region name such as eu-west-1, got "${region}"`);
  }
  if (problems.length > 0 || !ruleId || !resource || !reason || !expires || !expiresAt) {
    return { problems };
  }
  return {
    problems,
    suppression: { ruleId, resource, account, region, reason, expires, expiresAt, owner, index },
  };
};

/**
 * Parses and validates a suppressions document. `source` names it in messages; a name ending in
 * `.json` is read as strict JSON, anything else as YAML (which also accepts JSON). Every problem
 * of every entry is reported at once in one SuppressionsError.
 */
const parseSuppressions = (
  text: string,
  source: string,
  options: ParseOptions = {},
): Suppression[] => {
  let document: unknown;
  try {
    document = source.toLowerCase().endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (error) {
    throw new SuppressionsError(
      `suppressions file ${source} is not valid ${source.toLowerCase().endsWith('.json') ? 'JSON' : 'YAML'}: ${(error as Error).message}`,
      [],
      { cause: error },
    );
  }
  // An empty file means no accepted risks.
  if (document === null || document === undefined) return [];
  const list = isRecord(document) ? document.suppressions : document;
  if (isRecord(document) && Object.keys(document).some((key) => key !== 'suppressions')) {
    throw new SuppressionsError(
      `suppressions file ${source} must be a list of entries or an object with only "suppressions"`,
    );
  }
  if (!Array.isArray(list)) {
    throw new SuppressionsError(
      `suppressions file ${source} must be a list of entries or { suppressions: [...] }`,
    );
  }
  const suppressions: Suppression[] = [];
  const problems: string[] = [];
  list.forEach((raw, index) => {
    const result = validateEntry(raw, index, options);
    problems.push(...result.problems);
    if (result.suppression) suppressions.push(result.suppression);
  });
  if (problems.length > 0) {
    throw new SuppressionsError(
      `suppressions file ${source} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n  ${problems.join('\n  ')}`,
      problems,
    );
  }
  return suppressions;
};

/** Reads `path` (JSON or YAML by extension) and validates it. */
const loadSuppressions = async (path: string, options: ParseOptions = {}) => {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new SuppressionsError(
      `cannot read suppressions file ${path}: ${(error as Error).message}`,
      [],
      { cause: error },
    );
  }
  return parseSuppressions(text, path, options);
};

const isExpired = (suppression: Suppression, now: Date): boolean =>
  now.getTime() >= suppression.expiresAt.getTime();

/** Whether the entry names this evaluation, ignoring expiry. Absent account/region match all. */
const covers = (suppression: Suppression, target: SuppressionTarget): boolean =>
  globMatches(suppression.ruleId, target.ruleId) &&
  globMatches(suppression.resource, target.resourceId) &&
  (suppression.account === undefined ||
    (target.accountId !== undefined && globMatches(suppression.account, target.accountId))) &&
  (suppression.region === undefined ||
    (target.region !== undefined && globMatches(suppression.region, target.region)));

const markOf = (suppression: Suppression): SuppressionMark => ({
  reason: suppression.reason,
  expires: suppression.expires,
  ...(suppression.owner ? { owner: suppression.owner } : {}),
  entry: suppression.index,
});

/**
 * Matches evaluations against a fixed set of entries at one instant and remembers which entries
 * were used, so a run can list expired and unused ones at the end.
 *
 * @example
 * const matcher = new SuppressionMatcher(await loadSuppressions('suppressions.yaml'), new Date());
 * const mark = matcher.match({ ruleId, resourceId, accountId, region });
 * const { expired, unused } = matcher.usage();
 */
class SuppressionMatcher {
  readonly #entries: readonly Suppression[];
  readonly #now: Date;
  readonly #matched: number[];

  constructor(entries: readonly Suppression[], now: Date) {
    this.#entries = entries;
    this.#now = now;
    this.#matched = entries.map(() => 0);
  }

  /** The first active entry covering the target (file order), or undefined. */
  match(target: SuppressionTarget): SuppressionMark | undefined {
    let found: Suppression | undefined;
    this.#entries.forEach((entry, position) => {
      if (!covers(entry, target)) return;
      // Expired entries are counted too, so the expired list says what they would still hide.
      this.#matched[position] = (this.#matched[position] ?? 0) + 1;
      if (!found && !isExpired(entry, this.#now)) found = entry;
    });
    return found ? markOf(found) : undefined;
  }

  /** Expired entries (they no longer suppress) and active entries that matched nothing. */
  usage(): { expired: SuppressionUsage[]; unused: SuppressionUsage[]; active: SuppressionUsage[] } {
    const all = this.#entries.map((suppression, position) => ({
      suppression,
      matched: this.#matched[position] ?? 0,
    }));
    const expired = all.filter((use) => isExpired(use.suppression, this.#now));
    const live = all.filter((use) => !isExpired(use.suppression, this.#now));
    return {
      expired,
      unused: live.filter((use) => use.matched === 0),
      active: live.filter((use) => use.matched > 0),
    };
  }
}

export type { ParseOptions, Suppression, SuppressionMark, SuppressionTarget, SuppressionUsage };
export {
  covers,
  globMatches,
  isExpired,
  loadSuppressions,
  parseSuppressions,
  SUPPRESSIONS_KEYS,
  SuppressionMatcher,
};
