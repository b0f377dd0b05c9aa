// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is CloudFormation Fn::Sub or osls variable syntax, not a mistaken template literal.
import { describe, expect, it } from 'vitest';
import { ENGINE_IAM_ACTIONS } from '../../src/deploy/engine-actions.js';
import { configRuleNameOf, functionNameOf } from '../../src/deploy/naming.js';
import {
  DEFAULT_EXEMPT_BUCKETS,
  oslsParamsOf,
  parseStageParamsFile,
} from '../../src/deploy/params.js';
import { buildServerlessConfig } from '../../src/deploy/serverless-config.js';
import { DeploymentConfigError } from '../../src/errors.js';
import { notApplicable } from '../../src/model/compliance.js';
import { RULES } from '../../src/rules/index.js';
import { type AnyRule, defineRule } from '../../src/rules/rule.js';

const fakeRule = (id: string, iamActions: string[] = ['ec2:DescribeVpcEndpoints']): AnyRule =>
  defineRule({
    id,
    title: 'Endpoints should be fake',
    description: 'A test rule.',
    rationale: 'Tests need a rule they control.',
    severity: 'low',
    resourceType: 'AWS::EC2::VPCEndpoint',
    triggerTypes: ['AWS::EC2::RouteTable'],
    frameworks: [],
    parameters: {
      allowedIds: { type: 'list', description: 'ids', pattern: /^vpce-[0-9a-f]+$/ },
    },
    remediation: 'None.',
    iamActions,
    async evaluate() {
      return notApplicable('fake');
    },
  });

const build = (rules: AnyRule[], stageParams = {}) =>
  buildServerlessConfig({ rules, engineActions: ENGINE_IAM_ACTIONS, stageParams });

describe('buildServerlessConfig', () => {
  it('declares one function per rule, named after the rule and running its handler', () => {
    // Act
    const config = build([fakeRule('fake-one'), fakeRule('fake-two')]);

    // Assess
    expect(Object.values(config.functions ?? {})).toEqual([
      expect.objectContaining({
        handler: 'handlers/rules/fake-one.handler',
        name: 'vpce-guard-${sls:stage}-fake-one',
      }),
      expect.objectContaining({
        handler: 'handlers/rules/fake-two.handler',
        name: 'vpce-guard-${sls:stage}-fake-two',
      }),
      // The alert notifier (src/deploy/alert-resources.ts).
      expect.objectContaining({
        handler: 'handlers/notifier.handler',
        name: 'vpce-guard-${sls:stage}-notifier',
      }),
      // The scheduled report (src/deploy/report-resources.ts).
      expect.objectContaining({
        handler: 'handlers/report.handler',
        name: 'vpce-guard-${sls:stage}-report',
      }),
    ]);
    expect(config.custom?.['esbuild']).toMatchObject({
      format: 'cjs',
      // The SDK clients are bundled; the plugin file stubs those a rule never calls.
      exclude: [],
      plugins: 'src/deploy/esbuild-plugins.cjs',
      minify: true,
    });
  });

  it('refuses a rule that declares a write or wildcard action', () => {
    expect(() => build([fakeRule('fake-write', ['ec2:CreateTags'])])).toThrow(/ec2:CreateTags/);
    expect(() => build([fakeRule('fake-wild', ['ec2:Describe*'])])).toThrow(DeploymentConfigError);
  });

  it('refuses a rule id that leaves no room for the stage in function names', () => {
    expect(() => build([fakeRule('x'.repeat(46))])).toThrow(/room for a 6-character stage/);
  });

  it('refuses a Config rule name over 64 characters', () => {
    expect(configRuleNameOf({ id: 'x'.repeat(53) })).toHaveLength(64);
    expect(() => configRuleNameOf({ id: 'x'.repeat(54) })).toThrow(DeploymentConfigError);
  });

  it('refuses a stage that makes a function name too long', () => {
    expect(() =>
      functionNameOf({ id: 'endpoint-service-acceptance-required' }, 'x'.repeat(17)),
    ).toThrow(DeploymentConfigError);
  });

  it('gives every ${param:…} the template uses a default, so empty stages still package', () => {
    // Act
    const config = build(RULES as AnyRule[]);
    const used = [...JSON.stringify(config).matchAll(/\$\{param:([^}]+)\}/g)].map((m) => m[1]);

    // Assess
    expect(used.length).toBeGreaterThan(RULES.length);
    for (const name of used) expect(config.params?.['default']).toHaveProperty(name as string);
  });
});

describe('stage parameters', () => {
  const rules = [fakeRule('fake-one')];

  it('turn rule parameters into the InputParameters JSON Config delivers (lists comma-separated)', () => {
    // Act
    const file = parseStageParamsFile(
      { prod: { ruleParameters: { 'fake-one': { allowedIds: ['vpce-1', 'vpce-2'] } } } },
      rules,
    );

    // Assess
    expect(oslsParamsOf(file, rules)['prod']).toEqual({
      fakeOneInputParameters: '{"allowedIds":"vpce-1,vpce-2"}',
    });
    expect(oslsParamsOf(file, rules)['default']).toMatchObject({
      fakeOneInputParameters: '',
      schedule: 'TwentyFour_Hours',
    });
  });

  it.each([
    [
      { prod: { ruleParameters: { 'fake-one': { alowedIds: 'vpce-1' } } } },
      /unknown parameter\(s\) alowedIds/,
    ],
    [
      { prod: { ruleParameters: { 'fake-one': { allowedIds: 'sg-1' } } } },
      /invalid value\(s\): sg-1/,
    ],
    [{ prod: { ruleParameters: { 'no-such-rule': {} } } }, /unknown rule no-such-rule/],
    [{ prod: { schedule: 'Daily' } }, /schedule must be one of/],
    [{ prod: { alertEmail: 'not-an-address' } }, /alertEmail/],
    [{ prod: { reportVpceId: 'vpc-123' } }, /reportVpceId/],
    [{ prod: { ruleSubnetIds: ['subnet-0a1b2c3d'] } }, /given together/],
    [
      {
        prod: { ruleSubnetIds: 'subnet-0a1b2c3d,sg-0a1b2c3d', ruleSecurityGroupIds: 'sg-0a1b2c3d' },
      },
      /invalid id/,
    ],
    [{ prod: { alertEmial: 'x@example.com' } }, /unknown key\(s\) alertEmial/],
    [{ prod: { logRetentionDays: 31 } }, /logRetentionDays must be one of/],
    [
      { prod: { reportAdminRoleArn: 'arn:aws:iam::111122223333:user/admin' } },
      /reportAdminRoleArn/,
    ],
    // The region is appended to the member role name, which IAM limits to 64 characters.
    [{ prod: { memberRoleName: 'r'.repeat(45) } }, /memberRoleName/],
    [{ prod: { defaultExemptBuckets: ['Logs-*'] } }, /defaultExemptBuckets/],
  ])('reject %j at package time', (raw, message) => {
    expect(() => parseStageParamsFile(raw, rules)).toThrow(message);
  });

  it('reject InputParameters longer than AWS Config accepts', () => {
    const ids = Array.from({ length: 80 }, (_, i) => `vpce-${i.toString(16).padStart(12, '0')}`);
    const file = parseStageParamsFile(
      { prod: { ruleParameters: { 'fake-one': { allowedIds: ids } } } },
      rules,
    );

    expect(() => oslsParamsOf(file, rules)).toThrow(/1024/);
  });
});

describe('default bucket exemptions', () => {
  const bucketRule = defineRule({
    id: 'fake-bucket',
    title: 'Buckets should be fake',
    description: 'A test rule.',
    rationale: 'Tests need a rule they control.',
    severity: 'low',
    resourceType: 'AWS::S3::Bucket',
    triggerTypes: [],
    frameworks: [],
    parameters: { exemptBuckets: { type: 'list', description: 'names' } },
    remediation: 'None.',
    iamActions: ['s3:GetBucketPolicy'],
    async evaluate() {
      return notApplicable('fake');
    },
  });
  const rules = [bucketRule, fakeRule('fake-one')];
  const inputsOf = (file: unknown, stage: string) =>
    oslsParamsOf(parseStageParamsFile(file, rules), rules)[stage]?.['fakeBucketInputParameters'];

  it("exempt the product's own deployment and Config buckets in every bucket rule", () => {
    expect(JSON.parse(inputsOf({}, 'default') ?? '')).toEqual({
      exemptBuckets: DEFAULT_EXEMPT_BUCKETS.join(','),
    });
    expect(oslsParamsOf({}, rules)['default']?.['fakeOneInputParameters']).toBe('');
  });

  it("add to a stage's own exemptions, also when the stage inherits them from default", () => {
    const file = {
      default: { ruleParameters: { 'fake-bucket': { exemptBuckets: ['logs-*'] } } },
      prod: { alertEmail: 'secops@example.com' },
    };

    expect(JSON.parse(inputsOf(file, 'prod') ?? '')).toEqual({
      exemptBuckets: ['logs-*', ...DEFAULT_EXEMPT_BUCKETS].join(','),
    });
  });

  it('can be replaced or turned off per stage', () => {
    const file = {
      prod: { defaultExemptBuckets: ['cdk-*'] },
      dev: { defaultExemptBuckets: [] },
    };

    expect(JSON.parse(inputsOf(file, 'prod') ?? '')).toEqual({ exemptBuckets: 'cdk-*' });
    expect(inputsOf(file, 'dev')).toBe('');
  });
});

describe('operability of the stack', () => {
  const config = build([fakeRule('fake-one')]);

  it('tags every resource with product, stage and version', () => {
    expect(
      buildServerlessConfig({
        rules: [fakeRule('fake-one')],
        engineActions: ENGINE_IAM_ACTIONS,
        version: '1.2.3',
      }).provider.stackTags,
    ).toEqual({
      'vpce-guard:product': 'vpce-guard',
      'vpce-guard:stage': '${sls:stage}',
      'vpce-guard:version': '1.2.3',
    });
  });

  it('keeps logs for the LogRetentionDays parameter (30 days unless the stage says otherwise)', () => {
    const extensions = (config.resources as { extensions: Record<string, unknown> }).extensions;

    expect(extensions['FakeOneLogGroup']).toMatchObject({
      Properties: {
        RetentionInDays: { Ref: 'LogRetentionDays' },
        KmsKeyId: { 'Fn::GetAtt': ['VpceGuardKey', 'Arn'] },
      },
    });
    expect(config.params?.['default']?.['logRetentionDays']).toBe('30');
    expect(
      oslsParamsOf(parseStageParamsFile({ prod: { logRetentionDays: 365 } }, []), [])['prod'],
    ).toMatchObject({ logRetentionDays: '365' });
  });
});
