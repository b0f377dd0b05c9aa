// biome-ignore-all lint/suspicious/noTemplateCurlyInString: ${…} here is CloudFormation Fn::Sub or osls variable syntax, not a mistaken template literal.
import { describe, expect, it } from 'vitest';
import { ENGINE_IAM_ACTIONS } from '../../src/deploy/engine-actions.js';
import { configRuleNameOf, functionNameOf } from '../../src/deploy/naming.js';
import { oslsParamsOf, parseStageParamsFile } from '../../src/deploy/params.js';
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
      exclude: ['@aws-sdk/*'],
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
