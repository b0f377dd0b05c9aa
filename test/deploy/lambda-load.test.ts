import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import {
  CreateVpcCommand,
  CreateVpcEndpointCommand,
  DescribeRouteTablesCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { configRuleNameOf, functionKeyOf } from '../../src/deploy/naming.js';
import { clientPackagesOf } from '../../src/deploy/sdk-clients.js';
import { findRule, RULES } from '../../src/rules/index.js';
import type { AnyRule } from '../../src/rules/rule.js';
import { changeEvent, configurationItem, loadEventFixture } from '../helpers/events.js';
import { describeWithMoto } from '../integration/moto.js';
import { invokeUnpacked, resolutionLeaks, unpack } from './lambda-runtime.js';
import { ROOT, sharedPackage } from './packaging.js';

/**
 * The packaged functions as Lambda loads them: unzipped away from the repository, required with
 * nothing but their own bundle (the SDK clients included), invoked with real-shaped Config events
 * against moto_server. moto records PutEvaluations in TestMode only (toolchain.md §3), which the
 * engine uses for the `TESTMODE` result token.
 */

/** A string only the named client's bundled code contains (its service shape namespace). */
const CLIENT_MARKERS: Record<string, string> = {
  '@aws-sdk/client-ec2': 'AmazonEC2',
  '@aws-sdk/client-s3': 'AmazonS3',
  '@aws-sdk/client-config-service': 'StarlingDoveService',
  '@aws-sdk/client-sts': 'AWSSecurityTokenServiceV20110615',
};

const ruleById = (id: string): AnyRule => {
  const rule = findRule(id);
  if (!rule) throw new Error(`no rule ${id}`);
  return rule;
};

let out: string;
const scratch: string[] = [];
const unpacked = (rule: AnyRule): string => {
  const dir = unpack(zipOf(rule));
  scratch.push(dir);
  return dir;
};

const zipOf = (rule: AnyRule): string => join(out, `${functionKeyOf(rule)}.zip`);
const bundleText = (rule: AnyRule): string =>
  spawnSync('unzip', ['-p', zipOf(rule)], { encoding: 'utf8', maxBuffer: 1 << 27 }).stdout;

const motoEnv = (url: string): Record<string, string> => ({
  AWS_ENDPOINT_URL: url,
  AWS_REGION: 'us-east-1',
  AWS_ACCESS_KEY_ID: 'testing',
  AWS_SECRET_ACCESS_KEY: 'testing',
  VPCE_GUARD_RULE_ID: '',
});

beforeAll(() => {
  out = sharedPackage();
}, 300_000);

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

it('bundles, per function, exactly the SDK clients its rule needs at the pinned versions', () => {
  const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
    dependencies: Record<string, string>;
  };
  expect(readdirSync(out).filter((file) => file.endsWith('.zip')).length).toBeGreaterThanOrEqual(
    RULES.length,
  );
  for (const rule of RULES) {
    // Act
    const code = bundleText(rule);
    const needed = new Set([
      ...clientPackagesOf(rule),
      '@aws-sdk/client-config-service',
      '@aws-sdk/client-sts',
    ]);

    // Assess
    // The SDK's optional SigV4a signer (multi-region access points only) is required in a try.
    const outside = [...code.matchAll(/require\("(@aws-sdk\/[^"]+)"\)/g)].map((m) => m[1]);
    expect(outside, rule.id).toEqual(outside.map(() => '@aws-sdk/signature-v4-crt'));
    for (const [name, marker] of Object.entries(CLIENT_MARKERS)) {
      expect(code.includes(marker), `${rule.id} bundles ${name}`).toBe(needed.has(name));
    }
    for (const name of needed) {
      // What esbuild bundled is the installed copy, which must be the exact pinned version.
      const installed = JSON.parse(
        readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8'),
      ) as { version: string };
      expect(manifest.dependencies[name], `${name} is pinned`).toMatch(/^\d+\.\d+\.\d+$/);
      expect(installed.version, name).toBe(manifest.dependencies[name]);
    }
  }
});

describeWithMoto('a packaged rule function, loaded as Lambda loads it', (moto) => {
  it('evaluates a bucket change with only its bundle (no EC2 client) and reports in TestMode', () => {
    // Prepare
    const rule = ruleById('s3-bucket-policy-tls-only');
    const task = unpacked(rule);
    const event = { ...loadEventFixture('s3-bucket-change'), resultToken: 'TESTMODE' };

    // Act
    const invocation = invokeUnpacked(
      task,
      `handlers/rules/${rule.id}.handler`,
      event,
      motoEnv(moto.url),
    );

    // Assess
    expect(resolutionLeaks(task)).toEqual([]);
    expect(invocation.error, invocation.output).toBeUndefined();
    // The fixture's policy restricts the endpoint but never denies plain HTTP.
    expect(invocation.result, invocation.output.slice(-3000)).toMatchObject({
      evaluated: 1,
      delivered: 1,
      testMode: true,
      byCompliance: { NON_COMPLIANT: 1 },
    });
    console.info(`${rule.id}: module load ${invocation.loadMs.toFixed(0)} ms`);
  });

  it('reads EC2 in moto through its bundled client and reports the VPC in TestMode', async () => {
    // Prepare: a VPC with an S3 gateway endpoint on its route table (the rule's default requirement).
    const ec2 = new EC2Client({ ...clientOptions(moto.url) });
    const { Vpc } = await ec2.send(new CreateVpcCommand({ CidrBlock: '10.20.0.0/16' }));
    const vpcId = Vpc?.VpcId ?? '';
    // A gateway endpoint serves only the route tables it is associated with: the VPC's main one.
    const { RouteTables } = await ec2.send(
      new DescribeRouteTablesCommand({ Filters: [{ Name: 'vpc-id', Values: [vpcId] }] }),
    );
    await ec2.send(
      new CreateVpcEndpointCommand({
        VpcId: vpcId,
        ServiceName: 'com.amazonaws.us-east-1.s3',
        VpcEndpointType: 'Gateway',
        RouteTableIds: (RouteTables ?? []).map((table) => table.RouteTableId ?? ''),
      }),
    );
    const rule = ruleById('vpc-required-endpoints');
    const task = unpacked(rule);
    const item = configurationItem({
      resourceType: 'AWS::EC2::VPC',
      resourceId: vpcId,
      configuration: {
        vpcId,
        cidrBlock: '10.20.0.0/16',
        state: 'available',
        isDefault: false,
        instanceTenancy: 'default',
        cidrBlockAssociationSet: [],
      },
    });
    const event = changeEvent(item, {
      resultToken: 'TESTMODE',
      configRuleName: configRuleNameOf(rule),
    });

    // Act
    const invocation = invokeUnpacked(
      task,
      `handlers/rules/${rule.id}.handler`,
      event,
      motoEnv(moto.url),
    );

    // Assess
    expect(invocation.error, invocation.output).toBeUndefined();
    expect(invocation.result, invocation.output.slice(-3000)).toMatchObject({
      evaluated: 1,
      delivered: 1,
      testMode: true,
      byCompliance: { COMPLIANT: 1 },
    });
    expect(invocation.output).toMatch(/ec2:DescribeVpcEndpoints/);
    console.info(`${rule.id}: module load ${invocation.loadMs.toFixed(0)} ms`);
  });
});

const clientOptions = (url: string) => ({
  endpoint: url,
  region: 'us-east-1',
  maxAttempts: 1,
  credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
});
