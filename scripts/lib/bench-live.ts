/**
 * The live bucket sweep without AWS Config, against moto_server: API calls per bucket, and wall
 * time against the naive loop a script would write (ListBuckets, then GetBucketPolicy per bucket)
 * in the same run. The buckets and their policies come from the synthetic generator, so the
 * sweep's NON_COMPLIANT counts are checked too.
 */
import {
  CreateBucketCommand,
  GetBucketPolicyCommand,
  ListBucketsCommand,
  PutBucketPolicyCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { RULES } from '../../src/rules/index.js';
import { scan } from '../../src/scan/scan.js';
import { bucketTagsNeeded, createClients, createLiveView } from '../../src/sources/aws/index.js';
import { motoClientOptions, startMoto } from '../../test/integration/moto.js';
import { synthesizeSnapshot } from './synth.js';
import { countMismatches, defaultParams, nonCompliantByRule } from './synth-check.js';

interface LiveFigure {
  buckets: number;
  /** Calls of the sweep as moto answers (ListBuckets filtered by region, no BucketRegion field). */
  calls: number;
  callsPerBucket: number;
  byOperation: Record<string, number>;
  sweepMs: number;
  naiveMs: number;
  /** Sweep wall time / naive loop wall time. */
  ratio: number;
}

// The SDK's Node-20 notice would interleave with the benchmark's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const BUCKET_RULES = RULES.filter((rule) => rule.resourceType === 'AWS::S3::Bucket');

const measureLiveSweep = async (buckets: number, seed = 3): Promise<LiveFigure> => {
  const moto = await startMoto();
  try {
    const options = motoClientOptions(moto.url);
    const clients = createClients(options);
    const { snapshot, expected } = synthesizeSnapshot({
      resources: buckets,
      seed,
      profile: 'buckets',
    });
    for (const item of snapshot.configurationItems) {
      const name = item.resourceId as string;
      await clients.s3.send(new CreateBucketCommand({ Bucket: name }));
      const text = (
        item.supplementaryConfiguration as { BucketPolicy: { policyText: string | null } }
      ).BucketPolicy.policyText;
      if (text) await clients.s3.send(new PutBucketPolicyCommand({ Bucket: name, Policy: text }));
    }
    const params = defaultParams();

    const view = createLiveView({
      clients: createClients(options),
      wholeLists: true,
      readPublicAccessBlock: false,
      // As the CLI and the rule Lambdas build it: tags only for a rule scoped by tag.
      readBucketTags: bucketTagsNeeded(BUCKET_RULES.map((rule) => params.get(rule.id))),
      accountId: '123456789012',
    });
    const started = performance.now();
    const evaluations = await scan({ rules: BUCKET_RULES, view, params });
    const sweepMs = performance.now() - started;
    const wrong = countMismatches(
      nonCompliantByRule(evaluations),
      expected,
      BUCKET_RULES.map((rule) => rule.id),
    );
    if (wrong.length > 0)
      throw new Error(`live sweep: wrong NON_COMPLIANT counts: ${wrong.join(', ')}`);
    const calls = view.counter.toJSON();

    const s3 = new S3Client({ ...clientConfig(options) });
    const naiveStarted = performance.now();
    const listed = await s3.send(new ListBucketsCommand({}));
    for (const bucket of listed.Buckets ?? []) {
      try {
        await s3.send(new GetBucketPolicyCommand({ Bucket: bucket.Name }));
      } catch {
        // NoSuchBucketPolicy: the naive loop moves on, as the sweep does.
      }
    }
    const naiveMs = performance.now() - naiveStarted;
    return {
      buckets,
      calls: calls.total,
      callsPerBucket: calls.total / buckets,
      byOperation: calls.byOperation,
      sweepMs,
      naiveMs,
      ratio: sweepMs / naiveMs,
    };
  } finally {
    await moto.stop();
  }
};

/** The S3 client settings the project's own clients use against moto. */
const clientConfig = (options: ReturnType<typeof motoClientOptions>) => ({
  endpoint: options.endpointUrl,
  region: options.region,
  credentials: options.credentials,
  forcePathStyle: true,
  maxAttempts: 1,
});

export type { LiveFigure };
export { measureLiveSweep };
