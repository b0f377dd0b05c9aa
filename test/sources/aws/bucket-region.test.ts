import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { findRule } from '../../../src/rules/index.js';
import { parseParams } from '../../../src/rules/params.js';
import { scan } from '../../../src/scan/scan.js';
import { bucketTagsNeeded, createLiveView } from '../../../src/sources/aws/live-view.js';

/**
 * Where a bucket lives, as real S3 says it over HTTP: a raw stub that answers the way S3 does
 * (moto answers every bucket from every region and never sends x-amz-bucket-region), so the SDK,
 * its region-redirect middleware and the view's header capture all run for real.
 */

const HOME = 'eu-west-1';
const FAR = 'us-west-2';
const ACCOUNT = '111122223333';

interface StubBucket {
  region: string;
  policy?: string;
  /** GetBucketPolicy answers 403, as a bucket whose own policy denies the scanner does. */
  denied?: boolean;
  tags?: Record<string, string>;
}

const tlsOnly = (bucket: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Deny',
        Principal: '*',
        Action: 's3:*',
        Resource: [`arn:aws:s3:::${bucket}`, `arn:aws:s3:::${bucket}/*`],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      },
    ],
  });

const xmlError = (code: string, message: string) =>
  `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`;

/** The region a SigV4 request was signed for: what S3 compares with the bucket's region. */
const signedRegion = (request: IncomingMessage): string | undefined =>
  /Credential=[^/]+\/\d{8}\/([^/]+)\/s3\//.exec(request.headers.authorization ?? '')?.[1];

class S3Stub {
  readonly buckets = new Map<string, StubBucket>();
  /** Every request as `METHOD /bucket?query region`, to assert what the view asked. */
  readonly requests: string[] = [];
  /** Whether ListBuckets names each bucket's region (S3 does when the region filter is sent). */
  listsRegions = true;
  /** Whether ListBuckets applies the `bucket-region` filter (S3 does; some compatible APIs not). */
  filters = true;
  private server: Server | undefined;

  async start(): Promise<string> {
    this.server = createServer((request, response) => this.answer(request, response));
    await new Promise<void>((resolve) => this.server?.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  stop(): Promise<void> {
    return new Promise((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  private answer(request: IncomingMessage, response: ServerResponse): void {
    const url = new URL(request.url ?? '/', 'http://stub');
    const name = decodeURIComponent(url.pathname.replace(/^\/|\/$/g, ''));
    const region = signedRegion(request);
    this.requests.push(`${request.method} /${name}${url.search} ${region}`);
    const send = (status: number, body: string, headers: Record<string, string> = {}) => {
      response.writeHead(status, { 'content-type': 'application/xml', ...headers });
      response.end(body);
    };
    if (name === '') {
      const filter = this.filters ? url.searchParams.get('bucket-region') : null;
      const listed = [...this.buckets].filter(([, b]) => filter === null || b.region === filter);
      const entries = listed
        .map(
          ([bucket, b]) =>
            `<Bucket><Name>${bucket}</Name><CreationDate>2026-01-01T00:00:00.000Z</CreationDate>${this.listsRegions ? `<BucketRegion>${b.region}</BucketRegion>` : ''}</Bucket>`,
        )
        .join('');
      send(
        200,
        `<?xml version="1.0" encoding="UTF-8"?><ListAllMyBucketsResult xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Buckets>${entries}</Buckets><Owner><ID>owner</ID></Owner></ListAllMyBucketsResult>`,
      );
      return;
    }
    const bucket = this.buckets.get(name);
    if (!bucket) {
      send(404, xmlError('NoSuchBucket', 'The specified bucket does not exist'));
      return;
    }
    const where = { 'x-amz-bucket-region': bucket.region };
    if (region !== bucket.region) {
      send(
        301,
        xmlError(
          'PermanentRedirect',
          'The bucket you are attempting to access must be addressed using the specified endpoint.',
        ),
        where,
      );
      return;
    }
    if (url.searchParams.has('policy')) {
      if (bucket.denied) send(403, xmlError('AccessDenied', 'Access Denied'), where);
      else if (bucket.policy === undefined) {
        send(404, xmlError('NoSuchBucketPolicy', 'The bucket policy does not exist'), where);
      } else send(200, bucket.policy, { 'content-type': 'application/json' });
      return;
    }
    if (url.searchParams.has('tagging')) {
      const tags = Object.entries(bucket.tags ?? {});
      if (tags.length === 0)
        send(404, xmlError('NoSuchTagSet', 'The TagSet does not exist'), where);
      else {
        const set = tags.map(([k, v]) => `<Tag><Key>${k}</Key><Value>${v}</Value></Tag>`).join('');
        send(200, `<Tagging><TagSet>${set}</TagSet></Tagging>`);
      }
      return;
    }
    send(400, xmlError('InvalidRequest', `stub does not answer ${url.search}`));
  }
}

describe('bucket regions from S3 answers (no GetBucketLocation)', () => {
  const stub = new S3Stub();
  let endpointUrl = '';
  const view = (options: { readBucketTags?: boolean; wholeLists?: boolean } = {}) =>
    createLiveView({
      endpointUrl,
      region: HOME,
      maxAttempts: 1,
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      accountId: ACCOUNT,
      bucketSource: 's3',
      wholeLists: true,
      readPublicAccessBlock: false,
      ...options,
    });

  beforeAll(async () => {
    endpointUrl = await stub.start();
  });
  afterAll(() => stub.stop());
  beforeEach(() => {
    stub.buckets.clear();
    stub.requests.length = 0;
    stub.listsRegions = true;
    stub.filters = true;
    stub.buckets.set('home-policy', { region: HOME, policy: tlsOnly('home-policy') });
    stub.buckets.set('home-none', { region: HOME, tags: { team: 'data' } });
    stub.buckets.set('home-denied', { region: HOME, denied: true });
    stub.buckets.set('far-policy', { region: FAR, policy: tlsOnly('far-policy') });
    stub.buckets.set('far-none', { region: FAR });
  });

  it('sweeps with one GetBucketPolicy per bucket of its region when ListBuckets names regions', async () => {
    // Prepare
    const live = view({ readBucketTags: false });

    // Act
    const buckets = await live.list('AWS::S3::Bucket');

    // Assess
    expect(buckets.map((bucket) => [bucket.name, bucket.region, bucket.policy.kind])).toEqual([
      ['home-denied', HOME, 'unreadable'],
      ['home-none', HOME, 'absent'],
      ['home-policy', HOME, 'present'],
    ]);
    expect(live.counter.toJSON().byOperation).toEqual({
      's3:GetBucketPolicy': 3,
      's3:ListBuckets': 1,
    });
    expect(stub.requests.filter((line) => line.includes(FAR))).toEqual([]);
  });

  it('places buckets from the policy answer when ListBuckets leaves regions out and ignores the filter', async () => {
    // Prepare: the worst S3-compatible API: every bucket listed, none placed.
    stub.listsRegions = false;
    stub.filters = false;
    const live = view({ readBucketTags: false });

    // Act
    const buckets = await live.list('AWS::S3::Bucket');

    // Assess: each bucket judged in one region only, never a GetBucketLocation. Another region's
    // bucket costs its policy read and the one redirect the client follows (S3's 301 names the
    // region); real S3 never gets here, as its ListBuckets filters and names regions.
    expect(buckets.map((bucket) => [bucket.name, bucket.region, bucket.policy.kind])).toEqual([
      ['home-denied', HOME, 'unreadable'],
      ['home-none', HOME, 'absent'],
      ['home-policy', HOME, 'present'],
    ]);
    expect(live.counter.toJSON().byOperation).toEqual({
      's3:GetBucketPolicy': 7,
      's3:ListBuckets': 1,
    });
    expect(stub.requests.some((line) => line.includes('location'))).toBe(false);
    expect(stub.requests.filter((line) => line.startsWith('GET /far-')).sort()).toEqual([
      `GET /far-none?policy= ${HOME}`,
      `GET /far-none?policy= ${FAR}`,
      `GET /far-policy?policy= ${HOME}`,
      `GET /far-policy?policy= ${FAR}`,
    ]);
    expect(live.readFailures('AWS::S3::Bucket')).toEqual([]);
  });

  it('reads a bucket of another region by name from where S3 redirects, and names that region', async () => {
    // Act
    const bucket = await view({ wholeLists: false }).bucket('far-policy');

    // Assess
    expect(bucket).toMatchObject({ name: 'far-policy', region: FAR, policy: { kind: 'present' } });
    // The SDK does not remember a redirect, so the tag read is redirected too.
    expect(stub.requests).toEqual([
      `GET /far-policy?policy= ${HOME}`,
      `GET /far-policy?policy= ${FAR}`,
      `GET /far-policy?tagging= ${HOME}`,
      `GET /far-policy?tagging= ${FAR}`,
    ]);
  });

  it('reads tags only for a tag-scoped rule, and judges its scope from them', async () => {
    // Prepare
    const rule = findRule('s3-bucket-policy-tls-only');
    if (!rule) throw new Error('rule missing');
    const scoped = parseParams(rule.id, rule.parameters, { bucketTagKey: 'team' });
    const plain = parseParams(rule.id, rule.parameters, {});

    // Act
    const needed = bucketTagsNeeded([scoped]);
    const live = view({ readBucketTags: needed });
    const evaluations = await scan({
      rules: [rule],
      view: live,
      params: new Map([[rule.id, scoped]]),
    });

    // Assess
    expect(bucketTagsNeeded([plain])).toBe(false);
    expect(needed).toBe(true);
    expect(live.counter.count('s3:GetBucketTagging')).toBe(3);
    const byBucket = Object.fromEntries(evaluations.map((e) => [e.resource.id, e.compliance]));
    expect(byBucket).toEqual({
      'home-denied': 'NOT_APPLICABLE',
      'home-none': 'NON_COMPLIANT',
      'home-policy': 'NOT_APPLICABLE',
    });
  });

  it('says it could not verify a tag-scoped rule when the view was built without tags', async () => {
    // Prepare
    const rule = findRule('s3-bucket-policy-tls-only');
    if (!rule) throw new Error('rule missing');
    const scoped = parseParams(rule.id, rule.parameters, { bucketTagKey: 'team' });
    const live = view({ readBucketTags: false });

    // Act
    const evaluations = await scan({
      rules: [rule],
      view: live,
      params: new Map([[rule.id, scoped]]),
    });

    // Assess: never a silent NOT_APPLICABLE for buckets whose tags nobody read.
    expect(live.counter.count('s3:GetBucketTagging')).toBe(0);
    for (const evaluation of evaluations) {
      expect(evaluation.compliance).toBe('NON_COMPLIANT');
      expect(evaluation.annotation).toMatch(/Could not verify/);
    }
  });
});
