import { ConfigServiceClient } from '@aws-sdk/client-config-service';
import { EC2Client } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { ApiCallCounter } from './counter.js';

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
  /** Attempts per call including the first; the SDK default is 3, tests against moto use 1. */
  maxAttempts?: number | undefined;
  /** Explicit credentials (tests, an assumed member-account role); otherwise the default chain. */
  credentials?: CredentialsOption | undefined;
  /** Share one counter across client sets; a new one is made otherwise. */
  counter?: ApiCallCounter | undefined;
}

interface AwsClients {
  ec2: EC2Client;
  s3: S3Client;
  config: ConfigServiceClient;
  counter: ApiCallCounter;
}

/**
 * The three clients the live view reads through, built alike: adaptive retries (the scanner is a
 * bulk reader and should slow down on throttling rather than fail), the same endpoint, region and
 * profile, and the API-call counter on every stack.
 */
const createClients = (options: AwsClientOptions = {}): AwsClients => {
  // An empty AWS_ENDPOINT_URL (a blanked CI variable) means unset, not "the empty URL".
  const endpoint = options.endpointUrl || process.env.AWS_ENDPOINT_URL || undefined;
  const common = {
    retryMode: 'adaptive',
    ...(options.region ? { region: options.region } : {}),
    ...(options.profile ? { profile: options.profile } : {}),
    ...(endpoint ? { endpoint } : {}),
    ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
    ...(options.credentials ? { credentials: options.credentials } : {}),
  };
  const counter = options.counter ?? new ApiCallCounter();
  return {
    ec2: counter.attach(new EC2Client(common), 'ec2'),
    // Path-style for custom endpoints (moto, LocalStack have no per-bucket DNS); region redirects so
    // a bucket in another region is still read rather than failing with PermanentRedirect.
    s3: counter.attach(
      new S3Client({
        ...common,
        forcePathStyle: endpoint !== undefined,
        followRegionRedirects: true,
      }),
      's3',
    ),
    config: counter.attach(new ConfigServiceClient(common), 'config'),
    counter,
  };
};

/** The region the clients resolved (option, environment or profile). */
const resolvedRegion = async (clients: AwsClients): Promise<string> => clients.ec2.config.region();

export type { AwsClientOptions, AwsClients, CredentialsOption, StaticCredentials };
export { createClients, resolvedRegion };
