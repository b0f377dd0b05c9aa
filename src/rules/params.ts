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
  | (SpecCommon & { type: 'boolean'; default?: boolean });

type ParamSchema = Record<string, ParamSpec>;

type ParamValue<S extends ParamSpec> = S extends { type: 'list' }
  ? string[]
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
 * Validates raw parameters against a schema. Unknown names are rejected (a typo in
 * `InputParameters` would otherwise silently widen a rule's scope), empty strings mean "unset".
 */
const parseParams = <S extends ParamSchema>(
  ruleId: string,
  schema: S,
  raw: Record<string, unknown> | undefined,
): ParamsOf<S> => {
  const input = raw ?? {};
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
      return Array.isArray(value) ? value.length > 0 : value !== undefined && value !== false;
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
