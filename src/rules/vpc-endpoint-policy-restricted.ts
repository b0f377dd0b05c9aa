import { PolicyParseError } from '../errors.js';
import type { Verdict } from '../model/compliance.js';
import { nonCompliant, notApplicable, unverifiable } from '../model/compliance.js';
import type { VpcEndpoint } from '../model/resources.js';
import type { PolicyDocument } from '../policy/document.js';
import { duplicateKeyError, parsePolicy } from '../policy/document.js';
import { describeCounterexample, fitAnnotation, listSome } from '../policy/explain.js';
import type { Rename } from '../policy/identifiers.js';
import { LruCache } from '../policy/lru.js';
import { analysePerimeter, type PerimeterResult } from '../policy/perimeter.js';
import { partitionOfRegion } from '../util/partitions.js';
import {
  cachedTrust,
  ENDPOINT_PLACEHOLDER,
  factsOfPolicy,
  restoredResult,
  resultKey,
  VPC_PLACEHOLDER,
} from './endpoint-policy-results.js';
import { endpointPolicyNotApplicable, isInactiveEndpointState } from './endpoint-state.js';
import type { ParamsOf } from './params.js';
import { defineRule } from './rule.js';

const parameters = {
  trustedAccountIds: {
    type: 'list',
    description:
      'AWS account ids the endpoint may serve. When set (or with trustedOrgIds), every Allow must be limited to these accounts by principal ARNs or by aws:PrincipalAccount / aws:ResourceAccount conditions.',
    pattern: /^\d{12}$/,
  },
  trustedOrgIds: {
    type: 'list',
    description:
      'AWS Organizations ids (o-...) the endpoint may serve. When set, an Allow may be limited with aws:PrincipalOrgID / aws:ResourceOrgID conditions on these ids.',
    pattern: /^o-[a-z0-9]{10,32}$/,
  },
} as const;

type Params = ParamsOf<typeof parameters>;

/**
 * Endpoint service names whose IAM action prefix differs from the name (Service Authorization
 * Reference: Kinesis Data Streams is `kinesis`, Data Firehose `firehose`, the ECS agent and
 * telemetry endpoints serve `ecs:` actions, Bedrock's runtime and agent endpoints `bedrock:`, Cloud
 * Control API `cloudformation:`, Managed Service for Prometheus `aps:`). A name read as its own
 * prefix would put a policy's real actions outside the request space: `kinesis:*` on Resource `*`
 * judged as allowing nothing.
 */
const ACTION_PREFIXES: Record<string, string> = {
  monitoring: 'cloudwatch',
  'git-codecommit': 'codecommit',
  'email-smtp': 'ses',
  'ecr.api': 'ecr',
  'ecr.dkr': 'ecr',
  'sagemaker.api': 'sagemaker',
  'sagemaker.runtime': 'sagemaker',
  'kinesis-streams': 'kinesis',
  'kinesis-firehose': 'firehose',
  'ecs-agent': 'ecs',
  'ecs-telemetry': 'ecs',
  'bedrock-runtime': 'bedrock',
  'bedrock-agent': 'bedrock',
  'bedrock-agent-runtime': 'bedrock',
  cloudcontrolapi: 'cloudformation',
  'aps-workspaces': 'aps',
};

/**
 * Endpoint service names whose IAM action prefix is the name itself (Service Authorization
 * Reference): only for these and the mapped names is the prefix known, not guessed.
 */
const SAME_NAME_PREFIXES: ReadonlySet<string> = new Set([
  's3',
  'dynamodb',
  'sqs',
  'sns',
  'kms',
  'sts',
  'logs',
  'events',
  'lambda',
  'states',
  'secretsmanager',
  'ssm',
  'ssmmessages',
  'ec2messages',
  'ec2',
  'ecs',
  'elasticloadbalancing',
  'autoscaling',
  'cloudformation',
  'execute-api',
  'glue',
  'athena',
  'xray',
]);

interface ServiceLocation {
  /** IAM action prefix, e.g. `s3`. */
  prefix: string;
  /** The prefix is documented for the name (mapped or the same), not read off it. */
  prefixKnown: boolean;
  region: string;
  partition: string;
}

/** `com.amazonaws.eu-west-1.s3` → s3 in eu-west-1; `undefined` for other accounts' PrivateLink services. */
const readServiceLocation = (serviceName: string): ServiceLocation | undefined => {
  const match =
    /^(?:cn\.)?(?:com\.amazonaws|aws\.[a-z]+)\.([a-z]{2,4}(?:-[a-z]+)+-\d+)\.(.+)$/.exec(
      serviceName,
    );
  const region = match?.[1];
  const rest = match?.[2];
  if (region === undefined || rest === undefined || rest.startsWith('vpce-svc-')) return undefined;
  // A FIPS endpoint (kinesis-streams-fips) serves the actions of the service it is named after.
  const service = rest.replace(/-fips$/, '');
  const first = (service.split('.')[0] ?? service).replace(/-fips$/, '');
  const mapped = (name: string) =>
    Object.hasOwn(ACTION_PREFIXES, name) ? ACTION_PREFIXES[name] : undefined;
  const known = mapped(service) ?? mapped(first);
  const prefix = known ?? first;
  const prefixKnown = known !== undefined || (service === first && SAME_NAME_PREFIXES.has(first));
  return { prefix, prefixKnown, region, partition: partitionOfRegion(region) ?? 'aws' };
};

// An account has a few dozen service names across thousands of endpoints: read each once. The
// locations are shared, so they are frozen.
const locations = new LruCache<string, Readonly<ServiceLocation> | null>(1_000);

const serviceLocationOf = (serviceName: string): Readonly<ServiceLocation> | undefined => {
  let location = locations.get(serviceName);
  if (location === undefined) {
    const read = readServiceLocation(serviceName);
    location = read ? Object.freeze(read) : null;
    locations.set(serviceName, location);
  }
  return location ?? undefined;
};

/** `com.amazonaws.eu-west-1.s3` → `s3`; `undefined` for PrivateLink services of other accounts. */
const actionPrefixOf = (serviceName: string): string | undefined =>
  serviceLocationOf(serviceName)?.prefix;

const isDynamoDb = (endpoint: VpcEndpoint): boolean => /\.dynamodb$/.test(endpoint.serviceName);

const DYNAMODB_NOTE =
  " Tables in other accounts answer to their owners' resource policies, not yours, so this endpoint policy is the only control you hold that stops data being copied through the endpoint to tables in other accounts.";

const describeEndpoint = (endpoint: VpcEndpoint): string =>
  `Endpoint ${endpoint.id} (${endpoint.endpointType} ${endpoint.serviceName})`;

/** What AWS applies when an endpoint has no policy of its own: full access. */
const DEFAULT_POLICY = parsePolicy(
  JSON.stringify({
    Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }],
  }),
);

// Endpoints of one template share a policy text; judge each (text, endpoint shape, trust) once.
const results = new LruCache<string, PerimeterResult>(2_000);

const perimeterOf = (
  endpoint: VpcEndpoint,
  policy: PolicyDocument,
  text: string,
  params: Params,
) => {
  const location = serviceLocationOf(endpoint.serviceName);
  const policyShape = factsOfPolicy(policy);
  const { trust, json: trustJson } = cachedTrust(
    policyShape,
    policy,
    params.trustedAccountIds,
    params.trustedOrgIds,
  );
  const facts = {
    id: endpoint.id,
    vpcId: endpoint.vpcId,
    account: endpoint.accountId,
    partition: location?.partition ?? 'aws',
    region: location?.region ?? endpoint.region ?? 'us-east-1',
    prefix: location?.prefix,
    prefixKnown: location?.prefixKnown ?? false,
  };
  // The endpoint's id and VPC id enter the analysis only as the fixed values of aws:SourceVpce and
  // aws:SourceVpc. A policy that names neither key (nor anything like the placeholders) answers
  // alike for every endpoint: endpoints of one template share one analysis, made with placeholder
  // ids, which go back into the result.
  const { shared } = policyShape;
  const renames: Rename[] = shared
    ? [
        { placeholder: ENDPOINT_PLACEHOLDER, original: endpoint.id, kind: 'token' },
        ...(endpoint.vpcId
          ? [{ placeholder: VPC_PLACEHOLDER, original: endpoint.vpcId, kind: 'token' as const }]
          : []),
      ]
    : [];
  const analysed = shared
    ? { ...facts, id: ENDPOINT_PLACEHOLDER, vpcId: endpoint.vpcId ? VPC_PLACEHOLDER : undefined }
    : facts;
  const key = resultKey(policyShape, text, analysed, trustJson);
  let result = results.get(key);
  if (result === undefined) {
    result = analysePerimeter(policy, analysed, trust);
    results.set(key, result);
  }
  const restored = renames.length === 0 ? result : restoredResult(result, renames);
  return { result: restored, trust };
};

const analyse = (
  endpoint: VpcEndpoint,
  policy: PolicyDocument,
  text: string,
  params: Params,
): Verdict => {
  const note = isDynamoDb(endpoint) ? DYNAMODB_NOTE : '';
  const { result, trust } = perimeterOf(endpoint, policy, text, params);
  const bounds = [...trust.accounts, ...trust.orgs];
  const boundText =
    bounds.length > 0 || trust.resources.length > 0
      ? `${params.trustedAccountIds.length + params.trustedOrgIds.length > 0 ? 'the trusted' : 'the named'} accounts/organizations (${listSome([...bounds, ...trust.resources], 4) || 'none'})`
      : 'any named account, organization or resource';
  if (result.compliant) {
    const locked = result.allowsAnything
      ? ''
      : ' It allows nothing at all: the endpoint carries no requests.';
    const textOk = `${describeEndpoint(endpoint)}: every request the policy allows is bounded to principals or resources of ${boundText}.${locked}`;
    return {
      compliance: 'COMPLIANT',
      annotation: fitAnnotation(
        textOk,
        `Every request the endpoint policy allows is bounded to trusted principals or resources.${locked}`,
      ),
      detail: textOk,
    };
  }
  const [first] = result.escapes;
  const example = first?.counterexample;
  const who = example
    ? `${example.principal === '*' ? 'anonymous callers' : example.principal} can ${example.action} ${example.resource}`
    : 'requests get through';
  const by = first && first.allowedBy.length > 0 ? ` (${first.allowedBy.join(', ')})` : '';
  const fix =
    'Limit each Allow to your principals or resources (aws:PrincipalOrgID, aws:ResourceAccount).';
  const annotation = fitAnnotation(
    `Allows requests bounded neither by principal nor by resource to ${boundText}: ${who}${by}. ${fix}`,
    `Allows requests bounded neither by principal nor by resource: ${who}${by}. ${fix}`,
    `Allows requests bounded neither by principal nor by resource to trusted accounts${by}. ${fix}`,
  );
  const detail = [
    `${describeEndpoint(endpoint)} lets requests through that are bounded neither by principal nor by resource to ${boundText}.${note}`,
    ...escapeLines(result),
    ...result.undecided.map(
      (reason) => `Could not decide: ${reason}; counted as allowing requests.`,
    ),
    `Fix: ${fix}`,
  ].join('\n');
  // Written out rather than spread from nonCompliant(): this runs for every leaky endpoint.
  return { compliance: 'NON_COMPLIANT', annotation, detail, counterexample: example };
};

/** Each escape's counterexample, what allows it and why each Deny misses it (a loop: flatMap is slow in V8). */
const escapeLines = (result: PerimeterResult): string[] => {
  const lines: string[] = [];
  for (const found of result.escapes) {
    lines.push(
      describeCounterexample(found.counterexample),
      `  - allowed by ${found.allowedBy.join(', ') || 'the policy'}`,
    );
    for (const miss of found.misses) lines.push(`  - ${miss.text}.`);
  }
  return lines;
};

const REMEDIATION_EXAMPLE = JSON.stringify(
  {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'AllowOrgOnly',
        Effect: 'Allow',
        Principal: '*',
        Action: ['s3:GetObject', 's3:PutObject', 's3:ListBucket'],
        Resource: '*',
        Condition: {
          StringEquals: {
            'aws:PrincipalOrgID': 'o-a1b2c3d4e5',
            'aws:ResourceAccount': '111122223333',
          },
        },
      },
    ],
  },
  null,
  2,
);

const vpcEndpointPolicyRestricted = defineRule({
  id: 'vpc-endpoint-policy-restricted',
  title: 'VPC endpoints should have a policy restricted to trusted principals and resources',
  description:
    "Checks that every request a gateway or interface endpoint policy allows through the endpoint is bounded on the principal side or the resource side: a principal of a trusted account or organization (aws:PrincipalAccount, aws:PrincipalOrgID, aws:PrincipalOrgPaths, principal ARNs), or a resource of one (aws:ResourceAccount, aws:ResourceOrgID, resource ARNs naming the account, or for S3 a literal bucket name). Trusted means trustedAccountIds/trustedOrgIds when given, otherwise whatever accounts, organizations or resources the policy itself names. The policy is analysed as sets of requests: IfExists and ForAllValues (true when the key is absent), NotAction, NotResource, several Allows and Denies together; aws:SourceVpce is the endpoint's own id. Every NON_COMPLIANT verdict carries one concrete request that gets through.",
  rationale:
    "The default endpoint policy lets any credentials, including an attacker's own, reach any resource of the service through your private network: data can be copied out to a bucket or table in another account without touching the internet, bypassing egress controls. Resource policies of tables and buckets in other accounts are their owners' to write, so the endpoint policy is the place where you stop that.",
  severity: 'medium',
  resourceType: 'AWS::EC2::VPCEndpoint',
  triggerTypes: [],
  frameworks: [
    { framework: 'PCI-DSS-4.0', id: '7.2.1', strength: 'evidence' },
    { framework: 'PCI-DSS-4.0', id: '7.3.1', strength: 'evidence' },
    { framework: 'PCI-DSS-4.0', id: '7.3.3', strength: 'evidence' },
    { framework: 'PCI-DSS-4.0', id: '1.3.2', strength: 'supporting' },
    { framework: 'PCI-DSS-4.0', id: '7.2.5', strength: 'supporting' },
    { framework: 'HIPAA', id: '164.312(a)(1)', strength: 'evidence' },
    { framework: 'HIPAA', id: '164.308(a)(4)(ii)(B)', strength: 'evidence' },
    { framework: 'HIPAA', id: '164.312(e)(1)', strength: 'supporting' },
  ],
  parameters,
  remediation:
    'Replace the default policy with one that allows only the actions you need, for principals in your organisation (aws:PrincipalOrgID) and on resources in your accounts (aws:ResourceAccount), or add a Deny for everything outside them. For S3 gateway endpoints remember AWS-owned buckets you rely on (package repositories, ECR layers).',
  remediationExample: REMEDIATION_EXAMPLE,
  iamActions: ['ec2:DescribeVpcEndpoints', 'ec2:DescribeVpcEndpointServices'],
  async evaluate(endpoint, view, params) {
    if (endpoint.endpointType !== 'Gateway' && endpoint.endpointType !== 'Interface') {
      return notApplicable(
        `Endpoint ${endpoint.id} is a ${endpoint.endpointType} endpoint; only Gateway and Interface endpoints carry a service policy.`,
      );
    }
    if (isInactiveEndpointState(endpoint.state)) {
      return notApplicable(`Endpoint ${endpoint.id} is ${endpoint.state} and carries no traffic.`);
    }
    const noPolicy = await endpointPolicyNotApplicable(endpoint, view);
    if (noPolicy) return noPolicy;
    const note = isDynamoDb(endpoint) ? DYNAMODB_NOTE : '';
    // A configuration item may leave the policy out; EC2 always names it (the default when none
    // was set), so ask the view before calling the endpoint wide open.
    const source =
      endpoint.policy.kind === 'absent'
        ? ((await view.get(endpoint.type, endpoint.id))?.policy ?? endpoint.policy)
        : endpoint.policy;
    if (source.kind === 'unreadable') {
      return unverifiable(
        `Could not verify the policy of endpoint ${endpoint.id}: ${source.reason}. Grant the scanner ec2:DescribeVpcEndpoints.`,
      );
    }
    if (source.kind === 'absent') {
      const verdict = analyse(endpoint, DEFAULT_POLICY, '', params);
      const text = `${describeEndpoint(endpoint)} has no endpoint policy, so it allows full access to the service.${note}`;
      return {
        ...verdict,
        annotation: fitAnnotation(
          text,
          'No endpoint policy: full access to the service for any principal and resource.',
        ),
        detail: `${text}\n${verdict.detail ?? ''}`,
      };
    }
    let policy: PolicyDocument;
    try {
      policy = parsePolicy(source.text);
      // Allows count here: a key repeated even inside an Allow leaves open what it allows.
      const duplicate = duplicateKeyError(policy);
      if (duplicate !== undefined) throw duplicate;
    } catch (error) {
      if (!(error instanceof PolicyParseError)) throw error;
      const text = `The policy of endpoint ${endpoint.id} cannot be analysed (${error.message}).${note}`;
      return {
        ...nonCompliant(
          fitAnnotation(text, `The endpoint policy cannot be analysed (${error.message}).`),
        ),
        detail: text,
      };
    }
    return analyse(endpoint, policy, source.text, params);
  },
});

export { actionPrefixOf, vpcEndpointPolicyRestricted };
