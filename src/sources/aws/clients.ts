import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { captureBucketRegions } from './bucket-region.js';
import { ApiCallCounter } from './counter.js';
import { BudgetedRetryStrategy, RetryBudget, type RetryBudgetOptions } from './retry.js';

interface StaticCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string | undefined;
}

/** What the SDK accepts: fixed keys, or a provider it calls (and refreshes) itself. */
type CredentialsOption =
  | StaticCredentials
  | (() => Promise<StaticCredentials & { expiration?: Date | undefined }>);

interface AwsClientOptions {
  /** Defaults to `AWS_REGION`/the profile's region, as the SDK resolves it. */
  region?: string | undefined;
  /** A shared-config profile; without it the SDK's default chain (and `AWS_PROFILE`) applies. */
  profile?: string | undefined;
  /** moto, LocalStack or a VPC endpoint URL; defaults to `AWS_ENDPOINT_URL` when set. */
  endpointUrl?: string | undefined;
  /** Attempts per call including the first (default 6, within the run's retry budget); moto tests use 1. */
  maxAttempts?: number | undefined;
  /** Retry budget and backoff settings (tests); `maxAttempts` above wins over its own. */
  retry?: RetryBudgetOptions | undefined;
  /** Give up connecting after this long (ms, default 5 s). */
  connectionTimeoutMs?: number | undefined;
  /** Give up on a request that has not been answered after this long (ms, default 15 s). */
  requestTimeoutMs?: number | undefined;
  /** Explicit credentials (tests, an assumed member-account role); otherwise the default chain. */
  credentials?: CredentialsOption | undefined;
  /** Share one counter across client sets; a new one is made otherwise. */
  counter?: ApiCallCounter | undefined;
  /** Resources read in parallel (default 8); sizes each client's keep-alive connection pool. */
  concurrency?: number | undefined;
}

interface AwsClients {
  ec2: EC2Client;
  s3: S3Client;
  config: ConfigServiceClient;
  counter: ApiCallCounter;
  /** Calls and retries of the current run, shared by the three clients. */
  retryBudget: RetryBudget;
}

const CONNECTION_TIMEOUT_MS = 5_000;
/** The live view's default read concurrency. */
const DEFAULT_CONCURRENCY = 8;
/** S3 reads one bucket can have in flight at once: policy, tags, public access block. */
const READS_PER_RESOURCE = 3;
const REQUEST_TIMEOUT_MS = 15_000;
/** Overrides the request timeout (ms) for slow links or emulators; unset means 15 s. */
const REQUEST_TIMEOUT_ENV = 'VPCE_GUARD_REQUEST_TIMEOUT_MS';

const positiveEnv = (name: string): number | undefined => {
  const value = Number.parseInt(process.env[name] ?? '', 10);
  return value > 0 ? value : undefined;
};

/**
 * The three clients the live view reads through, built alike: standard retries with jittered
 * backoff under one per-run budget (retry.ts), bounded connect and request timeouts (without them
 * an endpoint that accepts and never answers hangs forever), the same endpoint, region and
 * profile, and the API-call counter on every stack.
 */
const createClients = (options: AwsClientOptions = {}): AwsClients => {
  // An empty AWS_ENDPOINT_URL (a blanked CI variable) means unset, not "the empty URL".
  const endpoint = options.endpointUrl || process.env.AWS_ENDPOINT_URL || undefined;
  // The SDK's own AWS_MAX_ATTEMPTS still applies when no attempts are given (moto tests, users).
  const maxAttempts = options.maxAttempts ?? positiveEnv('AWS_MAX_ATTEMPTS');
  const retryBudget = new RetryBudget({
    ...options.retry,
    ...(maxAttempts !== undefined ? { maxAttempts } : {}),
  });
  // One keep-alive pool per client (no TLS handshake per bucket), as wide as the reads the view
  // runs at once and no wider. Never narrower: a request waiting for a socket already runs its
  // connect and request timeouts, so a queue would turn a slow endpoint into timeouts.
  const pool = {
    keepAlive: true,
    maxSockets: Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY) * READS_PER_RESOURCE,
  };
  const common = {
    retryStrategy: new BudgetedRetryStrategy(retryBudget),
    maxAttempts: retryBudget.maxAttempts,
    // NodeHttpHandler options; the SDK builds the handler from them.
    requestHandler: {
      connectionTimeout: options.connectionTimeoutMs ?? CONNECTION_TIMEOUT_MS,
      requestTimeout:
        options.requestTimeoutMs ?? positiveEnv(REQUEST_TIMEOUT_ENV) ?? REQUEST_TIMEOUT_MS,
      throwOnRequestTimeout: true,
      httpAgent: pool,
      httpsAgent: pool,
    },
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  const counter = options.counter ?? new ApiCallCounter();
  // Built on first use: a rule function constructs only the clients its rule reads through (its
  // bundle may not even contain the others, see src/deploy/sdk-clients.ts).
  const once = <T>(make: () => T): (() => T) => {
    let value: T | undefined;
    return () => {
      value ??= make();
      return value;
    };
  };
  const ec2 = once(() => counter.attach(new EC2Client(common), 'ec2'));
  // Path-style for custom endpoints (moto, LocalStack have no per-bucket DNS); region redirects so
  // a bucket in another region is still read rather than failing with PermanentRedirect, and the
  // region each response names is kept (bucket-region.ts) so no bucket needs a GetBucketLocation.
  const s3 = once(() =>
    counter.attach(
      captureBucketRegions(
        new S3Client({
          ...common,
          forcePathStyle: endpoint !== undefined,
          followRegionRedirects: true,
        }),
      ),
      's3',
    ),
  );
  const config = once(() => counter.attach(new ConfigServiceClient(common), 'config'));
  return {
    get ec2() {
      return ec2();
    },
    get s3() {
      return s3();
    },
    get config() {
      return config();
    },
    counter,
    retryBudget,
  };
};

/** The region the clients resolved (option, environment or profile). */
const resolvedRegion = async (clients: AwsClients): Promise<string> =>
  clients.config.config.region();

export type { AwsClientOptions, AwsClients, CredentialsOption, StaticCredentials };
export { createClients, resolvedRegion };
