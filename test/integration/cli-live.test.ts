import { Readable } from 'node:stream';
import {
  CreateSubnetCommand,
  CreateVpcCommand,
  CreateVpcEndpointCommand,
} from '@aws-sdk/client-ec2';
import { CreateBucketCommand, PutBucketPolicyCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, beforeAll, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { JsonReport } from '../../src/cli/render.js';
import { policyText, vpceOnlyStatement } from '../../src/rules/example-policies.js';
import { RULES } from '../../src/rules/index.js';
import { createClients } from '../../src/sources/aws/index.js';
import { describeWithMoto, motoClientOptions } from './moto.js';
import { type SeededAccount, seedAccount } from './seed-account.js';

/**
 * `vpce-guard scan --live` end to end: argument parsing, the live view over real SDK clients
 * pointed at moto_server, every rule, and the JSON and table output a user or CI job reads.
 */

const OTHER_REGION = 'eu-west-1';
const LOCKED_BUCKET = 'vg-locked-out';

interface Captured {
  code: number;
  stdout: string;
  stderr: string;
}

const runCli = async (argv: readonly string[], stderrIsTty = false): Promise<Captured> => {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: {
      write: (text: string) => {
        stdout += text;
        return true;
      },
      isTTY: false,
    },
    stderr: {
      write: (text: string) => {
        stderr += text;
        return true;
      },
      isTTY: stderrIsTty,
    },
    env: {},
  });
  return { code, stdout, stderr };
};

const parseReport = (captured: Captured): JsonReport => {
  try {
    return JSON.parse(captured.stdout) as JsonReport;
  } catch (error) {
    throw new Error(`stdout is not JSON (exit ${captured.code}):\n${captured.stderr}`, {
      cause: error,
    });
  }
};

type ReportEvaluation = JsonReport['evaluations'][number];

const findEvaluation = (
  report: JsonReport,
  ruleId: string,
  resourceId: string,
): ReportEvaluation => {
  const found = report.evaluations.filter(
    (evaluation) => evaluation.ruleId === ruleId && evaluation.resourceId === resourceId,
  );
  expect(found, `${ruleId} ${resourceId}`).toHaveLength(1);
  return found[0] as ReportEvaluation;
};

/**
 * What S3 answers GetBucketPolicy when the bucket's own policy denies the caller: 403 with an
 * empty body. moto does not enforce bucket policies on bucket-level calls (toolchain.md §3), so
 * the response is injected below the SDK's deserialiser; parsing and handling stay real.
 */
const denyPolicyReadsOf = (bucket: string) => {
  const originalSend = S3Client.prototype.send;
  const patched = new WeakSet<S3Client>();
  return vi.spyOn(S3Client.prototype, 'send').mockImplementation(function (
    this: S3Client,
    ...args: Parameters<S3Client['send']>
  ) {
    if (!patched.has(this)) {
      patched.add(this);
      this.middlewareStack.add(
        (next) => async (input) => {
          const request = input.request as { path?: string; query?: Record<string, unknown> };
          const policyRead = request.query !== undefined && 'policy' in request.query;
          if (policyRead && request.path?.replace(/\/$/, '') === `/${bucket}`) {
            return { response: { statusCode: 403, headers: {}, body: Readable.from([]) } };
          }
          return next(input);
        },
        // Inside the deserialiser, so the SDK turns the raw 403 into its error as it would on AWS.
        { step: 'deserialize', priority: 'low', name: 'denyBucketPolicyRead', override: true },
      );
    }
    return (originalSend as (...a: unknown[]) => ReturnType<S3Client['send']>).apply(this, args);
  } as S3Client['send']);
};

describeWithMoto(
  'vpce-guard scan --live against moto',
  (moto) => {
    let seeded: SeededAccount;
    let otherVpcId: string;
    let otherEndpointId: string;
    const liveArgs = (...extra: string[]) => [
      'scan',
      '--live',
      '--endpoint-url',
      moto.url,
      ...extra,
    ];

    beforeAll(async () => {
      seeded = await seedAccount(createClients(motoClientOptions(moto.url)), moto.url);
      const other = createClients({ ...motoClientOptions(moto.url), region: OTHER_REGION });
      const { Vpc } = await other.ec2.send(new CreateVpcCommand({ CidrBlock: '10.50.0.0/16' }));
      otherVpcId = Vpc?.VpcId ?? '';
      const { Subnet } = await other.ec2.send(
        new CreateSubnetCommand({ VpcId: otherVpcId, CidrBlock: '10.50.1.0/24' }),
      );
      const { VpcEndpoint } = await other.ec2.send(
        new CreateVpcEndpointCommand({
          VpcId: otherVpcId,
          VpcEndpointType: 'Interface',
          ServiceName: `com.amazonaws.${OTHER_REGION}.ssm`,
          SubnetIds: [Subnet?.SubnetId ?? ''],
          PrivateDnsEnabled: false,
        }),
      );
      otherEndpointId = VpcEndpoint?.VpcEndpointId ?? '';
    });

    afterEach(() => {
      vi.restoreAllMocks();
    });

    it('reports the seeded violations as JSON with exit code 1, regions and API call counts', async () => {
      // Act
      const captured = await runCli(liveArgs('--region', 'us-east-1', '--format', 'json'));
      const report = parseReport(captured);

      // Assess
      expect(captured.code, captured.stderr).toBe(1);
      expect(report.summary.apiCalls?.total).toBeGreaterThan(0);
      expect(Object.keys(report.summary.apiCalls?.byOperation ?? {})).toEqual(
        expect.arrayContaining([
          'ec2:DescribeRouteTables',
          'ec2:DescribeVpcEndpoints',
          'ec2:DescribeVpcs',
          's3:ListBuckets',
        ]),
      );
      expect(report.evaluations.every((evaluation) => evaluation.region === 'us-east-1')).toBe(
        true,
      );
      for (const rule of RULES) {
        expect(
          report.evaluations.some(
            (evaluation) =>
              evaluation.ruleId === rule.id && evaluation.resourceType === rule.resourceType,
          ),
          rule.id,
        ).toBe(true);
      }
      const gateway = 'private-subnet-gateway-endpoints';
      expect(findEvaluation(report, gateway, seeded.prod.privateTableId).complianceType).toBe(
        'COMPLIANT',
      );
      expect(findEvaluation(report, gateway, seeded.prod.uncoveredTableId).complianceType).toBe(
        'NON_COMPLIANT',
      );
      expect(findEvaluation(report, gateway, seeded.prod.publicTableId).complianceType).toBe(
        'NOT_APPLICABLE',
      );
      const sg = findEvaluation(
        report,
        'interface-endpoint-sg-restricted',
        seeded.prod.openEndpointId,
      );
      expect(sg.complianceType).toBe('NON_COMPLIANT');
      expect(sg.annotation).toContain('0.0.0.0/0');
      expect(
        findEvaluation(report, 'vpc-required-endpoints', seeded.legacy.vpcId).complianceType,
      ).toBe('NON_COMPLIANT');
      expect(
        findEvaluation(report, 's3-bucket-policy-tls-only', seeded.buckets.noPolicy).complianceType,
      ).toBe('NON_COMPLIANT');
      expect(
        findEvaluation(report, 's3-bucket-policy-tls-only', seeded.buckets.tlsOnly).complianceType,
      ).toBe('COMPLIANT');
      expect(report.summary.byCompliance.NON_COMPLIANT).toBeGreaterThan(0);
    });

    it('scans two regions without reporting a resource twice', async () => {
      // Act
      const captured = await runCli(
        liveArgs('--region', 'us-east-1', '--region', OTHER_REGION, '--format', 'json'),
      );
      const report = parseReport(captured);

      // Assess
      expect(captured.code, captured.stderr).toBe(1);
      const keys = report.evaluations.map(
        (evaluation) => `${evaluation.ruleId}|${evaluation.resourceId}|${evaluation.region}`,
      );
      expect(new Set(keys).size).toBe(keys.length);
      // Each bucket is judged once, in its home region (moto's buckets live in us-east-1).
      const bucketRule = report.evaluations.filter(
        (evaluation) => evaluation.ruleId === 's3-bucket-policy-tls-only',
      );
      expect(bucketRule.length).toBeGreaterThan(0);
      expect(new Set(bucketRule.map((evaluation) => evaluation.resourceId)).size).toBe(
        bucketRule.length,
      );
      expect(bucketRule.every((evaluation) => evaluation.region === 'us-east-1')).toBe(true);
      expect(findEvaluation(report, 'vpc-required-endpoints', seeded.prod.vpcId).region).toBe(
        'us-east-1',
      );
      expect(findEvaluation(report, 'vpc-required-endpoints', otherVpcId).region).toBe(
        OTHER_REGION,
      );
      const eu = findEvaluation(report, 'interface-endpoint-private-dns', otherEndpointId);
      expect(eu).toMatchObject({ region: OTHER_REGION, complianceType: 'NON_COMPLIANT' });
    });

    it('runs only the rules named by --rules', async () => {
      // Act
      const captured = await runCli(
        liveArgs(
          '--region',
          'us-east-1',
          '--rules',
          'vpc-required-endpoints,interface-endpoint-private-dns',
          '--format',
          'json',
        ),
      );
      const report = parseReport(captured);

      // Assess
      expect(new Set(report.evaluations.map((evaluation) => evaluation.ruleId))).toEqual(
        new Set(['vpc-required-endpoints', 'interface-endpoint-private-dns']),
      );
      const operations = Object.keys(report.summary.apiCalls?.byOperation ?? {});
      expect(operations.some((operation) => operation.startsWith('s3:'))).toBe(false);
    });

    it('prints a table naming every rule and no progress escape codes when stderr is not a TTY', async () => {
      // Act
      const captured = await runCli(liveArgs('--region', 'us-east-1'));

      // Assess
      expect(captured.code, captured.stderr).toBe(1);
      for (const rule of RULES) expect(captured.stdout).toContain(rule.id);
      expect(captured.stdout).toContain(seeded.prod.uncoveredTableId);
      expect(captured.stdout + captured.stderr).not.toContain('\u001b[');
      expect(captured.stderr).not.toContain('\r');
    });

    it('shows a progress bar on stderr when it is a terminal, and clears it before the report', async () => {
      // Act
      const captured = await runCli(
        liveArgs('--region', 'us-east-1', '--format', 'json', '--rules', 'vpc-required-endpoints'),
        true,
      );

      // Assess: one step per rule and region, then the line is cleared; stdout stays clean JSON.
      expect(captured.stderr).toContain(
        `\r\u001b[2K[${'#'.repeat(24)}] 1/1 us-east-1 vpc-required-endpoints`,
      );
      expect(captured.stderr.endsWith('\r\u001b[2K')).toBe(true);
      expect(() => JSON.parse(captured.stdout)).not.toThrow();
    });

    it('reports a bucket whose policy cannot be read as unverifiable, not as compliant', async () => {
      // Prepare
      const clients = createClients(motoClientOptions(moto.url));
      await clients.s3.send(new CreateBucketCommand({ Bucket: LOCKED_BUCKET }));
      await clients.s3.send(
        new PutBucketPolicyCommand({
          Bucket: LOCKED_BUCKET,
          Policy: policyText([vpceOnlyStatement(LOCKED_BUCKET, [seeded.prod.s3EndpointId])]),
        }),
      );
      denyPolicyReadsOf(LOCKED_BUCKET);

      // Act
      const captured = await runCli(
        liveArgs(
          '--region',
          'us-east-1',
          '--rules',
          's3-bucket-policy-vpce-only,s3-bucket-policy-tls-only',
          '--format',
          'json',
        ),
      );
      const report = parseReport(captured);

      // Assess
      for (const ruleId of ['s3-bucket-policy-vpce-only', 's3-bucket-policy-tls-only']) {
        const locked = findEvaluation(report, ruleId, LOCKED_BUCKET);
        expect(locked.unverifiable, `${ruleId}: ${locked.annotation}`).toBe(true);
        expect(locked.complianceType).not.toBe('COMPLIANT');
        expect(locked.annotation).toContain('s3:GetBucketPolicy');
      }
      expect(report.summary.unverifiable).toBeGreaterThanOrEqual(2);
      expect(
        findEvaluation(report, 's3-bucket-policy-tls-only', seeded.buckets.tlsOnly).unverifiable,
      ).toBeUndefined();
    });
  },
  { resetEachTest: false },
);
