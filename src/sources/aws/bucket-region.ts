import type { S3Client } from '@aws-sdk/client-s3';

/**
 * The region S3 names in a response's `x-amz-bucket-region` header, kept per call so the bucket
 * sweep can place a bucket from the policy read it makes anyway, never a GetBucketLocation per
 * bucket. S3 sends the header on a wrong-region 301 (PermanentRedirect, which the client follows)
 * and on many errors (NoSuchBucketPolicy, AccessDenied); a success without it was answered in the
 * client's own region.
 */

const HEADER = 'x-amz-bucket-region';
const CONTEXT_KEY = 'vpceGuardBucketRegion';
const CAPTURE = 'vpceGuardBucketRegionCapture';
const ATTACH = 'vpceGuardBucketRegionAttach';

/** Outputs and errors of calls whose responses named the bucket's region. */
const regions = new WeakMap<object, string>();

const headerOf = (response: unknown): string | undefined => {
  const headers = (response as { headers?: Record<string, unknown> } | undefined)?.headers;
  const value = headers?.[HEADER];
  return typeof value === 'string' && value !== '' ? value : undefined;
};

/** Adds the two middlewares to an S3 client; adding them twice is a no-op (override). */
const captureBucketRegions = (client: S3Client): S3Client => {
  // Inside the deserializer: sees every HTTP response of the call, the redirect's 301 included
  // (the last one that names a region wins, which is where the bucket was finally answered).
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const region = headerOf(result.response);
      if (region !== undefined) context[CONTEXT_KEY] = region;
      return result;
    },
    { step: 'deserialize', priority: 'low', name: CAPTURE, override: true },
  );
  // Outside the region-redirect middleware: hands what the call saw to its output or error.
  client.middlewareStack.add(
    (next, context) => async (args) => {
      try {
        const result = await next(args);
        const region: unknown = context[CONTEXT_KEY];
        if (typeof region === 'string') regions.set(result.output, region);
        return result;
      } catch (error) {
        const region: unknown = context[CONTEXT_KEY];
        if (typeof region === 'string' && typeof error === 'object' && error !== null) {
          regions.set(error, region);
        }
        throw error;
      }
    },
    { step: 'initialize', priority: 'high', name: ATTACH, override: true },
  );
  return client;
};

/**
 * The bucket region a call's output or error named, if it named one. An SDK error carries the raw
 * response too, so errors from clients without the middleware (test doubles) still answer.
 */
const bucketRegionOf = (outputOrError: unknown): string | undefined => {
  if (typeof outputOrError !== 'object' || outputOrError === null) return undefined;
  return (
    regions.get(outputOrError) ?? headerOf((outputOrError as { $response?: unknown }).$response)
  );
};

export { bucketRegionOf, captureBucketRegions };
