import type { ResourceType } from '../../model/resources.js';
import type { AwsClients } from './clients.js';
import type { NormaliseMeta } from './normalise.js';

/** What the EC2, S3 and Config readers need from the view they read for. */
interface ReadContext {
  readonly clients: AwsClients;
  /** The scanned account, for resources whose describe output has no owner (NAT gateways, buckets). */
  readonly accountId: string | undefined;
  /** Parallel per-resource reads (bucket policies, endpoint service permissions). */
  readonly concurrency: number;
  /** Reads that were denied or skipped without failing the scan (tags, public access blocks, ...). */
  readonly warnings: string[];
  /** One resource could not be read; the others go on (see `AccountView.readFailures`). */
  recordFailure(type: ResourceType, id: string, error: unknown): void;
  region(): Promise<string>;
  meta(): Promise<NormaliseMeta>;
}

export type { ReadContext };
