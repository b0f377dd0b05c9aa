import type { Counterexample } from '../model/compliance.js';

/**
 * Words for verdicts about policies. AWS Config shows at most 256 characters, so an annotation is
 * chosen from variants written to fit — cause first, then the fix — and never cut; the full story
 * goes in the verdict's detail.
 */

const ANNOTATION_LIMIT = 256;

/** The first variant that fits in Config's 256 characters (the last one must always fit). */
const fitAnnotation = (...variants: readonly string[]): string => {
  const fitting = variants.find((variant) => variant.length <= ANNOTATION_LIMIT);
  return fitting ?? (variants.at(-1) as string).slice(0, ANNOTATION_LIMIT);
};

const valueText = (value: string | readonly string[] | null | undefined): string =>
  value === null || value === undefined
    ? 'none'
    : typeof value === 'string'
      ? value
      : value.join(', ');

/** Where a request comes from, as one phrase. */
const describeOrigin = (context: Counterexample['context']): string => {
  const vpce = context['aws:SourceVpce'];
  const ip = context['aws:SourceIp'];
  const tls = context['aws:SecureTransport'];
  const parts: string[] = [];
  if (vpce !== null && vpce !== undefined) parts.push(`through VPC endpoint ${valueText(vpce)}`);
  else if (ip !== null && ip !== undefined) parts.push(`from ${valueText(ip)} (no VPC endpoint)`);
  if (tls === 'false') parts.push('over plain HTTP');
  return parts.join(' ');
};

/** The counterexample as one sentence, for the table view and the detail text. */
const describeCounterexample = (example: Counterexample): string => {
  const who =
    example.principal === '*'
      ? 'an anonymous caller'
      : example.context['aws:PrincipalIsAWSService'] === 'true'
        ? `service principal ${example.principal}`
        : example.principal;
  const origin = describeOrigin(example.context);
  const notable = Object.entries(example.context)
    .filter(
      ([key, value]) =>
        value !== null &&
        ![
          'aws:PrincipalArn',
          'aws:PrincipalAccount',
          'aws:PrincipalIsAWSService',
          'aws:SourceVpce',
          'aws:SourceIp',
          'aws:SecureTransport',
          'aws:ResourceAccount',
          'aws:ViaAWSService',
        ].includes(key) &&
        !(key.startsWith('aws:Vpce') || key === 'aws:SourceVpc' || key === 'aws:SourceVpcArn'),
    )
    .map(([key, value]) => `${key}=${valueText(value)}`);
  const via = example.context['aws:ViaAWSService'] === 'true' ? ' via an AWS service' : '';
  const extra = notable.length > 0 ? ` with ${notable.join(', ')}` : '';
  return `For example ${who} calling ${example.action} on ${example.resource}${origin ? ` ${origin}` : ''}${via}${extra} is not denied.`;
};

/** "a, b and 3 more". */
const listSome = (items: readonly string[], shown: number): string => {
  if (items.length <= shown) return items.join(', ');
  return `${items.slice(0, shown).join(', ')} and ${items.length - shown} more`;
};

export {
  ANNOTATION_LIMIT,
  describeCounterexample,
  describeOrigin,
  fitAnnotation,
  listSome,
  valueText,
};
