import { UsageError, VpceGuardError } from '../errors.js';
import type { Verdict } from '../model/compliance.js';
import type { Bucket } from '../model/resources.js';
import { isLiveEndpoint } from '../network/gateway-endpoints.js';
import { matchesService } from '../network/service-name.js';
import { matchText } from '../policy/automata.js';
import { duplicateKeys } from '../policy/duplicate-keys.js';
import { resolveExemptions } from '../policy/exemptions.js';
import { endpointPolicy, freeSid, networkDeny, type Statement, tlsDeny } from '../policy/remedy.js';
import { bucketArn } from '../rules/bucket-scope.js';
import { s3BucketPolicyTlsOnly } from '../rules/s3-bucket-policy-tls-only.js';
import { s3BucketPolicyVpceOnly } from '../rules/s3-bucket-policy-vpce-only.js';
import {
  actionPrefixOf,
  vpcEndpointPolicyRestricted,
} from '../rules/vpc-endpoint-policy-restricted.js';
import type { AccountView } from '../sources/view.js';
import { isRecord } from '../util/json.js';
import type { Io } from './main.js';

/**
 * `vpce-guard fix`: the bucket policy with the missing fences appended (existing statements kept
 * exactly as they are), or a least-privilege endpoint policy. The result is checked with the same
 * rules and parameters before it is printed.
 */

interface FixCommand {
  command: 'fix';
  snapshot?: string | undefined;
  live: boolean;
  regions: string[];
  profile?: string | undefined;
  endpointUrl?: string | undefined;
  paramsFile?: string | undefined;
  bucket?: string | undefined;
  endpoint?: string | undefined;
}

const FIX_USAGE = `  vpce-guard fix --snapshot FILE|--live [--region R] [--profile P] [--endpoint-url URL]
                 [--params FILE] (--bucket NAME | --endpoint vpce-...)`;

type Params = Map<string, unknown>;

/**
 * The account or parameters cannot give a fix (unknown bucket, unreadable policy, no endpoint to
 * allow). The command line was right, so the usage text is not printed after it.
 */
class FixError extends VpceGuardError {}

const paramsOf = <T>(params: Params, ruleId: string): T => params.get(ruleId) as T;

interface BucketParams {
  allowedVpceIds: string[];
  allowedVpcIds: string[];
  exemptions: Record<string, string[]> | undefined;
}

/** The endpoints or VPCs requests may come through: the parameters, else the account's S3 endpoints. */
const approvedNetwork = async (
  bucket: Bucket,
  params: BucketParams,
  view: AccountView,
): Promise<{ key: 'aws:SourceVpce' | 'aws:SourceVpc'; values: string[] }> => {
  if (params.allowedVpceIds.length > 0)
    return { key: 'aws:SourceVpce', values: params.allowedVpceIds };
  if (params.allowedVpcIds.length > 0)
    return { key: 'aws:SourceVpc', values: params.allowedVpcIds };
  const endpoints = (await view.list('AWS::EC2::VPCEndpoint')).filter(
    (endpoint) =>
      matchesService(endpoint.serviceName, 's3') &&
      isLiveEndpoint(endpoint) &&
      (bucket.accountId === undefined ||
        endpoint.accountId === undefined ||
        endpoint.accountId === bucket.accountId),
  );
  if (endpoints.length === 0) {
    throw new FixError(
      `no S3 VPC endpoint of account ${bucket.accountId ?? '(unknown)'} is recorded here: set allowedVpceIds or allowedVpcIds for s3-bucket-policy-vpce-only in --params`,
    );
  }
  return {
    key: 'aws:SourceVpce',
    values: [...new Set(endpoints.map((endpoint) => endpoint.id))].sort(),
  };
};

const existingDocument = (
  bucket: Bucket,
): { Version?: unknown; Statement: Statement[] } & Record<string, unknown> => {
  if (bucket.policy.kind === 'unreadable') {
    throw new FixError(`cannot read the policy of bucket ${bucket.name}: ${bucket.policy.reason}`);
  }
  if (bucket.policy.kind === 'absent') return { Version: '2012-10-17', Statement: [] };
  const { text } = bucket.policy;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new FixError(`the policy of bucket ${bucket.name} is not valid JSON`, { cause: error });
  }
  // JSON.parse keeps the last of a repeated key: the rewritten policy would silently lose the
  // others (a carve-out, say), while the fix promises to keep the existing statements as they are.
  const [repeated] = duplicateKeys(text);
  if (repeated !== undefined) {
    throw new FixError(
      `the policy of bucket ${bucket.name} names the key "${repeated.key}" twice${repeated.path ? ` in ${repeated.path}` : ''}; rewriting it would keep only the last one. Remove the repeat by hand, then run fix again`,
    );
  }
  if (!isRecord(parsed))
    throw new FixError(`the policy of bucket ${bucket.name} is not a JSON object`);
  const raw = parsed.Statement;
  const statements = (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]) as Statement[];
  return { ...parsed, Statement: statements };
};

const withPolicy = (bucket: Bucket, document: unknown): Bucket => ({
  ...bucket,
  policy: { kind: 'present', text: JSON.stringify(document) },
});

/** A snapshot's own ids of the type, so a mistyped name can be corrected; a live account is not listed. */
const namesIn = async (
  view: AccountView,
  type: 'AWS::S3::Bucket' | 'AWS::EC2::VPCEndpoint',
  source: string,
): Promise<string> => {
  if (!source.startsWith('snapshot')) return '';
  const ids = (await view.list(type)).map((resource) => resource.id).sort();
  if (ids.length === 0) return ' (it holds none)';
  const shown = ids.slice(0, 10).join(', ');
  return ` (it holds ${ids.length}: ${shown}${ids.length > 10 ? ', …' : ''})`;
};

const fixBucket = async (
  name: string,
  view: AccountView,
  params: Params,
  io: Io,
  source: string,
  caller?: string,
) => {
  const bucket = await view.get('AWS::S3::Bucket', name);
  if (!bucket)
    throw new FixError(
      `bucket ${name} is not in ${source}${await namesIn(view, 'AWS::S3::Bucket', source)}`,
    );
  const vpceParams = paramsOf<BucketParams>(params, s3BucketPolicyVpceOnly.id);
  const tlsParams = paramsOf<BucketParams>(params, s3BucketPolicyTlsOnly.id);
  const arn = bucketArn(bucket);
  const partition = arn.split(':')[1] ?? 'aws';
  const judge = async (candidate: Bucket): Promise<[Verdict, Verdict]> => [
    await s3BucketPolicyVpceOnly.evaluate(candidate, view, vpceParams as never),
    await s3BucketPolicyTlsOnly.evaluate(candidate, view, tlsParams as never),
  ];
  const document = existingDocument(bucket);
  const [vpce, tls] = await judge(bucket);
  const added: Statement[] = [];
  const all = () => [...document.Statement, ...added];
  if (vpce.compliance === 'NON_COMPLIANT') {
    const network = await approvedNetwork(bucket, vpceParams, view);
    const exemptions = resolveExemptions(vpceParams.exemptions, partition, bucket.accountId);
    added.push(networkDeny(arn, network, exemptions, freeSid(all(), 'VpceGuardDenyOutsideVpce')));
  }
  if (tls.compliance === 'NON_COMPLIANT') {
    const exemptions = resolveExemptions(tlsParams.exemptions, partition, bucket.accountId);
    added.push(tlsDeny(arn, exemptions, freeSid(all(), 'VpceGuardDenyInsecureTransport')));
  }
  const merged = { ...document, Statement: all() };
  const after = await judge(withPolicy(bucket, merged));
  const failing = after.filter((verdict) => verdict.compliance === 'NON_COMPLIANT');
  if (failing.length > 0) {
    throw new FixError(
      `the merged policy is still NON_COMPLIANT: ${failing.map((v) => v.annotation).join(' | ')}`,
    );
  }
  if (caller !== undefined) {
    const exempt = resolveExemptions(vpceParams.exemptions, partition, bucket.accountId);
    const arns = exempt['aws:PrincipalArn'] ?? [];
    const matches = arns.some((pattern) => matchText(pattern, caller, 'arn'));
    if (added.length > 0 && !matches) {
      io.stderr.write(
        `vpce-guard: warning: your principal ${caller} is not among the exemptions: once applied, the policy denies it outside the approved endpoints (apply it from inside the VPC, or add it to exemptions)\n`,
      );
    }
  }
  if (added.length === 0) {
    // Say what the rules said: an exempt or out-of-scope bucket (NOT_APPLICABLE) is not a compliant one.
    const verdicts = [vpce, tls]
      .map((verdict, index) => {
        const rule = index === 0 ? s3BucketPolicyVpceOnly.id : s3BucketPolicyTlsOnly.id;
        return `  ${rule} ${verdict.compliance}${verdict.compliance === 'NOT_APPLICABLE' ? `: ${verdict.annotation}` : ''}\n`;
      })
      .join('');
    io.stderr.write(`vpce-guard: bucket ${name} needs no new statement:\n${verdicts}`);
    // Without a policy there is nothing to print: an empty Statement list is not a valid policy.
    if (bucket.policy.kind === 'absent') {
      io.stderr.write(`vpce-guard: bucket ${name} has no bucket policy; none printed\n`);
      return 0;
    }
    io.stderr.write(`vpce-guard: its policy is printed unchanged\n`);
  }
  io.stdout.write(`${JSON.stringify(merged, null, 2)}\n`);
  return 0;
};

const fixEndpoint = async (
  id: string,
  view: AccountView,
  params: Params,
  io: Io,
  source: string,
) => {
  const endpoint = await view.get('AWS::EC2::VPCEndpoint', id);
  if (!endpoint)
    throw new FixError(
      `endpoint ${id} is not in ${source}${await namesIn(view, 'AWS::EC2::VPCEndpoint', source)}`,
    );
  const { trustedAccountIds, trustedOrgIds } = paramsOf<{
    trustedAccountIds: string[];
    trustedOrgIds: string[];
  }>(params, vpcEndpointPolicyRestricted.id);
  if (trustedAccountIds.length === 0 && trustedOrgIds.length === 0) {
    throw new FixError(
      'set trustedAccountIds or trustedOrgIds for vpc-endpoint-policy-restricted in --params: the endpoint policy is built from them',
    );
  }
  const document = endpointPolicy(
    actionPrefixOf(endpoint.serviceName),
    trustedAccountIds,
    trustedOrgIds,
  );
  const verdict = await vpcEndpointPolicyRestricted.evaluate(
    { ...endpoint, policy: { kind: 'present', text: JSON.stringify(document) } },
    view,
    params.get(vpcEndpointPolicyRestricted.id) as never,
  );
  if (verdict.compliance === 'NON_COMPLIANT') {
    throw new FixError(`the built endpoint policy is NON_COMPLIANT: ${verdict.annotation}`);
  }
  io.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
  return 0;
};

/** The caller's principal ARN (a role session becomes its role), for the lock-out warning. */
const callerArn = async (
  command: FixCommand,
  region: string | undefined,
): Promise<string | undefined> => {
  try {
    const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
    const client = new STSClient({
      ...(region ? { region } : {}),
      ...(command.endpointUrl ? { endpoint: command.endpointUrl } : {}),
      ...(command.profile ? { profile: command.profile } : {}),
    });
    const identity = await client.send(new GetCallerIdentityCommand({}));
    const session = /^arn:([^:]+):sts::(\d{12}):assumed-role\/([^/]+)\//.exec(identity.Arn ?? '');
    return session ? `arn:${session[1]}:iam::${session[2]}:role/${session[3]}` : identity.Arn;
  } catch {
    // The warning is a courtesy: without an identity there is nothing to compare.
    return undefined;
  }
};

const runFix = async (
  command: FixCommand,
  io: Io,
  loadParams: (path: string | undefined) => Promise<Params>,
): Promise<number> => {
  const params = await loadParams(command.paramsFile);
  if (!command.live) {
    const { loadSnapshot } = await import('../sources/snapshot.js');
    const view = await loadSnapshot(command.snapshot as string);
    const source = `snapshot ${command.snapshot}`;
    if (command.bucket) return fixBucket(command.bucket, view, params, io, source);
    return fixEndpoint(command.endpoint as string, view, params, io, source);
  }
  // Loaded only for --live: a static import would pull the AWS SDK into --help and snapshot fixes.
  const [live, { createLiveView }] = await Promise.all([
    import('./live.js'),
    import('../sources/aws/index.js'),
  ]);
  // Without a region the SDK failed deep in the first read, with a stack trace.
  const region = command.regions[0] ?? (await live.defaultRegion(command));
  const view = createLiveView({
    region,
    profile: command.profile,
    endpointUrl: command.endpointUrl,
    wholeLists: true,
  });
  const source = `the account in ${region}`;
  try {
    if (command.bucket) {
      const caller = await callerArn(command, region);
      return await fixBucket(command.bucket, view, params, io, source, caller);
    }
    return await fixEndpoint(command.endpoint as string, view, params, io, source);
  } catch (error) {
    throw live.explainCredentials(error);
  }
};

/** Parses the `fix` command's options (the shared parser has already split them). */
const parseFixCommand = (values: Record<string, unknown>): FixCommand => {
  const snapshot = values.snapshot as string | undefined;
  const live = Boolean(values.live);
  const bucket = values.bucket as string | undefined;
  const endpoint = values.endpoint as string | undefined;
  if (!snapshot && !live) throw new UsageError('fix needs --snapshot FILE or --live');
  if (snapshot && live) throw new UsageError('--snapshot and --live cannot be combined');
  if (Boolean(bucket) === Boolean(endpoint))
    throw new UsageError('fix needs exactly one of --bucket NAME or --endpoint vpce-...');
  const regions = (values.region as string[] | undefined) ?? [];
  // fix reads one region; silently using the first of several would misread the others' resources.
  if (regions.length > 1) throw new UsageError('fix reads one region: pass --region once');
  const liveOnly = ['region', 'profile', 'endpoint-url'].filter(
    (name) => values[name] !== undefined,
  );
  if (!live && liveOnly.length > 0)
    throw new UsageError(`--${liveOnly.join(', --')} only apply to --live`);
  if (endpoint !== undefined && !/^vpce-[0-9a-f]+$/.test(endpoint)) {
    throw new UsageError(
      `--endpoint must be a VPC endpoint id: vpce- then lowercase hexadecimal digits (e.g. vpce-0a1b2c3d4e5f61001), got ${endpoint}`,
    );
  }
  return {
    command: 'fix',
    snapshot,
    live,
    regions,
    profile: values.profile as string | undefined,
    endpointUrl: values['endpoint-url'] as string | undefined,
    paramsFile: values.params as string | undefined,
    bucket,
    endpoint,
  };
};

export type { FixCommand };
export { FIX_USAGE, parseFixCommand, runFix };
