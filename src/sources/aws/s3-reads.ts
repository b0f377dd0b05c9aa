import {
  GetBucketLocationCommand,
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  paginateListBuckets,
} from '@aws-sdk/client-s3';
import type { Bucket, PolicySource, PublicAccessBlock } from '../../model/resources.js';
import { chunk, mapLimit } from '../../util/concurrency.js';
import { byCodeUnits } from '../../util/order.js';
import type { SweepRange, SweepSlice } from '../view.js';
import type { ConfigBucketReader } from './config-reads.js';
import { bucketFromReads } from './normalise.js';
import type { ReadContext } from './read-context.js';
import { errorCode, errorMessage, isDenied, readFailure } from './read-errors.js';

/** A bucket's tags, or why they could not be read. */
interface TagsRead {
  tags: Record<string, string>;
  unreadable?: string;
}

interface BucketReadOptions {
  /** Read each bucket's public access block (one GetPublicAccessBlock per bucket). */
  readPublicAccessBlock: boolean;
}

/** ListBuckets page size: S3's maximum. */
const LIST_BUCKETS_PAGE = 10_000;

/** The region of a bucket; a denied read counts as the view's region so the bucket is judged. */
const bucketLocation = async (
  context: ReadContext,
  name: string,
  fallback: string,
): Promise<string> => {
  try {
    const { LocationConstraint } = await context.clients.s3.send(
      new GetBucketLocationCommand({ Bucket: name }),
    );
    // An empty constraint is us-east-1; `EU` is the legacy name of eu-west-1.
    if (!LocationConstraint) return 'us-east-1';
    return LocationConstraint === 'EU' ? 'eu-west-1' : LocationConstraint;
  } catch (error) {
    if (!isDenied(error)) throw readFailure(`s3:GetBucketLocation on bucket ${name}`, error);
    context.warnings.push(
      `Region of bucket ${name} unknown (s3:GetBucketLocation denied); judged in ${fallback}`,
    );
    return fallback;
  }
};

/** The three S3 reads for one bucket; `undefined` when the bucket no longer exists. */
const bucketFromS3 = async (
  context: ReadContext,
  name: string,
  region: string,
  options: BucketReadOptions,
): Promise<Bucket | undefined> => {
  const s3 = context.clients.s3;
  const gone = Symbol('gone');
  const read = async <R>(
    action: string,
    call: () => Promise<R>,
    onError: (error: unknown) => R,
  ): Promise<R | typeof gone> => {
    try {
      return await call();
    } catch (error) {
      if (errorCode(error) === 'NoSuchBucket') return gone;
      const handled = onError(error);
      if (handled !== undefined) return handled;
      throw readFailure(`${action} on bucket ${name}`, error);
    }
  };
  const denied = (action: string, error: unknown) =>
    `${action} was denied (${errorCode(error)}${errorMessage(error) && errorMessage(error) !== 'UnknownError' ? `: ${errorMessage(error)}` : ''})`;

  const [policy, tags, publicAccessBlock] = await Promise.all([
    read<PolicySource | undefined>(
      's3:GetBucketPolicy',
      async () => {
        const { Policy } = await s3.send(new GetBucketPolicyCommand({ Bucket: name }));
        return Policy ? { kind: 'present', text: Policy } : { kind: 'absent' };
      },
      (error) => {
        if (errorCode(error) === 'NoSuchBucketPolicy') return { kind: 'absent' };
        return isDenied(error)
          ? { kind: 'unreadable', reason: denied('s3:GetBucketPolicy', error) }
          : undefined;
      },
    ),
    read<TagsRead | undefined>(
      's3:GetBucketTagging',
      async () => {
        const { TagSet } = await s3.send(new GetBucketTaggingCommand({ Bucket: name }));
        const tags: Record<string, string> = {};
        for (const tag of TagSet ?? []) {
          // defineProperty: a tag named `__proto__` is a tag, not the object's prototype.
          if (tag.Key) {
            Object.defineProperty(tags, tag.Key, {
              value: tag.Value ?? '',
              enumerable: true,
              writable: true,
              configurable: true,
            });
          }
        }
        return { tags };
      },
      (error) => {
        if (errorCode(error) === 'NoSuchTagSet') return { tags: {} };
        if (!isDenied(error)) return undefined;
        const reason = denied('s3:GetBucketTagging', error);
        context.warnings.push(`Tags of bucket ${name} unknown: ${reason}`);
        return { tags: {}, unreadable: reason };
      },
    ),
    read<PublicAccessBlock | null | undefined>(
      's3:GetPublicAccessBlock',
      async () => {
        if (!options.readPublicAccessBlock) return null;
        const { PublicAccessBlockConfiguration: block } = await s3.send(
          new GetPublicAccessBlockCommand({ Bucket: name }),
        );
        return block
          ? {
              blockPublicAcls: block.BlockPublicAcls === true,
              ignorePublicAcls: block.IgnorePublicAcls === true,
              blockPublicPolicy: block.BlockPublicPolicy === true,
              restrictPublicBuckets: block.RestrictPublicBuckets === true,
            }
          : null;
      },
      // `null` means "known: none"; `undefined` would mean "unhandled error".
      (error) => {
        if (errorCode(error) === 'NoSuchPublicAccessBlockConfiguration') return null;
        if (!isDenied(error)) return undefined;
        context.warnings.push(
          `Public access block of bucket ${name} unknown: ${denied('s3:GetPublicAccessBlock', error)}`,
        );
        return null;
      },
    ),
  ]);
  if (policy === gone || tags === gone || publicAccessBlock === gone) return undefined;
  return bucketFromReads({
    name,
    region,
    accountId: context.accountId,
    policy: policy ?? { kind: 'absent' },
    tags: tags?.tags ?? {},
    tagsUnreadable: tags?.unreadable,
    publicAccessBlock: publicAccessBlock ?? undefined,
  });
};

/** Buckets read per step of a sweep: one BatchGetResourceConfig's worth. */
const SWEEP_BATCH = 100;

/** Bucket names (ascending) and, where S3 says, their regions. */
const listBucketNames = async (
  context: ReadContext,
  region: string,
): Promise<{ name: string; region: string | undefined }[]> => {
  const all: { name: string; region: string | undefined }[] = [];
  try {
    // The region filter runs in S3 and makes S3 name each bucket's region; S3 pages above
    // 10,000 buckets and rejects an unpaginated list for accounts allowed more than that.
    for await (const page of paginateListBuckets(
      { client: context.clients.s3, pageSize: LIST_BUCKETS_PAGE },
      { BucketRegion: region },
    )) {
      for (const bucket of page.Buckets ?? []) {
        if (bucket.Name) all.push({ name: bucket.Name, region: bucket.BucketRegion || undefined });
      }
    }
  } catch (error) {
    throw readFailure('s3:ListAllMyBuckets', error);
  }
  return all.sort((a, b) => byCodeUnits(a.name, b.name));
};

/**
 * The buckets of the view's region, Config's items where it holds them and S3 reads otherwise,
 * from `range.fromId` on and only until `range.deadline` (a periodic sweep's slice).
 */
const fetchBuckets = async (
  context: ReadContext,
  config: ConfigBucketReader,
  options: BucketReadOptions,
  range: SweepRange = {},
): Promise<SweepSlice<'AWS::S3::Bucket'>> => {
  const region = await context.region();
  const all = await listBucketNames(context, region);
  const from = range.fromId;
  const wanted = from === undefined ? all : all.filter((bucket) => bucket.name >= from);
  // One bucket that cannot be read (a 400, a throttled call past the retries) must not cost the
  // others their verdicts: it is recorded as a read failure and the sweep goes on.
  const isolated = async <R>(name: string, read: () => Promise<R>): Promise<R | undefined> => {
    try {
      return await read();
    } catch (error) {
      context.recordFailure('AWS::S3::Bucket', name, error);
      return undefined;
    }
  };
  const resources: Bucket[] = [];
  let nextId: string | undefined;
  for (const batch of chunk(wanted, SWEEP_BATCH)) {
    if (range.deadline !== undefined && Date.now() >= range.deadline) {
      nextId = batch[0]?.name;
      break;
    }
    // A regional view judges its own region's buckets, so a multi-region scan reports each bucket
    // once. S3-compatible APIs (moto) may ignore the filter and leave the region out; then
    // GetBucketLocation says where each bucket lives.
    const located = await mapLimit(batch, context.concurrency, (bucket) =>
      isolated(bucket.name, async () => ({
        name: bucket.name,
        region: bucket.region ?? (await bucketLocation(context, bucket.name, region)),
      })),
    );
    const listed: { name: string; region: string }[] = [];
    for (const bucket of located) if (bucket?.region === region) listed.push(bucket);
    const fromConfig = await config.buckets(listed.map((bucket) => bucket.name));
    const read = await mapLimit(listed, context.concurrency, (bucket) =>
      isolated(
        bucket.name,
        async () =>
          fromConfig.get(bucket.name) ??
          (await bucketFromS3(context, bucket.name, bucket.region, options)),
      ),
    );
    for (const bucket of read) if (bucket) resources.push(bucket);
  }
  return {
    resources,
    ids: all.map((bucket) => bucket.name),
    ...(nextId === undefined ? {} : { nextId }),
  };
};

/** One bucket by name, from Config when it holds it. */
const fetchBucket = async (
  context: ReadContext,
  config: ConfigBucketReader,
  name: string,
  options: BucketReadOptions,
): Promise<Bucket | undefined> => {
  const fromConfig = await config.buckets([name], { alreadyDiscovered: true });
  return fromConfig.get(name) ?? bucketFromS3(context, name, await context.region(), options);
};

export type { BucketReadOptions };
export { fetchBucket, fetchBuckets };
