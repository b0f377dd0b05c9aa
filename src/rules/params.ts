import { InvalidParametersError } from '../errors.js';
import { isRecord } from '../util/json.js';

/**
 * A declarative parameter schema. AWS Config delivers `InputParameters` as strings (lists as
 * comma-separated values), the CLI `--params` file may use real JSON types; both parse here, once,
 * before any evaluation.
 */
interface SpecCommon {
  description: string;
  /** Another parameter that must be set whenever this one is (a tag value needs its key). */
  requires?: string;
}

type ParamSpec =
  | (SpecCommon & {
      type: 'list';
      default?: readonly string[];
      pattern?: RegExp;
      /** A check beyond the pattern, per item; returns what is wrong, or undefined. */
      validate?: (item: string) => string | undefined;
    })
  | (SpecCommon & {
      type: 'string';
      default?: string;
      pattern?: RegExp;
      validate?: (value: string) => string | undefined;
    })
  | (SpecCommon & { type: 'boolean'; default?: boolean })
  | (SpecCommon & {
      /** A JSON object of string lists: as is in `--params`, as its JSON text in InputParameters. */
      type: 'object';
      /** Object parameters describe their default in words (it may depend on the resource). */
      default?: never;
      /** Checks the parsed object; returns what is wrong, or undefined. */
      validate?: (value: Record<string, string[]>) => string | undefined;
    });

type ParamSchema = Record<string, ParamSpec>;

/** Parameters that were renamed: the old name's error names the replacement. */
const RENAMED: Record<string, string> = {
  exemptionConditionKeys:
    'exemptionConditionKeys was replaced by exemptions, an object from condition key to accepted values, e.g. {"aws:PrincipalArn": ["arn:aws:iam::111122223333:role/BreakGlass"]} (in InputParameters, its JSON text); see docs/rules.md',
};

type ParamValue<S extends ParamSpec> = S extends { type: 'list' }
  ? string[]
  : S extends { type: 'object' }
    ? Record<string, string[]> | undefined
    : S extends { type: 'boolean' }
      ? boolean
      : S extends { type: 'string'; default: string }
        ? string
        : string | undefined;

type ParamsOf<S extends ParamSchema> = { [K in keyof S]: ParamValue<S[K]> };

const splitList = (raw: unknown, ruleId: string, name: string): string[] => {
  const items = Array.isArray(raw)
    ? raw.map((item) => {
        if (typeof item !== 'string') {
          throw new InvalidParametersError(ruleId, `${name} must be a list of strings`);
        }
        return item;
      })
    : typeof raw === 'string'
      ? raw.split(',')
      : undefined;
  if (!items) {
    throw new InvalidParametersError(ruleId, `${name} must be a comma-separated string`);
  }
  return items.map((item) => item.trim()).filter((item) => item.length > 0);
};

const parseBoolean = (raw: unknown, ruleId: string, name: string): boolean => {
  if (typeof raw === 'boolean') return raw;
  if (typeof raw === 'string' && /^(true|false)$/i.test(raw.trim())) {
    return raw.trim().toLowerCase() === 'true';
  }
  throw new InvalidParametersError(
    ruleId,
    `${name} must be "true" or "false", got ${JSON.stringify(raw)}`,
  );
};

/**
 * An object of string lists, given as an object (`--params`) or as its JSON text (Config
 * InputParameters carry strings only). A single string value stands for a one-item list.
 */
const parseObject = (raw: unknown, ruleId: string, name: string): Record<string, string[]> => {
  let value = raw;
  if (typeof raw === 'string') {
    try {
      value = JSON.parse(raw);
    } catch (error) {
      throw new InvalidParametersError(ruleId, `${name} must be a JSON object, got ${raw}`, {
        cause: error,
      });
    }
  }
  if (!isRecord(value)) {
    throw new InvalidParametersError(ruleId, `${name} must be a JSON object of string lists`);
  }
  const result: Record<string, string[]> = {};
  for (const [key, entry] of Object.entries(value)) {
    const items = Array.isArray(entry) ? entry : [entry];
    if (items.length === 0 || items.some((item) => typeof item !== 'string' || item === '')) {
      throw new InvalidParametersError(
        ruleId,
        `${name}.${key} must be a non-empty string or list of non-empty strings`,
      );
    }
    result[key] = items as string[];
  }
  return result;
};

/**
 * Validates raw parameters against a schema. Unknown names are rejected (a typo in
 * `InputParameters` would otherwise silently widen a rule's scope), empty strings mean "unset".
 */
const parseParams = <S extends ParamSchema>(
  ruleId: string,
  schema: S,
  raw: Record<string, unknown> | undefined,
): ParamsOf<S> => {
  const input = raw ?? {};
  const renamed = Object.keys(input).find((key) => !(key in schema) && key in RENAMED);
  if (renamed !== undefined) throw new InvalidParametersError(ruleId, RENAMED[renamed] as string);
  const unknown = Object.keys(input).filter((key) => !(key in schema));
  if (unknown.length > 0) {
    const known = Object.keys(schema);
    throw new InvalidParametersError(
      ruleId,
      `unknown parameter(s) ${unknown.join(', ')}; this rule accepts ${known.length > 0 ? known.join(', ') : 'no parameters'}`,
    );
  }
  const result: Record<string, unknown> = {};
  for (const [name, spec] of Object.entries(schema)) {
    const value = input[name];
    const unset = value === undefined || value === null || value === '';
    if (spec.type === 'list') {
      const items = unset ? [...(spec.default ?? [])] : splitList(value, ruleId, name);
      const bad = spec.pattern ? items.filter((item) => !spec.pattern?.test(item)) : [];
      if (bad.length > 0) {
        throw new InvalidParametersError(ruleId, `${name} has invalid value(s): ${bad.join(', ')}`);
      }
      for (const item of items) {
        const problem = spec.validate?.(item);
        if (problem) throw new InvalidParametersError(ruleId, `${name} value ${item}: ${problem}`);
      }
      result[name] = items;
    } else if (spec.type === 'object') {
      const parsed = unset ? undefined : parseObject(value, ruleId, name);
      const problem = parsed === undefined ? undefined : spec.validate?.(parsed);
      if (problem) throw new InvalidParametersError(ruleId, `${name}: ${problem}`);
      result[name] = parsed;
    } else if (spec.type === 'boolean') {
      result[name] = unset ? (spec.default ?? false) : parseBoolean(value, ruleId, name);
    } else {
      if (!unset && typeof value !== 'string') {
        throw new InvalidParametersError(ruleId, `${name} must be a string`);
      }
      const text = unset ? spec.default : (value as string).trim();
      if (text !== undefined && spec.pattern && !spec.pattern.test(text)) {
        throw new InvalidParametersError(ruleId, `${name} has an invalid value: ${text}`);
      }
      const problem = text === undefined ? undefined : spec.validate?.(text);
      if (problem) throw new InvalidParametersError(ruleId, `${name} value ${text}: ${problem}`);
      result[name] = text;
    }
  }
  for (const [name, spec] of Object.entries(schema)) {
    const isSet = (key: string) => {
      const value = result[key];
      if (Array.isArray(value)) return value.length > 0;
      return value !== undefined && value !== false;
    };
    if (spec.requires && isSet(name) && !isSet(spec.requires)) {
      throw new InvalidParametersError(ruleId, `${name} needs ${spec.requires}`);
    }
  }
  return result as ParamsOf<S>;
};

/** Parses the `ruleParameters` JSON string of a Config event (absent or empty means none). */
const parseRuleParametersJson = (
  ruleId: string,
  json: string | undefined,
): Record<string, unknown> => {
  if (json === undefined || json.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch (error) {
    throw new InvalidParametersError(ruleId, 'ruleParameters is not valid JSON', { cause: error });
  }
  if (!isRecord(parsed)) {
    throw new InvalidParametersError(ruleId, 'ruleParameters must be a JSON object');
  }
  return parsed as Record<string, unknown>;
};

export type { ParamSchema, ParamSpec, ParamsOf };
export { parseParams, parseRuleParametersJson };
