import { memoize } from './memo.js';

/**
 * VPC endpoint service names. AWS services are `com.amazonaws.<region>.<service>` (China adds a
 * `cn.` label, SageMaker uses `aws.sagemaker.<region>.<service>`); customer PrivateLink services
 * are `com.amazonaws.vpce.<region>.vpce-svc-…`; global services have no region label
 * (`com.amazonaws.iam`, `com.amazonaws.route53`). Rules compare the `<service>` part so that one
 * parameter (`s3`, `ecr.dkr`) works in every region and partition.
 */

type ServiceName =
  | { origin: 'aws'; name: string; region?: string | undefined; service: string }
  | { origin: 'customer'; name: string; region?: string | undefined }
  | { origin: 'unknown'; name: string };

const REGION = /^[a-z]{2}(?:-[a-z]+)+-\d+$/;
const CUSTOMER = /^(?:[a-z0-9-]+\.)*com\.amazonaws\.vpce\.([a-z0-9-]+)\.vpce-svc-[0-9a-z]+$/;
const COM_AMAZONAWS = /^((?:[a-z0-9-]+\.)*?com\.amazonaws)\.([a-z0-9-]+)\.(.+)$/;
const AWS_PREFIXED = /^aws\.([a-z0-9-]+)\.([a-z0-9-]+)\.(.+)$/;
const REGIONLESS = /^((?:[a-z0-9-]+\.)*?com\.amazonaws)\.([a-z0-9-]+)$/;
/** Global services whose endpoint service name has no region label. */
const REGIONLESS_SERVICES: ReadonlySet<string> = new Set(['iam', 'route53']);

const parseServiceNameText = (raw: string): ServiceName => {
  const name = raw.trim().toLowerCase();
  const customer = CUSTOMER.exec(name);
  if (customer) return { origin: 'customer', name, region: customer[1] };
  const amazonaws = COM_AMAZONAWS.exec(name);
  if (amazonaws) {
    const [, , first = '', rest = ''] = amazonaws;
    // `com.amazonaws.s3-global.accesspoint` has no region label: the whole tail is the service.
    return REGION.test(first)
      ? { origin: 'aws', name, region: first, service: rest }
      : { origin: 'aws', name, service: `${first}.${rest}` };
  }
  const regionless = REGIONLESS.exec(name)?.[2];
  if (regionless) return { origin: 'aws', name, service: regionless };
  const prefixed = AWS_PREFIXED.exec(name);
  if (prefixed && REGION.test(prefixed[2] ?? '')) {
    const [, family = '', region, rest = ''] = prefixed;
    return { origin: 'aws', name, region, service: `${family}.${rest}` };
  }
  return { origin: 'unknown', name };
};

/**
 * Parses a service name. A scan compares the same few names (the account's endpoints, the rule's
 * services) for every resource: each is parsed once.
 */
const parseServiceName: (raw: string) => ServiceName = memoize(10_000, parseServiceNameText);

/** Whether a wanted name is written in full (`com.amazonaws.us-east-1.s3`) rather than short (`s3`). */
const isFullServiceName = (wanted: string): boolean => {
  const lower = wanted.trim().toLowerCase();
  return lower.includes('amazonaws.') || lower.startsWith('aws.');
};

/**
 * Whether an endpoint's service name is the wanted service. A short name matches the service part
 * of an AWS service name in any region or partition; a full name must match exactly.
 */
const matchesService = (serviceName: string, wanted: string): boolean => {
  const target = wanted.trim().toLowerCase();
  if (isFullServiceName(target)) return serviceName.trim().toLowerCase() === target;
  const parsed = parseServiceName(serviceName);
  return parsed.origin === 'aws' && parsed.service === target;
};

/** The region named by the first AWS service name that has one. */
const regionFromServiceNames = (serviceNames: readonly string[]): string | undefined => {
  for (const serviceName of serviceNames) {
    const parsed = parseServiceName(serviceName);
    if (parsed.origin !== 'customer' && parsed.origin !== 'unknown' && parsed.region) {
      return parsed.region;
    }
  }
  return undefined;
};

/**
 * The service name a missing endpoint would have, for annotations. Follows the `cn.` prefix style
 * when the VPC's other endpoints use it.
 */
const expectedServiceName = (
  wanted: string,
  region: string | undefined,
  siblings: readonly string[] = [],
): string => {
  if (isFullServiceName(wanted)) return wanted.trim().toLowerCase();
  // The first sibling that names its prefix decides; the rest need not be read.
  let prefix = 'com.amazonaws';
  for (const name of siblings) {
    const found = COM_AMAZONAWS.exec(name.trim().toLowerCase())?.[1];
    if (found !== undefined) {
      prefix = found;
      break;
    }
  }
  const service = wanted.trim().toLowerCase();
  if (REGIONLESS_SERVICES.has(service)) return `${prefix}.${service}`;
  return `${prefix}.${region ?? '<region>'}.${service}`;
};

export type { ServiceName };
export {
  expectedServiceName,
  isFullServiceName,
  matchesService,
  parseServiceName,
  regionFromServiceNames,
};
