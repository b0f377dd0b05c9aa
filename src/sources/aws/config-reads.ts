import {
  type BaseConfigurationItem,
  BatchGetResourceConfigCommand,
  DescribeConfigurationRecorderStatusCommand,
  paginateListDiscoveredResources,
} from '@aws-sdk/client-config-service';
import { ConfigItemParseError } from '../../errors.js';
import type { Bucket } from '../../model/resources.js';
import { chunk } from '../../util/concurrency.js';
import { parseConfigurationItem } from '../config-item.js';
import type { ReadContext } from './read-context.js';
import { errorCode, errorMessage } from './read-errors.js';

const CONFIG_BATCH = 100;

/**
 * Bucket policies from AWS Config (100 buckets a call) while a recorder is recording. Any Config
 * failure is a warning and turns this source off for the rest of the view: S3 answers instead.
 */
class ConfigBucketReader {
  private readonly context: ReadContext;
  private readonly enabled: boolean;
  private recordingPromise: Promise<boolean> | undefined;
  private discoveredPromise: Promise<Set<string>> | undefined;

  constructor(context: ReadContext, enabled: boolean) {
    this.context = context;
    this.enabled = enabled;
  }

  /** Whether Config is recording right now; a stopped recorder's items may be long stale. */
  recording(): Promise<boolean> {
    this.recordingPromise ??= (async () => {
      if (!this.enabled) return false;
      try {
        const { ConfigurationRecordersStatus } = await this.context.clients.config.send(
          new DescribeConfigurationRecorderStatusCommand({}),
        );
        return (ConfigurationRecordersStatus ?? []).some((status) => status.recording === true);
      } catch (error) {
        if (errorCode(error) !== 'NoSuchConfigurationRecorderException') {
          this.context.warnings.push(
            `AWS Config not used for bucket policies, reading them from S3 instead (${errorCode(error)}: ${errorMessage(error)})`,
          );
        }
        return false;
      }
    })();
    return this.recordingPromise;
  }

  /**
   * ListDiscoveredResources, then BatchGetResourceConfig 100 keys a call. Buckets Config does not
   * hold are simply absent from the result (read from S3 instead); any Config failure falls back
   * to S3 for all of them, with a warning.
   */
  async buckets(
    names: readonly string[],
    { alreadyDiscovered = false }: { alreadyDiscovered?: boolean } = {},
  ): Promise<Map<string, Bucket>> {
    const result = new Map<string, Bucket>();
    if (names.length === 0 || !(await this.recording())) return result;
    const type = 'AWS::S3::Bucket';
    const config = this.context.clients.config;
    try {
      let keys = [...names];
      if (!alreadyDiscovered) {
        const discovered = await this.discovered();
        keys = keys.filter((name) => discovered.has(name));
      }
      for (const batch of chunk(keys, CONFIG_BATCH)) {
        let pending = batch.map((resourceId) => ({ resourceType: type, resourceId }) as const);
        // Unprocessed keys are retried twice; what is still left is read from S3.
        for (let round = 0; round < 3 && pending.length > 0; round++) {
          const response = await config.send(
            new BatchGetResourceConfigCommand({ resourceKeys: pending }),
          );
          for (const item of response.baseConfigurationItems ?? []) {
            const bucket = this.bucketFromConfigItem(item);
            if (bucket) result.set(bucket.name, bucket);
          }
          pending = (response.unprocessedResourceKeys ?? []).flatMap((key) =>
            key.resourceId ? [{ resourceType: type, resourceId: key.resourceId } as const] : [],
          );
        }
      }
    } catch (error) {
      this.context.warnings.push(
        `AWS Config could not provide bucket policies, reading them from S3 instead (${errorCode(error)}: ${errorMessage(error)})`,
      );
      this.recordingPromise = Promise.resolve(false);
      result.clear();
    }
    return result;
  }

  /** The buckets Config holds, listed once per view (a sweep asks in batches). */
  private discovered(): Promise<Set<string>> {
    this.discoveredPromise ??= (async () => {
      const found = new Set<string>();
      for await (const page of paginateListDiscoveredResources(
        { client: this.context.clients.config, pageSize: CONFIG_BATCH },
        { resourceType: 'AWS::S3::Bucket' },
      )) {
        for (const identifier of page.resourceIdentifiers ?? []) {
          if (identifier.resourceId) found.add(identifier.resourceId);
        }
      }
      return found;
    })();
    return this.discoveredPromise;
  }

  private bucketFromConfigItem(item: BaseConfigurationItem): Bucket | undefined {
    try {
      const parsed = parseConfigurationItem(item as Record<string, unknown>);
      return parsed.resource?.type === 'AWS::S3::Bucket' ? parsed.resource : undefined;
    } catch (error) {
      if (!(error instanceof ConfigItemParseError)) throw error;
      this.context.warnings.push(`${error.message}; reading that bucket from S3 instead`);
      return undefined;
    }
  }
}

export { ConfigBucketReader };
