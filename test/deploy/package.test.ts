import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  configRuleProblems,
  EXECUTION_FREQUENCIES,
  MESSAGE_TYPES,
  RECORDABLE_TYPES,
} from '../../src/deploy/config-spec.js';
import { ENGINE_IAM_ACTIONS } from '../../src/deploy/engine-actions.js';
import { configRuleNameOf, logicalIdsOf } from '../../src/deploy/naming.js';
import { packagedTargetOf } from '../../src/deploy/packaged-target.js';
import { DEFAULT_EXEMPT_BUCKETS } from '../../src/deploy/params.js';
import { LOG_ACTIONS, VPC_ACCESS_ACTIONS } from '../../src/deploy/rule-resources.js';
import { RULES, scopeTypesOf } from '../../src/rules/index.js';
import { packageService, ROOT, sharedPackage, TEMPLATE_FILE } from './packaging.js';
import {
  actionsOf,
  type Resource,
  resolverFor,
  resourcesOfType,
  roleStatements,
  type Statement,
  type Template,
} from './template.js';
import { CAN_LINT, cfnLint } from './tools.js';

const REPORT_VPCE = 'vpce-0a1b2c3d4e5f67890';
/** What every rule role needs to hand a failed invocation to the encrypted queue. */
const FAILURE_ACTIONS = ['sqs:SendMessage', 'kms:Decrypt', 'kms:GenerateDataKey'];
/** Sweep cursors and evidence in the report bucket (engine and report code). */
const REPORT_OBJECT_ACTIONS = ['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 's3:ListBucket'];

let template: Template;

const functionOfRule = (ruleId: string): [string, Resource] => {
  const found = resourcesOfType(template, 'AWS::Lambda::Function').find(
    ([, fn]) =>
      (fn.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables[
        'VPCE_GUARD_RULE_ID'
      ] === ruleId,
  );
  if (!found) throw new Error(`no function for ${ruleId}`);
  return found;
};

/** The role a function runs with, found through the function's own `Role` property. */
const roleOfFunction = (fn: Resource): Resource => {
  const role = fn.Properties['Role'] as { 'Fn::Sub'?: string; 'Fn::GetAtt'?: string[] };
  const logicalId =
    role['Fn::GetAtt']?.[0] ?? /^\$\{(\w+)\.Arn\}$/.exec(role['Fn::Sub'] ?? '')?.[1];
  const resource = logicalId ? template.Resources[logicalId] : undefined;
  if (resource?.Type !== 'AWS::IAM::Role') throw new Error('function role not found');
  return resource;
};

let OUT: string;
let TEMPLATE_PATH: string;

beforeAll(() => {
  // Prepare: the real `npm run package`, without stage parameters (all empty).
  OUT = sharedPackage();
  TEMPLATE_PATH = join(OUT, TEMPLATE_FILE);
  template = JSON.parse(readFileSync(TEMPLATE_PATH, 'utf8')) as Template;
}, 300_000);

describe('npm run package', () => {
  it.runIf(CAN_LINT)('produces a template cfn-lint reports no error or warning for', () => {
    // Act
    const result = cfnLint(TEMPLATE_PATH);

    // Assess: 0 clean, 8 informational only.
    expect([0, 8], result.output).toContain(result.code);
  });

  it('bundles each handler, its SDK clients included, into one CommonJS file', () => {
    // Act
    const zips = readdirSync(OUT).filter((file) => file.endsWith('.zip'));
    const sizes = zips.map((zip) => {
      const path = join(OUT, zip);
      const listing = spawnSync('unzip', ['-Z1', path], { encoding: 'utf8' })
        .stdout.trim()
        .split('\n');
      const code = spawnSync('unzip', ['-p', path], {
        encoding: 'utf8',
        maxBuffer: 1 << 26,
      }).stdout;
      return { zip, listing, zipped: statSync(path).size, unzipped: code.length, code };
    });
    console.info(
      `bundle sizes (zip / js bytes):\n${sizes.map((s) => `  ${s.zip}: ${s.zipped} / ${s.unzipped}`).join('\n')}`,
    );

    // Assess
    // One per rule, plus the product's other functions (notifier, report).
    const ruleZips = sizes.filter((bundle) => bundle.listing[0]?.startsWith('handlers/rules/'));
    expect(ruleZips).toHaveLength(RULES.length);
    for (const bundle of sizes) {
      expect(bundle.listing).toHaveLength(1);
      expect(bundle.listing[0]).toMatch(/^handlers\/(rules\/)?[a-z0-9-]+\.js$/);
      // Bundled, not left to the runtime's SDK (lambda-load.test.ts checks which clients).
      expect(bundle.code.includes('require("@aws-sdk/client-config-service")')).toBe(false);
      expect(bundle.code).not.toMatch(/^export /m);
      expect(bundle.zipped).toBeLessThan(1024 * 1024);
    }
  });
});

describe('packaged Config rules', () => {
  it('creates one Config rule, function and config.amazonaws.com permission per catalogue rule', () => {
    // Act
    const configRules = resourcesOfType(template, 'AWS::Config::ConfigRule');
    const permissions = resourcesOfType(template, 'AWS::Lambda::Permission').filter(
      ([, permission]) => permission.Properties['Principal'] === 'config.amazonaws.com',
    );

    // Assess
    expect(configRules.map(([, rule]) => rule.Properties['ConfigRuleName']).sort()).toEqual(
      RULES.map((rule) => `vpce-guard-${rule.id}`).sort(),
    );
    expect(permissions).toHaveLength(RULES.length);
    for (const rule of RULES) {
      const [fnId] = functionOfRule(rule.id);
      const [permissionId, permission] =
        permissions.find(([, p]) =>
          JSON.stringify(p.Properties['FunctionName']).includes(`"${fnId}"`),
        ) ?? [];
      expect(permission?.Properties['SourceAccount']).toEqual({ Ref: 'AWS::AccountId' });
      const [, configRule] =
        configRules.find(([, r]) => r.Properties['ConfigRuleName'] === configRuleNameOf(rule)) ??
        [];
      const dependsOn = [configRule?.DependsOn ?? []].flat();
      expect(dependsOn).toContain(permissionId);
      expect(
        (configRule?.Properties['Source'] as { SourceIdentifier?: unknown } | undefined)
          ?.SourceIdentifier,
      ).toEqual({
        'Fn::GetAtt': [fnId, 'Arn'],
      });
    }
  });

  it('triggers each rule on changes, oversized changes and the configured schedule', () => {
    for (const [, configRule] of resourcesOfType(template, 'AWS::Config::ConfigRule')) {
      // Act
      const source = configRule.Properties['Source'] as {
        Owner: string;
        SourceDetails: {
          EventSource: string;
          MessageType: string;
          MaximumExecutionFrequency?: unknown;
        }[];
      };

      // Assess
      expect(source.Owner).toBe('CUSTOM_LAMBDA');
      expect(source.SourceDetails.map((detail) => detail.MessageType).sort()).toEqual([
        'ConfigurationItemChangeNotification',
        'OversizedConfigurationItemChangeNotification',
        'ScheduledNotification',
      ]);
      const scheduled = source.SourceDetails.find((d) => d.MessageType === 'ScheduledNotification');
      expect(scheduled?.MaximumExecutionFrequency).toEqual({ Ref: 'EvaluationFrequency' });
    }
    expect(template.Parameters?.['EvaluationFrequency']?.Default).toBe('TwentyFour_Hours');
    expect(template.Parameters?.['EvaluationFrequency']?.AllowedValues).toEqual([
      ...EXECUTION_FREQUENCIES,
    ]);
  });

  it('scopes each rule to the types it evaluates and is triggered by, all recordable', () => {
    for (const rule of RULES) {
      // Act
      const configRule = template.Resources[logicalIdsOf(rule).configRule];
      const scope = configRule?.Properties['Scope'] as { ComplianceResourceTypes: string[] };

      // Assess
      expect(scope.ComplianceResourceTypes).toEqual(scopeTypesOf(rule));
      for (const type of scope.ComplianceResourceTypes) {
        expect(RECORDABLE_TYPES as readonly string[]).toContain(type);
      }
    }
  });

  it('keeps names within 64 characters and explains each rule in its description', () => {
    for (const rule of RULES) {
      // Act
      const properties = template.Resources[logicalIdsOf(rule).configRule]?.Properties ?? {};
      const name = properties['ConfigRuleName'] as string;
      const description = properties['Description'] as string;

      // Assess
      expect(name.length).toBeLessThanOrEqual(64);
      expect(description.length).toBeLessThanOrEqual(256);
      expect(description.startsWith(rule.title.replace(/[.\s]+$/, '').slice(0, 200))).toBe(true);
    }
  });

  it('passes every Config rule through the checks cfn-lint does not make', () => {
    // Prepare: the enums the checks use are the real ones.
    expect(MESSAGE_TYPES).toContain('OversizedConfigurationItemChangeNotification');

    // Act
    const problems = resourcesOfType(template, 'AWS::Config::ConfigRule').flatMap(([id, rule]) =>
      configRuleProblems(id, resolverFor(template)(rule.Properties)),
    );

    // Assess
    expect(problems).toEqual([]);
  });

  it('omits InputParameters when a rule has none (bucket rules exempt the own buckets)', () => {
    const resolve = resolverFor(template);
    for (const rule of RULES) {
      const properties = resolve<Record<string, unknown>>(
        template.Resources[logicalIdsOf(rule).configRule]?.Properties,
      );
      if ('exemptBuckets' in rule.parameters) {
        expect(JSON.parse(String(properties['InputParameters']))).toEqual({
          exemptBuckets: DEFAULT_EXEMPT_BUCKETS.join(','),
        });
      } else {
        expect(properties).not.toHaveProperty('InputParameters');
      }
    }
  });
});

describe('packaged roles', () => {
  // Structure only: that the declared actions cover what the code calls is checked against real
  // calls in test/integration/least-privilege.test.ts.
  it("grants each function exactly its rule's declared actions, the engine's and its own log group", () => {
    const resolve = resolverFor(template);
    for (const rule of RULES) {
      // Act
      const [, fn] = functionOfRule(rule.id);
      const statements = roleStatements(roleOfFunction(fn), resolve);
      const granted = statements.filter((s) => s.Effect === 'Allow').flatMap(actionsOf);
      const logs = statements.find((s) => actionsOf(s).includes('logs:PutLogEvents'));

      const objects = statements.filter((s) =>
        actionsOf(s).some((action) => REPORT_OBJECT_ACTIONS.includes(action)),
      );

      // Assess
      expect(new Set(granted)).toEqual(
        new Set([
          ...rule.iamActions,
          ...ENGINE_IAM_ACTIONS,
          ...LOG_ACTIONS,
          ...FAILURE_ACTIONS,
          ...REPORT_OBJECT_ACTIONS,
        ]),
      );
      // Object access (sweep cursors, evidence) stays within prefixes of the report bucket.
      for (const statement of objects) {
        for (const arn of [statement.Resource].flat()) {
          expect(String(arn)).toMatch(
            /^arn:aws:s3:::vpce-guard-test-reportbucket-1a2b3c(\/\w+\/\*)?$/,
          );
        }
      }
      expect(logs?.Resource).toBe(
        `arn:aws:test:us-east-1:111122223333:${logicalIdsOf(rule).logGroup}`,
      );
    }
  });

  it('adds ENI and member-role actions only when the stack runs in subnets or an organization', () => {
    const resolve = resolverFor(template, {
      RuleSubnetIds: 'subnet-0a1b2c3d4e5f67890',
      RuleSecurityGroupIds: 'sg-0a1b2c3d4e5f67890',
      MemberRoleName: 'vpce-guard-member',
    });
    for (const rule of RULES) {
      // Act
      const [, fn] = functionOfRule(rule.id);
      const statements = roleStatements(roleOfFunction(fn), resolve);
      const assume = statements.find((s) => actionsOf(s).includes('sts:AssumeRole'));

      // Assess
      expect(new Set(statements.flatMap(actionsOf))).toEqual(
        new Set([
          ...rule.iamActions,
          ...ENGINE_IAM_ACTIONS,
          ...LOG_ACTIONS,
          ...FAILURE_ACTIONS,
          ...REPORT_OBJECT_ACTIONS,
          ...VPC_ACCESS_ACTIONS,
          'sts:AssumeRole',
        ]),
      );
      // The region-qualified name member-role.yaml gives the role in this region.
      expect(assume?.Resource).toBe('arn:aws:iam::*:role/vpce-guard-member-us-east-1');
      expect(
        resolve<{ Variables: Record<string, string> }>(fn.Properties['Environment']).Variables,
      ).toMatchObject({ VPCE_GUARD_MEMBER_ROLE_NAME: 'vpce-guard-member-us-east-1' });
      expect(resolve<Record<string, unknown>>(fn.Properties)['VpcConfig']).toEqual({
        SubnetIds: ['subnet-0a1b2c3d4e5f67890'],
        SecurityGroupIds: ['sg-0a1b2c3d4e5f67890'],
      });
    }
  });

  it('grants no wildcard action and uses no shared execution role', () => {
    const resolve = resolverFor(template, { RuleSubnetIds: 'subnet-1', MemberRoleName: 'm' });
    for (const [, role] of resourcesOfType(template, 'AWS::IAM::Role')) {
      // Act
      const actions = roleStatements(role, resolve).flatMap(actionsOf);

      // Assess
      for (const action of actions) expect(action).not.toMatch(/\*/);
    }
    expect(template.Resources).not.toHaveProperty('IamRoleLambdaExecution');
  });
});

describe('packaged functions', () => {
  it('run nodejs22.x on arm64 with JSON logs, a log retention and the Powertools service name', () => {
    for (const rule of RULES) {
      const [fnId, fn] = functionOfRule(rule.id);
      const logGroup = template.Resources[fnId.replace(/LambdaFunction$/, 'LogGroup')];
      expect(fn.Properties['Runtime']).toBe('nodejs22.x');
      expect(fn.Properties['Architectures']).toEqual(['arm64']);
      expect(fn.Properties['LoggingConfig']).toMatchObject({ LogFormat: 'JSON' });
      expect(fn.Properties['Handler']).toBe(`handlers/rules/${rule.id}.handler`);
      expect(
        (fn.Properties['Environment'] as { Variables: Record<string, unknown> }).Variables,
      ).toMatchObject({ POWERTOOLS_SERVICE_NAME: 'vpce-guard' });
      expect(logGroup?.Properties['RetentionInDays']).toEqual({ Ref: 'LogRetentionDays' });
      // Without subnets the functions stay out of any VPC.
      expect(resolverFor(template)<Record<string, unknown>>(fn.Properties)).not.toHaveProperty(
        'VpcConfig',
      );
    }
  });
});

describe('packaged alert pipeline', () => {
  it('encrypts the topic with the stack key, which EventBridge may use', () => {
    // Act
    const resolve = resolverFor(template);
    const [, topic] = resourcesOfType(template, 'AWS::SNS::Topic')[0] ?? [];
    const [keyId, key] = resourcesOfType(template, 'AWS::KMS::Key')[0] ?? [];
    const keyStatements = resolve<{ Statement: Statement[] }>(
      key?.Properties['KeyPolicy'],
    ).Statement;
    const events = keyStatements.find(
      (s) => JSON.stringify(s.Principal) === JSON.stringify({ Service: 'events.amazonaws.com' }),
    );
    const admin = keyStatements.find(
      (s) => actionsOf(s).includes('kms:PutKeyPolicy') || actionsOf(s).includes('kms:Put*'),
    );

    // Assess
    expect(topic?.Properties['KmsMasterKeyId']).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(actionsOf(events as Statement).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey*']);
    expect(admin?.Principal).toEqual({ AWS: 'arn:aws:iam::111122223333:root' });
    expect(key?.Properties['EnableKeyRotation']).toBe(true);
  });

  it("sends compliance changes of this product's rules (organization rules and pack copies too) to the alert queue", () => {
    // Act
    // Other rules (schedules) may exist: this is the compliance-change rule of shared-resources.ts.
    const eventRule = template.Resources['ComplianceChangeRule'];
    const pattern = eventRule?.Properties['EventPattern'] as {
      source: string[];
      'detail-type': string[];
      detail: { configRuleName: { prefix: string }[] };
    };
    const targets = eventRule?.Properties['Targets'] as { Arn: unknown }[];
    const [, topicPolicy] = resourcesOfType(template, 'AWS::SNS::TopicPolicy')[0] ?? [];
    const allows = resolverFor(template)<{ Statement: Statement[] }>(
      topicPolicy?.Properties['PolicyDocument'],
    ).Statement.filter((s) => s.Effect === 'Allow');

    // Assess
    expect(pattern.source).toEqual(['aws.config']);
    expect(pattern['detail-type']).toEqual(['Config Rules Compliance Change']);
    expect(pattern.detail.configRuleName).toEqual([
      { prefix: 'vpce-guard-' },
      { prefix: 'OrgConfigRule-vpce-guard-' },
    ]);
    for (const rule of RULES) expect(configRuleNameOf(rule).startsWith('vpce-guard-')).toBe(true);
    expect(targets).toEqual([
      expect.objectContaining({ Arn: { 'Fn::GetAtt': ['AlertQueue', 'Arn'] } }),
    ]);
    // The notifier publishes; EventBridge no longer writes raw events to the topic.
    expect(JSON.stringify(allows)).not.toContain('events.amazonaws.com');
  });

  it('subscribes the alert address only when one is given', () => {
    const [, subscription] = resourcesOfType(template, 'AWS::SNS::Subscription')[0] ?? [];
    const condition = subscription?.Condition ?? '';
    const conditions = (parameters: Record<string, string>) =>
      resolverFor(template, parameters)<boolean>({ Condition: condition });

    expect(conditions({})).toBe(false);
    expect(conditions({ AlertEmail: 'secops@example.com' })).toBe(true);
    expect(subscription?.Properties).toMatchObject({
      Protocol: 'email',
      Endpoint: { Ref: 'AlertEmail' },
    });
  });
});

describe('npm run package -- --stage S --region R', () => {
  it("builds the stage and region named, with that stage's parameters as template defaults", () => {
    // Act: exactly what `npm run deploy -- --stage ci --region eu-west-1` will ship.
    const out = mkdtempSync(join(tmpdir(), 'vpce-guard-package-ci-'));
    try {
      packageService({
        outDir: out,
        stage: 'ci',
        region: 'eu-west-1',
        stageParams: join(ROOT, 'test/deploy/fixtures/stage-params.json'),
      });
      const state = JSON.parse(readFileSync(join(out, 'serverless-state.json'), 'utf8'));
      const packaged = JSON.parse(readFileSync(join(out, TEMPLATE_FILE), 'utf8')) as Template;
      const defaults = Object.fromEntries(
        Object.entries(packaged.Parameters ?? {}).map(([name, p]) => [name, p.Default]),
      );
      const names = resourcesOfType(packaged, 'AWS::Lambda::Function').map(
        ([, fn]) => fn.Properties['FunctionName'],
      );

      // Assess
      expect(packagedTargetOf(state)).toEqual({ stage: 'ci', region: 'eu-west-1' });
      expect(names).toContain('vpce-guard-ci-s3-bucket-policy-vpce-only');
      expect(defaults).toMatchObject({
        EvaluationFrequency: 'Twelve_Hours',
        AlertEmail: 'secops@example.com',
        ReportVpceId: REPORT_VPCE,
        ReportAdminRoleArn: 'arn:aws:iam::111122223333:role/SecurityBreakGlass',
        LogRetentionDays: '90',
        RuleSubnetIds: 'subnet-0a1b2c3d4e5f67890,subnet-0a1b2c3d4e5f67891',
        RuleSecurityGroupIds: 'sg-0a1b2c3d4e5f67890',
        MemberRoleName: 'vpce-guard-member',
      });
      // Rule parameters of the stage, with the product's own buckets exempt as well.
      expect(JSON.parse(defaults['S3BucketPolicyVpceOnlyInputParameters'] ?? '')).toEqual({
        allowedVpceIds: REPORT_VPCE,
        exemptBuckets: DEFAULT_EXEMPT_BUCKETS.join(','),
      });
      expect(JSON.parse(defaults['S3BucketPolicyTlsOnlyInputParameters'] ?? '')).toEqual({
        exemptBuckets: DEFAULT_EXEMPT_BUCKETS.join(','),
      });
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 300_000);
});
