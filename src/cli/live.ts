import { AwsReadError, UsageError } from '../errors.js';
import type { Evaluation } from '../model/compliance.js';
import { isResourceType } from '../model/resources.js';
import { scopeTypesOf } from '../rules/index.js';
import type { AnyRule } from '../rules/rule.js';
import { scan } from '../scan/scan.js';
import {
  type ApiCallTally,
  bucketTagsNeeded,
  createClients,
  createLiveView,
  resolvedRegion,
} from '../sources/aws/index.js';
import { mapLimit } from '../util/concurrency.js';
import type { ScanOptions } from './args.js';
import type { Io, ScanResult } from './main.js';

/** Regions scanned at once: each region runs its own reads in parallel already. */
const REGION_CONCURRENCY = 4;

const CREDENTIAL_ERRORS = new Set([
  'CredentialsProviderError',
  'ProviderError',
  'TokenProviderError',
]);

/** The SDK's credentials failure, possibly wrapped by the view's read errors. */
const credentialErrorIn = (error: unknown): Error | undefined => {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth += 1) {
    if (CREDENTIAL_ERRORS.has(current.name)) return current;
    current = current.cause;
  }
  return undefined;
};

/** A credentials failure becomes what to do about it; any other error is returned as it is. */
const explainCredentials = (error: unknown): unknown => {
  const credentials = credentialErrorIn(error);
  return credentials
    ? new AwsReadError(
        `no usable AWS credentials (${credentials.message}); set AWS_PROFILE or --profile, or run inside AWS`,
        { cause: error },
      )
    : error;
};

const addTallies = (tallies: readonly ApiCallTally[]): ApiCallTally => {
  const byOperation: Record<string, number> = {};
  for (const tally of tallies) {
    for (const [key, count] of Object.entries(tally.byOperation)) {
      byOperation[key] = (byOperation[key] ?? 0) + count;
    }
  }
  const sorted = Object.fromEntries(
    Object.entries(byOperation).sort(([a], [b]) => a.localeCompare(b)),
  );
  return { total: tallies.reduce((sum, tally) => sum + tally.total, 0), byOperation: sorted };
};

/** The region the SDK would pick (AWS_REGION, the profile's region), or a usage error. */
const defaultRegion = async (
  options: Pick<ScanOptions, 'profile' | 'endpointUrl'>,
): Promise<string> => {
  try {
    const region = await resolvedRegion(
      createClients({ profile: options.profile, endpointUrl: options.endpointUrl }),
    );
    if (region) return region;
  } catch {
    // The SDK throws when no region is configured anywhere; the message below says what to do.
  }
  throw new UsageError('no region: pass --region R or set AWS_REGION');
};

/** One status line on a TTY (stderr, so piped JSON stays clean); nothing when piped. */
const progressReporter = (io: Io, totalSteps: number) => {
  let done = 0;
  const tty = Boolean(io.stderr.isTTY);
  return {
    step(label: string): void {
      done += 1;
      if (!tty) return;
      const width = 24;
      const filled = Math.round((done / totalSteps) * width);
      io.stderr.write(
        `\r\u001b[2K[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${totalSteps} ${label}`,
      );
    },
    finish(): void {
      if (tty) io.stderr.write('\r\u001b[2K');
    },
  };
};

/**
 * `scan --live`: every rule over every region asked for (bounded concurrency), each region through
 * its own LiveAccountView (whole-region lists, cached, call-counted).
 */
const scanLive = async (
  options: ScanOptions,
  rules: readonly AnyRule[],
  params: Map<string, unknown>,
  io: Io,
): Promise<ScanResult> => {
  const regions =
    options.regions.length > 0 ? [...new Set(options.regions)] : [await defaultRegion(options)];
  const progress = progressReporter(io, regions.length * rules.length);
  const warnings: string[] = [];
  try {
    const perRegion = await mapLimit(regions, REGION_CONCURRENCY, async (region) => {
      const view = createLiveView({
        region,
        profile: options.profile,
        endpointUrl: options.endpointUrl,
        wholeLists: true,
        readPublicAccessBlock: false,
        // Tags cost a call per bucket: read them only for a rule scoped by bucket tag.
        readBucketTags: bucketTagsNeeded(rules.map((rule) => params.get(rule.id))),
      });
      await view.prefetch(rules.flatMap(scopeTypesOf).filter(isResourceType));
      const evaluations: Evaluation[] = [];
      for (const rule of rules) {
        const found = await scan({ rules: [rule], view, params });
        for (const evaluation of found) evaluations.push({ ...evaluation, region });
        progress.step(`${region} ${rule.id}`);
      }
      for (const warning of view.warnings) warnings.push(`${region}: ${warning}`);
      return {
        evaluations,
        calls: view.counter.toJSON(),
        retries: view.clients.retryBudget.retries,
      };
    });
    progress.finish();
    return {
      evaluations: perRegion.flatMap((result) => result.evaluations),
      header: `vpce-guard live scan of ${regions.join(', ')}: ${rules.length} rule${rules.length === 1 ? '' : 's'}`,
      skippedItems: 0,
      warnings,
      apiCalls: addTallies(perRegion.map((result) => result.calls)),
      retries: perRegion.reduce((sum, result) => sum + result.retries, 0),
    };
  } catch (error) {
    progress.finish();
    throw explainCredentials(error);
  }
};

export { defaultRegion, explainCredentials, scanLive };
