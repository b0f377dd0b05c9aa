/**
 * Which AWS partition a region belongs to, from the AWS SDK's partition data
 * (@aws-sdk/core util-endpoints `partitions.js`, `regionRegex` of each partition; the test checks
 * this table against the installed SDK). The commercial pattern is checked last: it would not
 * match the others' regions, but listing it last keeps the specific partitions first.
 */
const PARTITIONS: readonly (readonly [string, RegExp])[] = [
  ['aws-cn', /^cn-\w+-\d+$/],
  ['aws-us-gov', /^us-gov-\w+-\d+$/],
  ['aws-iso', /^us-iso-\w+-\d+$/],
  ['aws-iso-b', /^us-isob-\w+-\d+$/],
  ['aws-iso-e', /^eu-isoe-\w+-\d+$/],
  ['aws-iso-f', /^us-isof-\w+-\d+$/],
  ['aws-eusc', /^eusc-(de)-\w+-\d+$/],
  ['aws', /^(us|eu|ap|sa|ca|me|af|il|mx)-\w+-\d+$/],
];

/** The partition of a region (`aws-us-gov` for us-gov-west-1); `undefined` for a region no partition claims. */
const partitionOfRegion = (region: string | undefined): string | undefined => {
  if (region === undefined) return undefined;
  // An account has a handful of regions and every bucket asks: the last answer is usually it.
  if (region === lastRegion) return lastPartition;
  const partition = PARTITIONS.find(([, pattern]) => pattern.test(region))?.[0];
  lastRegion = region;
  lastPartition = partition;
  return partition;
};

let lastRegion: string | undefined;
let lastPartition: string | undefined;

/** The partition an ARN names (`arn:aws-cn:…` → `aws-cn`); `undefined` for text that is no ARN. */
const partitionOfArn = (arn: string | undefined): string | undefined => {
  const match = /^arn:([a-z][a-z0-9-]*):/.exec(arn ?? '');
  return match?.[1];
};

export { partitionOfArn, partitionOfRegion };
