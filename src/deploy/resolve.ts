import { DeploymentConfigError } from '../errors.js';
import { isRecord } from '../util/json.js';

/**
 * Resolves the intrinsic functions of a CloudFormation template for one set of parameter values,
 * the way CloudFormation would, so tests can judge the policies the stack will really carry (for
 * example run vpce-guard's own bucket-policy rules over the report bucket's policy).
 */

interface ResolveContext {
  parameters: Record<string, string | string[]>;
  /** Physical ids (`Ref`) of resources. */
  refs: Record<string, string>;
  /** `Fn::GetAtt` values, keyed `LogicalId.Attribute`. */
  attributes: Record<string, string>;
  conditions: Record<string, boolean>;
}

const NO_VALUE = Symbol('AWS::NoValue');

const PSEUDO: Record<string, string> = {
  'AWS::AccountId': '111122223333',
  'AWS::Region': 'us-east-1',
  'AWS::Partition': 'aws',
  'AWS::StackName': 'vpce-guard-test',
  'AWS::URLSuffix': 'amazonaws.com',
};

const unresolved = (what: string): never => {
  throw new DeploymentConfigError(`Cannot resolve ${what}`);
};

const lookupRef = (name: string, ctx: ResolveContext): unknown => {
  if (name === 'AWS::NoValue') return NO_VALUE;
  return PSEUDO[name] ?? ctx.parameters[name] ?? ctx.refs[name] ?? unresolved(`Ref ${name}`);
};

const lookupAttribute = (name: string, ctx: ResolveContext): string =>
  ctx.attributes[name] ?? unresolved(`Fn::GetAtt ${name}`);

const substitute = (
  text: string,
  variables: Record<string, unknown>,
  ctx: ResolveContext,
): string =>
  text.replace(/\$\{([^}!][^}]*)\}/g, (_match, name: string) => {
    if (name in variables) return String(variables[name]);
    if (name.includes('.') && !name.startsWith('AWS::')) return lookupAttribute(name, ctx);
    return String(lookupRef(name, ctx));
  });

const resolveFunction = (key: string, argument: unknown, ctx: ResolveContext): unknown => {
  const args = Array.isArray(argument) ? argument : [argument];
  switch (key) {
    case 'Ref':
      return lookupRef(String(argument), ctx);
    case 'Fn::GetAtt':
      return lookupAttribute(Array.isArray(argument) ? argument.join('.') : String(argument), ctx);
    case 'Fn::Sub': {
      const [text, variables] = typeof argument === 'string' ? [argument, {}] : args;
      const resolvedVariables = resolveValue(variables ?? {}, ctx) as Record<string, unknown>;
      return substitute(String(text), resolvedVariables, ctx);
    }
    case 'Fn::Join': {
      const [delimiter, items] = args;
      return (resolveValue(items, ctx) as unknown[]).join(String(delimiter));
    }
    case 'Fn::Split': {
      const [delimiter, text] = args;
      return String(resolveValue(text, ctx)).split(String(delimiter));
    }
    case 'Fn::If': {
      const [condition, then, otherwise] = args;
      const value = ctx.conditions[String(condition)];
      if (value === undefined) return unresolved(`condition ${String(condition)}`);
      return resolveValue(value ? then : otherwise, ctx);
    }
    case 'Fn::Equals': {
      const [left, right] = args.map((item) => JSON.stringify(resolveValue(item, ctx)));
      return left === right;
    }
    case 'Fn::Not':
      return !resolveValue(args[0], ctx);
    case 'Fn::And':
      return args.every((item) => resolveValue(item, ctx) === true);
    case 'Fn::Or':
      return args.some((item) => resolveValue(item, ctx) === true);
    case 'Condition':
      return ctx.conditions[String(argument)] ?? unresolved(`condition ${String(argument)}`);
    default:
      return unresolved(key);
  }
};

const resolveValue = (value: unknown, ctx: ResolveContext): unknown => {
  if (Array.isArray(value)) {
    return value.map((item) => resolveValue(item, ctx)).filter((item) => item !== NO_VALUE);
  }
  if (!isRecord(value)) return value;
  const keys = Object.keys(value);
  const only = keys[0];
  if (
    keys.length === 1 &&
    only !== undefined &&
    (only === 'Ref' || only.startsWith('Fn::') || only === 'Condition')
  ) {
    return resolveFunction(only, value[only], ctx);
  }
  const result: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) {
    const resolved = resolveValue(item, ctx);
    if (resolved !== NO_VALUE) result[key] = resolved;
  }
  return result;
};

interface TemplateLike {
  Parameters?: Record<string, { Type?: string; Default?: string }>;
  Conditions?: Record<string, unknown>;
}

/**
 * Parameter values (defaults overridden by `overrides`, list parameters split) and the template's
 * conditions evaluated with them.
 */
const contextFor = (
  template: TemplateLike,
  overrides: Record<string, string>,
  refs: Record<string, string> = {},
  attributes: Record<string, string> = {},
): ResolveContext => {
  const parameters: Record<string, string | string[]> = {};
  for (const [name, spec] of Object.entries(template.Parameters ?? {})) {
    const text = overrides[name] ?? spec.Default ?? unresolved(`parameter ${name} (no value)`);
    parameters[name] = spec.Type === 'CommaDelimitedList' ? text.split(',') : text;
  }
  const ctx: ResolveContext = { parameters, refs, attributes, conditions: {} };
  // Conditions may use other conditions; resolve in dependency order by retrying.
  const pending = new Map(Object.entries(template.Conditions ?? {}));
  while (pending.size > 0) {
    const before = pending.size;
    for (const [name, expression] of pending) {
      try {
        ctx.conditions[name] = resolveValue(expression, ctx) === true;
        pending.delete(name);
      } catch {
        // Depends on a condition not evaluated yet.
      }
    }
    if (pending.size === before) unresolved(`conditions ${[...pending.keys()].join(', ')}`);
  }
  return ctx;
};

export type { ResolveContext };
export { contextFor, PSEUDO, resolveValue };
