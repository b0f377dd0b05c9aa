/**
 * "Scale on paper": what an organisation costs per day, from the engine's measured cost per
 * evaluation plus published prices and stated assumptions. Every assumption is a named input, so
 * the table in BENCHMARKS.md says exactly what it rests on.
 */

const ORG = { accounts: 500, regions: 4, bucketsPerRegion: 2000 };

const ASSUMPTIONS = {
  /** The two bucket-policy rules run as periodic (24 h) sweeps plus change events. */
  bucketRules: 2,
  /** Share of buckets whose configuration changes on a given day (each change: one event per rule). */
  dailyChangeShare: 0.02,
  /** The functions' memory (serverless config) and the vCPU share Lambda gives it (1 vCPU at 1,769 MB). */
  lambdaMemoryMb: 256,
  fullVcpuMb: 1769,
  lambdaTimeoutS: 300,
  /** Memory the runtime, the SDK and the code take before the first bucket. */
  runtimeBaselineMb: 80,
  /** Keep this share of the timeout for delivery and retries before handing over to the cursor. */
  usableTimeoutShare: 0.8,
  /** S3 GetBucketPolicy latency from Lambda in the same region, and the reader's concurrency. */
  s3CallMs: 25,
  s3Concurrency: 16,
  /** Config BatchGetResourceConfig (100 items) latency. */
  configBatchMs: 150,
  /** PutEvaluations takes 100 evaluations per call. */
  evaluationsPerPut: 100,
};

/** us-east-1 list prices (USD), checked 2026-11; see the AWS pricing pages before relying on them. */
const PRICES = {
  lambdaArmGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  /** AWS Config custom rule evaluations, per account and region per month: tiers. */
  configEvaluationTiers: [
    { upTo: 100_000, price: 0.001 },
    { upTo: 500_000, price: 0.0008 },
    { upTo: Number.POSITIVE_INFINITY, price: 0.0005 },
  ],
  s3GetPer1000: 0.0004,
};

interface Projection {
  rows: [string, string][];
  largestAccountS3: number;
  largestAccountConfig: number;
}

const configMonthlyCost = (evaluationsPerMonth: number): number => {
  let cost = 0;
  let from = 0;
  for (const tier of PRICES.configEvaluationTiers) {
    const inTier = Math.max(0, Math.min(evaluationsPerMonth, tier.upTo) - from);
    cost += inTier * tier.price;
    from = tier.upTo;
    if (evaluationsPerMonth <= from) break;
  }
  return cost;
};

const fmt = (n: number, digits = 0): string =>
  n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });

/**
 * @param msPerEvaluation engine CPU time per bucket evaluation on the benchmark machine (measured)
 * @param bytesPerBucket peak memory per bucket of a whole-account scan (measured CLI peak RSS / buckets)
 */
const project = (msPerEvaluation: number, bytesPerBucket: number): Projection => {
  const a = ASSUMPTIONS;
  const accountRegions = ORG.accounts * ORG.regions;
  const buckets = accountRegions * ORG.bucketsPerRegion;
  const periodic = buckets * a.bucketRules;
  const changes = Math.round(buckets * a.dailyChangeShare) * a.bucketRules;
  const evaluations = periodic + changes;

  // Lambda at 256 MB gets 256/1769 of a vCPU: CPU-bound work runs that much slower than here.
  const cpuMs = msPerEvaluation * (a.fullVcpuMb / a.lambdaMemoryMb);
  const s3WaitMs = a.s3CallMs / a.s3Concurrency;
  const configWaitMs = a.configBatchMs / 100;
  const perBucketS3Ms = cpuMs + s3WaitMs;
  const perBucketConfigMs = cpuMs + configWaitMs;
  const gbSecondsS3 = (evaluations * perBucketS3Ms * a.lambdaMemoryMb) / 1024 / 1000;
  const gbSecondsConfig = (evaluations * perBucketConfigMs * a.lambdaMemoryMb) / 1024 / 1000;

  const invocations = accountRegions * a.bucketRules + changes;
  // Change events carry the configuration item: only the sweeps read.
  const s3Calls = accountRegions * a.bucketRules * (1 + ORG.bucketsPerRegion);
  const configCalls =
    accountRegions * a.bucketRules * (1 + 2 * Math.ceil(ORG.bucketsPerRegion / 100));
  const putCalls =
    accountRegions * a.bucketRules * Math.ceil(ORG.bucketsPerRegion / a.evaluationsPerPut) +
    changes;

  const perAccountRegionMonth = (evaluations / accountRegions) * 30;
  const configPerDay = (configMonthlyCost(perAccountRegionMonth) * accountRegions) / 30;
  const lambdaPerDay = (gb: number) =>
    gb * PRICES.lambdaArmGbSecond + invocations * PRICES.lambdaRequest;
  const s3RequestsPerDay = (s3Calls / 1000) * PRICES.s3GetPer1000;

  const budgetMs = a.lambdaTimeoutS * 1000 * a.usableTimeoutShare;
  // Whichever runs out first: the time budget, or the function's memory holding the account.
  const memoryBound = Math.floor(
    ((a.lambdaMemoryMb - a.runtimeBaselineMb) * 1024 * 1024) / bytesPerBucket,
  );
  const largestAccountS3 = Math.min(memoryBound, Math.floor(budgetMs / perBucketS3Ms));
  const largestAccountConfig = Math.min(memoryBound, Math.floor(budgetMs / perBucketConfigMs));

  const rows: [string, string][] = [
    ['buckets (500 accounts × 4 regions × 2,000)', fmt(buckets)],
    [
      `Config rule evaluations per day (${a.bucketRules} rules × every bucket daily + ${a.dailyChangeShare * 100}% changed)`,
      fmt(evaluations),
    ],
    ['PutEvaluations calls per day (100 per call in sweeps, one per change event)', fmt(putCalls)],
    [
      'Lambda invocations per day (one sweep per rule, account and region, plus change events)',
      fmt(invocations),
    ],
    [
      'read calls per day, bucket policies from S3 (ListBuckets + 1 GetBucketPolicy per bucket)',
      fmt(s3Calls),
    ],
    [
      'read calls per day, bucket policies from AWS Config (ListDiscoveredResources + BatchGetResourceConfig, 100 a call)',
      fmt(configCalls),
    ],
    [
      `engine CPU per evaluation, measured here → at ${a.lambdaMemoryMb} MB (${fmt(a.fullVcpuMb / a.lambdaMemoryMb, 1)}× slower)`,
      `${fmt(msPerEvaluation, 3)} ms → ${fmt(cpuMs, 2)} ms`,
    ],
    [
      `Lambda GB-seconds per day, S3 reads (${a.s3CallMs} ms a call, ${a.s3Concurrency} in flight)`,
      fmt(gbSecondsS3),
    ],
    [
      `Lambda GB-seconds per day, Config reads (${a.configBatchMs} ms per 100)`,
      fmt(gbSecondsConfig),
    ],
    [
      'Lambda cost per day (arm64, S3 reads / Config reads)',
      `$${fmt(lambdaPerDay(gbSecondsS3), 2)} / $${fmt(lambdaPerDay(gbSecondsConfig), 2)}`,
    ],
    ['S3 GET request cost per day (S3 reads)', `$${fmt(s3RequestsPerDay, 2)}`],
    [
      'AWS Config rule evaluation cost per day (tiered per account and region)',
      `$${fmt(configPerDay, 0)}`,
    ],
    [
      `largest account-region one invocation sweeps: ${a.lambdaTimeoutS} s × ${a.usableTimeoutShare}, or ${a.lambdaMemoryMb - a.runtimeBaselineMb} MB at ${fmt(bytesPerBucket / 1024, 1)} KiB a bucket (CLI scan peak RSS, an upper bound), S3 / Config reads`,
      `${fmt(largestAccountS3)} / ${fmt(largestAccountConfig)} buckets${memoryBound <= Math.min(largestAccountS3, largestAccountConfig) ? ' (memory-bound)' : ''}`,
    ],
  ];
  return { rows, largestAccountS3, largestAccountConfig };
};

export type { Projection };
export { ASSUMPTIONS, ORG, PRICES, project };
