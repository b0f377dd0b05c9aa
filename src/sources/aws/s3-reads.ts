import {
  GetBucketPolicyCommand,
  GetBucketTaggingCommand,
  GetPublicAccessBlockCommand,
  paginateListBuckets,
} from '@aws-sdk/client-s3';
import type { Bucket, PolicySource, PublicAccessBlock } from '../../model/resources.js';
import { chunk, mapLimit } from '../../util/concurrency.js';
import { byCodeUnits } from '../../util/order.js';
import type { SweepRange, SweepSlice } from '../view.js';
import { bucketRegionOf } from './bucket-region.js';
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
  /**
   * Read each bucket's tags (one GetBucketTagging per bucket). Only a rule scoped by tag needs
   * them; without them a bucket's tags are marked unread, so a tag-scoped rule says it could not
   * verify the scope rather than judging the bucket out of scope.
   */
  readTags: boolean;
}

/** ListBuckets page size: S3's maximum. */
const LIST_BUCKETS_PAGE = 10_000;

/** Why a bucket has no tags when the view was built without tag reads. */
const TAGS_NOT_READ =
  'its tags were not read (the live view was built without bucket tags, as no selected rule is scoped by tag)';

/** A bucket's policy read, and the region its answer named (`undefined`: the client's own). */
interface PolicyRead {
  policy: PolicySource;
  region: string | undefined;
}

const GONE = Symbol('gone');
/** A sweep's bucket whose reads would have started after the deadline: the next slice's first. */
const NOT_READ = Symbol('not-read');

const deniedReason = (action: string, error: unknown): string =>
  `${action} was denied (${errorCode(error)}${errorMessage(error) && errorMessage(error) !== 'UnknownError' ? `: ${errorMessage(error)}` : ''})`;

/**
 * One S3 read of a bucket: `GONE` when the bucket no longer exists, `onError`'s answer for the
 * errors it handles, otherwise a read failure naming the action.
 */
const readOf = async <R>(
  name: string,
  action: string,
  call: () => Promise<R>,
  onError: (error: unknown) => R | undefined,
): Promise<R | typeof GONE> => {
  try {
    return await call();
  } catch (error) {
    if (errorCode(error) === 'NoSuchBucket') return GONE;
    const handled = onError(error);
    if (handled !== undefined) return handled;
    throw readFailure(`${action} on bucket ${name}`, error);
  }
};

/** GetBucketPolicy, which also says where the bucket lives (see bucket-region.ts). */
const readPolicy = (context: ReadContext, name: string): Promise<PolicyRead | typeof GONE> =>
  readOf<PolicyRead>(
    name,
    's3:GetBucketPolicy',
    async () => {
      const output = await context.clients.s3.send(new GetBucketPolicyCommand({ Bucket: name }));
      return {
        policy: output.Policy ? { kind: 'present', text: output.Policy } : { kind: 'absent' },
        region: bucketRegionOf(output),
      };
    },
    (error) => {
      if (errorCode(error) === 'NoSuchBucketPolicy') {
        return { policy: { kind: 'absent' }, region: bucketRegionOf(error) };
      }
      return isDenied(error)
        ? {
            policy: { kind: 'unreadable', reason: deniedReason('s3:GetBucketPolicy', error) },
            region: bucketRegionOf(error),
          }
        : undefined;
    },
  );

const readTags = (context: ReadContext, name: string): Promise<TagsRead | typeof GONE> =>
  readOf<TagsRead>(
    name,
    's3:GetBucketTagging',
    async () => {
      const { TagSet } = await context.clients.s3.send(
        new GetBucketTaggingCommand({ Bucket: name }),
      );
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
      const reason = deniedReason('s3:GetBucketTagging', error);
      context.warnings.push(`Tags of bucket ${name} unknown: ${reason}`);
      return { tags: {}, unreadable: reason };
    },
  );

// `null` means "known: none" (or not asked for).
const readPublicAccessBlock = (
  context: ReadContext,
  name: string,
): Promise<PublicAccessBlock | null | typeof GONE> =>
  readOf<PublicAccessBlock | null>(
    name,
    's3:GetPublicAccessBlock',
    async () => {
      const { PublicAccessBlockConfiguration: block } = await context.clients.s3.send(
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
    (error) => {
      if (errorCode(error) === 'NoSuchPublicAccessBlockConfiguration') return null;
      if (!isDenied(error)) return undefined;
      context.warnings.push(
        `Public access block of bucket ${name} unknown: ${deniedReason('s3:GetPublicAccessBlock', error)}`,
      );
      return null;
    },
  );

/** Where a bucket lives, and whether the reads should stop at the policy (another region's). */
interface Placement {
  /** The region ListBuckets named; `undefined` when the API left it out (moto, older APIs). */
  listed: string | undefined;
  /** The region the view judges: the client's own, where a response names none. */
  home: string;
  /** A sweep judges only its own region's buckets; a bucket asked for by name is judged anywhere. */
  ownRegionOnly: boolean;
}

/**
 * The S3 reads of one bucket: the policy, and where asked for its tags and public access block;
 * `undefined` when the bucket no longer exists or, in a sweep, lives in another region. The region
 * comes from ListBuckets or from the policy read's own answer, never from a GetBucketLocation.
 */
const bucketFromS3 = async (
  context: ReadContext,
  name: string,
  placement: Placement,
  options: BucketReadOptions,
): Promise<Bucket | undefined> => {
  const policyRead = readPolicy(context, name);
  const placed = policyRead.then((read) => {
    if (read === GONE) return undefined;
    const region = placement.listed ?? read.region ?? placement.home;
    return placement.ownRegionOnly && region !== placement.home ? undefined : region;
  });
  // Where ListBuckets named the region, every read starts at once; otherwise the policy read says
  // first whether the bucket is this region's, and another region's costs nothing more.
  const ready = placement.listed === undefined ? placed : Promise.resolve(placement.listed);
  const when = <R>(wanted: boolean, read: () => Promise<R | typeof GONE>) =>
    wanted
      ? ready.then((region) => (region === undefined ? undefined : read()))
      : Promise.resolve(undefined);
  const [region, policy, tags, publicAccessBlock] = await Promise.all([
    placed,
    policyRead,
    when(options.readTags, () => readTags(context, name)),
    when(options.readPublicAccessBlock, () => readPublicAccessBlock(context, name)),
  ]);
  if (region === undefined || policy === GONE || tags === GONE || publicAccessBlock === GONE) {
    return undefined;
  }
  return bucketFromReads({
    name,
    region,
    accountId: context.accountId,
    policy: policy.policy,
    tags: tags?.tags ?? {},
    tagsUnreadable: options.readTags ? tags?.unreadable : TAGS_NOT_READ,
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
  const resources: Bucket[] = [];
  let nextId: string | undefined;
  for (const batch of chunk(wanted, SWEEP_BATCH)) {
    if (range.deadline !== undefined && Date.now() >= range.deadline) {
      nextId = batch[0]?.name;
      break;
    }
    // A regional view judges its own region's buckets, so a multi-region scan reports each bucket
    // once. S3 names each bucket's region; where an S3-compatible API (moto) leaves it out, the
    // policy read's answer places the bucket (bucketFromS3), and Config only holds its region's.
    const candidates = batch.filter(
      (bucket) => bucket.region === undefined || bucket.region === region,
    );
    const fromConfig = await config.buckets(candidates.map((bucket) => bucket.name));
    const read = await mapLimit(candidates, context.concurrency, async (bucket) => {
      // Checked per bucket, not only per batch: a batch's reads started past the deadline can
      // outlast the invocation (a slow S3 answers a request only at its timeout), and then nothing
      // is delivered nor any cursor saved. Buckets start in order, so those not read are a tail.
      if (range.deadline !== undefined && Date.now() >= range.deadline) return NOT_READ;
      const recorded = fromConfig.get(bucket.name);
      if (recorded) {
        return bucket.region !== undefined || recorded.region === region ? recorded : undefined;
      }
      const placement = { listed: bucket.region, home: region, ownRegionOnly: true };
      try {
        return await bucketFromS3(context, bucket.name, placement, options);
      } catch (error) {
        // One bucket that cannot be read (a 400, a throttled call past the retries) must not cost
        // the others their verdicts: it is recorded as a read failure and the sweep goes on.
        // A failed read that names another region is that region's bucket, not a failure here.
        const named = bucketRegionOf(error instanceof Error ? error.cause : undefined);
        if (bucket.region === undefined && named !== undefined && named !== region)
          return undefined;
        context.recordFailure('AWS::S3::Bucket', bucket.name, error);
        return undefined;
      }
    });
    const unread = read.indexOf(NOT_READ);
    for (const bucket of unread < 0 ? read : read.slice(0, unread)) {
      if (bucket && bucket !== NOT_READ) resources.push(bucket);
    }
    if (unread >= 0) {
      nextId = candidates[unread]?.name;
      break;
    }
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
  const placement = { listed: undefined, home: await context.region(), ownRegionOnly: false };
  return fromConfig.get(name) ?? bucketFromS3(context, name, placement, options);
};

export type { BucketReadOptions };
export { fetchBucket, fetchBuckets };
