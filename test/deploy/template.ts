import { contextFor, PSEUDO, type ResolveContext, resolveValue } from '../../src/deploy/resolve.js';

/** Helpers to read a packaged CloudFormation template in the deploy tests. */

interface Resource {
  Type: string;
  Condition?: string;
  DependsOn?: string | string[];
  Properties: Record<string, unknown>;
}

interface Template {
  Parameters?: Record<
    string,
    { Type?: string; Default?: string; AllowedValues?: string[]; AllowedPattern?: string }
  >;
  Conditions?: Record<string, unknown>;
  Resources: Record<string, Resource>;
  Outputs?: Record<string, unknown>;
}

const resourcesOfType = (template: Template, type: string): [string, Resource][] =>
  Object.entries(template.Resources).filter(([, resource]) => resource.Type === type);

/** Stand-in physical ids and ARNs, as CloudFormation would hand them out. */
const physicalIds = (template: Template) => {
  const refs: Record<string, string> = {};
  const attributes: Record<string, string> = {};
  const { 'AWS::Region': region, 'AWS::AccountId': account } = PSEUDO;
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type === 'AWS::S3::Bucket') {
      const name = `vpce-guard-test-${id.toLowerCase()}-1a2b3c`;
      refs[id] = name;
      attributes[`${id}.Arn`] = `arn:aws:s3:::${name}`;
    } else {
      refs[id] = `${id}-PHYSICAL`;
      attributes[`${id}.Arn`] = `arn:aws:test:${region}:${account}:${id}`;
    }
  }
  return { refs, attributes };
};

/** A resolver for the template with its parameter defaults overridden by `parameters`. */
const resolverFor = (template: Template, parameters: Record<string, string> = {}) => {
  const { refs, attributes } = physicalIds(template);
  const ctx: ResolveContext = contextFor(template, parameters, refs, attributes);
  return <T = unknown>(value: unknown): T => resolveValue(value, ctx) as T;
};

interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: Record<string, Record<string, unknown>>;
}

const actionsOf = (statement: Statement): string[] =>
  Array.isArray(statement.Action) ? statement.Action : [statement.Action];

/** Every statement of a role's inline policies after resolving conditions. */
const roleStatements = (role: Resource, resolve: <T>(value: unknown) => T): Statement[] => {
  const policies = resolve<{ PolicyDocument: { Statement: Statement[] } }[]>(
    role.Properties['Policies'] ?? [],
  );
  return policies.flatMap((policy) => policy.PolicyDocument.Statement);
};

export type { Resource, Statement, Template };
export { actionsOf, resolverFor, resourcesOfType, roleStatements };
