// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is CloudFormation Fn::Sub syntax, not a mistaken template literal.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  configRuleProblems,
  ORGANIZATION_TRIGGER_TYPES,
  RECORDABLE_TYPES,
} from '../../src/deploy/config-spec.js';
import { ENGINE_IAM_ACTIONS } from '../../src/deploy/engine-actions.js';
import {
  configBootstrapTemplate,
  conformancePackTemplate,
  infraFiles,
  memberRoleTemplate,
  organizationTemplate,
} from '../../src/deploy/infra.js';
import { configRuleNameOf, logicalIdsOf } from '../../src/deploy/naming.js';
import { DEFAULT_EXEMPT_BUCKETS, MEMBER_ROLE_NAME_MAX } from '../../src/deploy/params.js';
import { PREFIX_LIST_TYPE, RESOURCE_TYPES } from '../../src/model/resources.js';
import { wildcardMatch } from '../../src/policy/wildcard.js';
import { RULES, scopeTypesOf } from '../../src/rules/index.js';
import {
  actionsOf,
  resolverFor,
  resourcesOfType,
  type Statement,
  type Template,
} from './template.js';
import { CAN_LINT, CAN_PARSE_YAML, cfnLint, parseYamlWithPython } from './tools.js';

const ROOT = resolve(import.meta.dirname, '../..');
const files = infraFiles(RULES, ENGINE_IAM_ACTIONS);

describe('infra/ templates', () => {
  it('are current with the rule catalogue (run scripts/generate-infra.ts)', () => {
    for (const file of files) {
      expect(readFileSync(join(ROOT, file.path), 'utf8'), file.path).toBe(file.text);
    }
  });

  it('are already in the form Biome formats them to (npm run lint stays clean)', () => {
    const result = spawnSync('npx', ['biome', 'format', ...files.map((file) => file.path)], {
      cwd: ROOT,
      encoding: 'utf8',
    });

    expect(result.status, `${result.stdout}${result.stderr}`).toBe(0);
  });

  it.runIf(CAN_PARSE_YAML)('parse back (with PyYAML) to exactly the generated templates', () => {
    const parsed = parseYamlWithPython(files.map((file) => file.text));

    expect(parsed).toEqual(files.map((file) => JSON.parse(JSON.stringify(file.template))));
  });

  it.runIf(CAN_LINT)('pass cfn-lint with no error or warning', () => {
    const result = cfnLint(...files.map((file) => join(ROOT, file.path)));

    expect([0, 8], result.output).toContain(result.code);
  });

  it.runIf(CAN_LINT)('would fail cfn-lint if a template were broken (the lint really runs)', () => {
    // Prepare: a reference to a resource that does not exist.
    const dir = mkdtempSync(join(tmpdir(), 'vpce-guard-lint-'));
    const broken = join(dir, 'broken.json');
    writeFileSync(
      broken,
      JSON.stringify({
        Resources: {
          Topic: {
            Type: 'AWS::SNS::Topic',
            Properties: { KmsMasterKeyId: { 'Fn::GetAtt': ['Nope', 'Arn'] } },
          },
        },
      }),
    );

    // Act
    const result = cfnLint(broken);

    // Assess
    expect(result.code).toBe(2);
  });
});

describe('organization.yaml', () => {
  const template = organizationTemplate(RULES) as unknown as Template;
  const resolve = resolverFor(template, { Stage: 'prod' });

  it("creates one organization rule per catalogue rule, pointing at that rule's function", () => {
    const rules = resourcesOfType(template, 'AWS::Config::OrganizationConfigRule');

    expect(rules).toHaveLength(RULES.length);
    for (const rule of RULES) {
      const resource = template.Resources[logicalIdsOf(rule).organizationRule];
      const properties = resolve<Record<string, Record<string, unknown>>>(resource?.Properties);
      const metadata = properties['OrganizationCustomRuleMetadata'] ?? {};
      expect(properties['OrganizationConfigRuleName']).toBe(configRuleNameOf(rule));
      expect(metadata['LambdaFunctionArn']).toBe(
        `arn:aws:lambda:us-east-1:111122223333:function:vpce-guard-prod-${rule.id}`,
      );
      expect(metadata['OrganizationConfigRuleTriggerTypes']).toEqual([
        ...ORGANIZATION_TRIGGER_TYPES,
      ]);
      expect(metadata['ResourceTypesScope']).toEqual(scopeTypesOf(rule));
      expect(metadata['MaximumExecutionFrequency']).toBe('TwentyFour_Hours');
      // Only the bucket rules have defaults: the product's own Config delivery buckets are exempt.
      if ('exemptBuckets' in rule.parameters) {
        expect(JSON.parse(String(metadata['InputParameters']))).toEqual({
          exemptBuckets: DEFAULT_EXEMPT_BUCKETS.join(','),
        });
      } else {
        expect(metadata).not.toHaveProperty('InputParameters');
      }
      expect(properties).not.toHaveProperty('ExcludedAccounts');
    }
  });

  it('passes InputParameters as a string and excluded accounts only when given', () => {
    const [rule] = RULES;
    if (!rule) throw new Error('empty catalogue');
    const ids = logicalIdsOf(rule);
    const withValues = resolverFor(template, {
      [ids.inputParameters]: '{"exemptBuckets":"logs-*"}',
      ExcludedAccounts: '444455556666',
    });

    const properties = withValues<Record<string, Record<string, unknown>>>(
      template.Resources[ids.organizationRule]?.Properties,
    );

    expect(properties['OrganizationCustomRuleMetadata']?.['InputParameters']).toBe(
      '{"exemptBuckets":"logs-*"}',
    );
    expect(properties['ExcludedAccounts']).toEqual(['444455556666']);
  });

  it('lets config.amazonaws.com invoke every rule function before the rule exists', () => {
    for (const rule of RULES) {
      const resource = template.Resources[logicalIdsOf(rule).organizationRule];
      const [permissionId] = [resource?.DependsOn ?? []].flat();
      const permission = template.Resources[permissionId ?? ''];
      expect(permission?.Type).toBe('AWS::Lambda::Permission');
      expect(resolve<Record<string, unknown>>(permission?.Properties)).toMatchObject({
        Principal: 'config.amazonaws.com',
        Action: 'lambda:InvokeFunction',
        FunctionName: `arn:aws:lambda:us-east-1:111122223333:function:vpce-guard-prod-${rule.id}`,
      });
    }
  });

  it('aggregates the organization with a role Config may assume', () => {
    const [, aggregator] =
      resourcesOfType(template, 'AWS::Config::ConfigurationAggregator')[0] ?? [];
    const source = aggregator?.Properties['OrganizationAggregationSource'] as Record<
      string,
      unknown
    >;

    expect(source['AllAwsRegions']).toBe(true);
    expect(JSON.stringify(template.Resources)).toContain('AWSConfigRoleForOrganizations');
  });
});

describe('member-role.yaml', () => {
  const template = memberRoleTemplate(RULES, ENGINE_IAM_ACTIONS) as unknown as Template;
  const resolve = resolverFor(template, { AdministratorAccountId: '999988887777' });
  const role = template.Resources['MemberRole'];

  it('is named per region (IAM roles are global), the name the rule functions derive', () => {
    const base = template.Parameters?.['RoleName'];
    const longest = `${'r'.repeat(MEMBER_ROLE_NAME_MAX)}-ap-southeast-5`;

    // Assess
    expect(resolve(role?.Properties['RoleName'])).toBe('vpce-guard-member-us-east-1');
    // The region is part of the name, so each region's stack instance creates its own role.
    expect(role?.Properties['RoleName']).toEqual({ 'Fn::Sub': '${RoleName}-${AWS::Region}' });
    expect(new RegExp(base?.AllowedPattern ?? '').test('r'.repeat(MEMBER_ROLE_NAME_MAX))).toBe(
      true,
    );
    expect(new RegExp(base?.AllowedPattern ?? '').test('r'.repeat(MEMBER_ROLE_NAME_MAX + 1))).toBe(
      false,
    );
    expect(longest.length).toBeLessThanOrEqual(64);
  });

  it('trusts only the rule roles of the administrator account', () => {
    const trust = resolve<{ Statement: Statement[] }>(
      role?.Properties['AssumeRolePolicyDocument'],
    ).Statement;

    expect(trust).toEqual([
      expect.objectContaining({
        Principal: { AWS: 'arn:aws:iam::999988887777:root' },
        Condition: {
          ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::999988887777:role/vpce-guard/*' },
        },
      }),
    ]);
  });

  it("allows exactly the rules' read actions and the engine's Config calls, no wildcard", () => {
    const policies = resolve<{ PolicyDocument: { Statement: Statement[] } }[]>(
      role?.Properties['Policies'],
    );
    const actions = policies.flatMap((p) => p.PolicyDocument.Statement).flatMap(actionsOf);

    expect(new Set(actions)).toEqual(
      new Set([...RULES.flatMap((rule) => rule.iamActions), ...ENGINE_IAM_ACTIONS]),
    );
    for (const action of actions) expect(action).not.toContain('*');
  });
});

describe('conformance-pack.yaml', () => {
  const pack = conformancePackTemplate(RULES);

  it('groups one custom Lambda rule per catalogue rule, its ARN a pack parameter', () => {
    for (const rule of RULES) {
      const ids = logicalIdsOf(rule);
      const resource = pack.Resources[ids.configRule];
      const source = resource?.Properties?.['Source'] as Record<string, unknown>;
      expect(resource?.Type).toBe('AWS::Config::ConfigRule');
      expect(source['Owner']).toBe('CUSTOM_LAMBDA');
      expect(source['SourceIdentifier']).toEqual({ Ref: ids.functionArnParameter });
      expect(pack.Parameters[ids.functionArnParameter]).toEqual({ Type: 'String' });
      expect(configRuleProblems(ids.configRule, resource?.Properties)).toEqual([]);
    }
  });

  it('exposes every rule parameter as a pack parameter with the rule default', () => {
    for (const rule of RULES) {
      const resource = pack.Resources[logicalIdsOf(rule).configRule];
      const inputs = (resource?.Properties?.['InputParameters'] ?? {}) as Record<
        string,
        { Ref: string }
      >;
      expect(Object.keys(inputs).sort()).toEqual(Object.keys(rule.parameters).sort());
      for (const input of Object.values(inputs)) {
        expect(pack.Parameters[input.Ref]?.Type).toBe('String');
      }
    }
  });
});

describe('config-bootstrap.yaml', () => {
  const template = configBootstrapTemplate() as unknown as Template;

  it("names its delivery bucket so vpce-guard's bucket rules exempt it by default", () => {
    const bucket = template.Resources['ConfigBucket'];
    const byDefault = resolverFor(template)<string>(bucket?.Properties['BucketName']);
    const chosen = resolverFor(template, { ConfigBucketName: 'org-config-history' })<string>(
      bucket?.Properties['BucketName'],
    );

    expect(byDefault).toBe('vpce-guard-config-111122223333-us-east-1');
    expect(DEFAULT_EXEMPT_BUCKETS.some((pattern) => wildcardMatch(pattern, byDefault))).toBe(true);
    expect(chosen).toBe('org-config-history');
  });

  it('records exactly the resource types vpce-guard reads, all recordable', () => {
    const [, recorder] = resourcesOfType(template, 'AWS::Config::ConfigurationRecorder')[0] ?? [];
    const group = recorder?.Properties['RecordingGroup'] as {
      ResourceTypes: string[];
      AllSupported: boolean;
    };

    expect(group.AllSupported).toBe(false);
    expect(group.ResourceTypes).toEqual([...RESOURCE_TYPES, PREFIX_LIST_TYPE]);
    for (const type of group.ResourceTypes)
      expect(RECORDABLE_TYPES as readonly string[]).toContain(type);
    // A rule triggered by a type the recorder leaves out would never fire for it.
    for (const rule of RULES) {
      for (const type of scopeTypesOf(rule)) expect(group.ResourceTypes).toContain(type);
    }
  });

  it('lets only Config of this account write to the delivery bucket, over TLS', () => {
    const resolve = resolverFor(template);
    const [, policy] = resourcesOfType(template, 'AWS::S3::BucketPolicy')[0] ?? [];
    const statements = resolve<{ Statement: Statement[] }>(
      policy?.Properties['PolicyDocument'],
    ).Statement;
    const delivery = statements.find((s) => s.Sid === 'AWSConfigBucketDelivery');

    expect(delivery).toMatchObject({
      Principal: { Service: 'config.amazonaws.com' },
      Action: 's3:PutObject',
      Condition: { StringEquals: { 'AWS:SourceAccount': '111122223333' } },
    });
    expect(String(delivery?.Resource)).toMatch(/\/AWSLogs\/111122223333\/Config\/\*$/);
    expect(
      statements.some(
        (s) => s.Effect === 'Deny' && JSON.stringify(s.Condition).includes('aws:SecureTransport'),
      ),
    ).toBe(true);
  });

  it('creates the Config service-linked role only when asked to', () => {
    const slr = template.Resources['ConfigServiceLinkedRole'];
    const created = (value: string) =>
      resolverFor(template, { CreateServiceLinkedRole: value })<boolean>({
        Condition: slr?.Condition,
      });

    expect(slr?.Properties['AWSServiceName']).toBe('config.amazonaws.com');
    expect(created('true')).toBe(true);
    expect(created('false')).toBe(false);
  });
});
