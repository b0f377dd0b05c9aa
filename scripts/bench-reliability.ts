/**
 * Live-scan time under injected faults, and the bucket sweep's throughput, measured against
 * moto_server through the fault proxy (see RELIABILITY.md and BENCHMARKS.md). Every scenario
 * must give the fault-free verdicts; the script says so or exits 1.
 *   node bin/run-ts.js scripts/bench-reliability.ts [buckets=300]
 */
import { CreateBucketCommand, PutBucketPolicyCommand } from '@aws-sdk/client-s3';
import { policyText, tlsOnlyStatement } from '../src/rules/example-policies.js';
import { RULES } from '../src/rules/index.js';
import { parseParams } from '../src/rules/params.js';
import { scan } from '../src/scan/scan.js';
import { createClients, createLiveView } from '../src/sources/aws/index.js';
import { type FaultPlan, startFaultProxy } from '../test/integration/fault-proxy.js';
import { motoClientOptions, startMoto } from '../test/integration/moto.js';

const BUCKETS = Number(process.argv[2] ?? 300);
const RULE = RULES.find((rule) => rule.id === 's3-bucket-policy-tls-only');
if (!RULE) throw new Error('rule missing');
const params = new Map([[RULE.id, parseParams(RULE.id, RULE.parameters, {})]]);

const moto = await startMoto();
try {
  const seed = createClients(motoClientOptions(moto.url));
  for (let index = 0; index < BUCKETS; index += 1) {
    const name = `bench-${String(index).padStart(5, '0')}`;
    await seed.s3.send(new CreateBucketCommand({ Bucket: name }));
    if (index % 2 === 0) {
      await seed.s3.send(
        new PutBucketPolicyCommand({ Bucket: name, Policy: policyText([tlsOnlyStatement(name)]) }),
      );
    }
  }
  const run = async (plan: FaultPlan) => {
    const proxy = await startFaultProxy(moto.url, plan);
    try {
      const view = createLiveView({
        ...motoClientOptions(proxy.url),
        maxAttempts: undefined,
        wholeLists: true,
        readPublicAccessBlock: false,
      });
      const started = performance.now();
      const evaluations = await scan({ rules: [RULE], view, params });
      const seconds = (performance.now() - started) / 1000;
      const verdicts = evaluations.map((e) => `${e.resource.id}=${e.compliance}`).join(',');
      return { seconds, verdicts, retries: view.clients.retryBudget.retries, stats: proxy.stats };
    } finally {
      await proxy.stop();
    }
  };
  const scenarios: [string, FaultPlan][] = [
    ['fault-free', {}],
    ['5% throttled', { throttleShare: 0.05, seed: 5 }],
    ['20% throttled', { throttleShare: 0.2, seed: 20 }],
    ['40 ms per request', { delayMs: 40 }],
    ['40 ms per request, 5% throttled', { delayMs: 40, throttleShare: 0.05, seed: 5 }],
  ];
  const results = [];
  for (const [name, plan] of scenarios) results.push({ name, ...(await run(plan)) });
  const [clean] = results;
  let same = true;
  console.log(
    `| scenario (${BUCKETS} buckets, S3 path) | seconds | × fault-free | retries | buckets/s | verdicts |`,
  );
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const result of results) {
    const identical = result.verdicts === clean?.verdicts;
    same &&= identical;
    console.log(
      `| ${result.name} | ${result.seconds.toFixed(2)} | ${(result.seconds / (clean?.seconds ?? 1)).toFixed(2)} | ${result.retries} | ${(BUCKETS / result.seconds).toFixed(0)} | ${identical ? 'identical' : 'DIFFERENT'} |`,
    );
  }
  if (!same) process.exitCode = 1;
} finally {
  await moto.stop();
}
