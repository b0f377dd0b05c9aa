import { expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import type { JsonReport } from '../../src/cli/render.js';
import { AwsReadError } from '../../src/errors.js';
import { createClients, createLiveView } from '../../src/sources/aws/index.js';
import { startFaultProxy } from './fault-proxy.js';
import { describeWithMoto, motoClientOptions } from './moto.js';
import { type SeededAccount, seedAccount } from './seed-account.js';

/**
 * `scan --live` through a fault-injecting proxy in front of moto_server: throttling, server
 * errors, delays, one bucket that answers 400, one that answers 403, and an endpoint that never
 * answers. Every verdict is compared with the fault-free run of the same account.
 */

interface Run {
  code: number;
  report: JsonReport;
  stderr: string;
}

const scanThrough = async (endpoint: string): Promise<Run> => {
  let stdout = '';
  let stderr = '';
  const code = await main(
    ['scan', '--live', '--endpoint-url', endpoint, '--region', 'us-east-1', '--format', 'json'],
    {
      stdout: { write: (text: string) => (stdout += text), isTTY: false },
      stderr: { write: (text: string) => (stderr += text), isTTY: false },
      env: {},
    },
  );
  let report: JsonReport;
  try {
    report = JSON.parse(stdout) as JsonReport;
  } catch (error) {
    throw new Error(`no JSON report (exit ${code}):\n${stderr}`, { cause: error });
  }
  return { code, report, stderr };
};

type Verdicts = Map<string, { complianceType: string; unverifiable: boolean; annotation: string }>;

const verdictsOf = (report: JsonReport): Verdicts =>
  new Map(
    report.evaluations.map((evaluation) => [
      `${evaluation.ruleId} ${evaluation.resourceType} ${evaluation.resourceId}`,
      {
        complianceType: evaluation.complianceType,
        unverifiable: evaluation.unverifiable === true,
        annotation: evaluation.annotation,
      },
    ]),
  );

/** Verdicts of every resource except `bucket`, to compare a faulty run with the clean one. */
const without = (verdicts: Verdicts, bucket: string): Verdicts =>
  new Map([...verdicts].filter(([key]) => !key.endsWith(` AWS::S3::Bucket ${bucket}`)));

describeWithMoto(
  'scan --live through the fault proxy',
  (moto) => {
    let seeded: SeededAccount;
    let clean: Run;

    it('seeds the account and records the fault-free verdicts', async () => {
      seeded = await seedAccount(createClients(motoClientOptions(moto.url)), moto.url);
      clean = await scanThrough(moto.url);
      expect(clean.code, clean.stderr).toBe(1);
      expect(clean.report.evaluations.length).toBeGreaterThan(10);
    }, 120_000);

    it('gives identical verdicts with 20% of requests throttled, and counts the retries', async () => {
      // Prepare
      const proxy = await startFaultProxy(moto.url, { throttleShare: 0.2, delayMs: 2, seed: 7 });

      // Act
      const faulty = await scanThrough(proxy.url).finally(() => proxy.stop());

      // Assess
      expect(proxy.stats.throttled).toBeGreaterThan(0);
      expect(verdictsOf(faulty.report)).toEqual(verdictsOf(clean.report));
      expect(faulty.code).toBe(clean.code);
      expect(faulty.report.summary.retries).toBeGreaterThanOrEqual(proxy.stats.throttled);
      expect(clean.report.summary.retries).toBe(0);
    }, 180_000);

    it('gives identical verdicts with 10% server errors', async () => {
      const proxy = await startFaultProxy(moto.url, { serverErrorShare: 0.1, seed: 3 });

      const faulty = await scanThrough(proxy.url).finally(() => proxy.stop());

      expect(proxy.stats.serverErrors).toBeGreaterThan(0);
      expect(verdictsOf(faulty.report)).toEqual(verdictsOf(clean.report));
    }, 180_000);

    it('makes only the bucket answering 400 unverifiable "could not be read"; every other verdict stands', async () => {
      // Prepare
      const bucket = seeded.buckets.tlsOnly;
      const proxy = await startFaultProxy(moto.url, { bucketPolicyStatus: { [bucket]: 400 } });

      // Act
      const faulty = await scanThrough(proxy.url).finally(() => proxy.stop());

      // Assess
      expect(faulty.code).toBe(1);
      expect(without(verdictsOf(faulty.report), bucket)).toEqual(
        without(verdictsOf(clean.report), bucket),
      );
      const mine = faulty.report.evaluations.filter(
        (evaluation) => evaluation.resourceId === bucket,
      );
      expect(mine.length).toBeGreaterThan(0);
      for (const evaluation of mine) {
        expect(evaluation).toMatchObject({ complianceType: 'NON_COMPLIANT', unverifiable: true });
        expect(evaluation.annotation).toMatch(/could not be read: .*InvalidRequest/);
      }
    }, 180_000);

    it('reports the bucket answering 403 as "Could not verify", never as a plain violation', async () => {
      const bucket = seeded.buckets.vpceOnly;
      const proxy = await startFaultProxy(moto.url, { bucketPolicyStatus: { [bucket]: 403 } });

      const faulty = await scanThrough(proxy.url).finally(() => proxy.stop());

      expect(without(verdictsOf(faulty.report), bucket)).toEqual(
        without(verdictsOf(clean.report), bucket),
      );
      for (const evaluation of faulty.report.evaluations.filter((e) => e.resourceId === bucket)) {
        expect(evaluation).toMatchObject({ complianceType: 'NON_COMPLIANT', unverifiable: true });
        expect(evaluation.annotation).toMatch(/^Could not verify/);
      }
    }, 180_000);

    it('ends a read of an endpoint that never answers with a clear error instead of hanging', async () => {
      // Prepare: short timeouts keep the test quick; the CLI's defaults are 5 s and 15 s.
      const proxy = await startFaultProxy(moto.url, { silent: true }, { lifetimeMs: 60_000 });
      const view = createLiveView({
        ...motoClientOptions(proxy.url),
        maxAttempts: 3,
        connectionTimeoutMs: 1_000,
        requestTimeoutMs: 500,
        wholeLists: true,
      });

      // Act
      const listing = view.list('AWS::EC2::VPC').finally(() => proxy.stop());

      // Assess
      await expect(listing).rejects.toBeInstanceOf(AwsReadError);
      await expect(listing).rejects.toThrow(/ec2:DescribeVpcs failed/);
    }, 60_000);

    it('ends `scan --live` against a silent endpoint with exit 2 and one clear line', async () => {
      // Prepare: the request timeout shortened through its documented variable.
      const proxy = await startFaultProxy(moto.url, { silent: true }, { lifetimeMs: 60_000 });
      const saved = process.env.VPCE_GUARD_REQUEST_TIMEOUT_MS;
      process.env.VPCE_GUARD_REQUEST_TIMEOUT_MS = '500';
      let stderr = '';

      // Act
      const code = await main(
        ['scan', '--live', '--endpoint-url', proxy.url, '--region', 'us-east-1'],
        {
          stdout: { write: () => true, isTTY: false },
          stderr: { write: (text: string) => (stderr += text), isTTY: false },
          env: {},
        },
      ).finally(async () => {
        if (saved === undefined) delete process.env.VPCE_GUARD_REQUEST_TIMEOUT_MS;
        else process.env.VPCE_GUARD_REQUEST_TIMEOUT_MS = saved;
        await proxy.stop();
      });

      // Assess
      expect(code).toBe(2);
      expect(stderr).toMatch(/^vpce-guard: .+ failed \(TimeoutError/);
      expect(stderr).not.toMatch(/\n\s+at /);
    }, 60_000);

    it('stops by itself and answers no more than its request bound', async () => {
      const proxy = await startFaultProxy(moto.url, {}, { maxRequests: 1, lifetimeMs: 60_000 });
      const first = await fetch(`${proxy.url}/moto-api/`);
      const second = await fetch(`${proxy.url}/moto-api/`);
      await proxy.stop();

      expect(first.status).toBe(200);
      expect(second.status).toBe(503);
      await expect(fetch(`${proxy.url}/moto-api/`)).rejects.toThrow();
    });
  },
  { resetEachTest: false },
);
