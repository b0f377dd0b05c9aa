/**
 * The bucket-policy statements vpce-guard recommends, as data: the rules' remediation examples, the
 * demo account, the benchmarks and the tests all build policies from these, so what the docs advise
 * is exactly what the checks accept.
 */

type PolicyStatement = Record<string, unknown>;

const bucketResources = (bucket: string, partition = 'aws'): string[] => [
  `arn:${partition}:s3:::${bucket}`,
  `arn:${partition}:s3:::${bucket}/*`,
];

/** Deny every S3 action on the bucket and its objects unless the request uses TLS. */
const tlsOnlyStatement = (bucket: string): PolicyStatement => ({
  Sid: 'DenyInsecureTransport',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: bucketResources(bucket),
  Condition: { Bool: { 'aws:SecureTransport': 'false' } },
});

/**
 * The Deny carve-outs matching the default `exemptions`: AWS service principals, AWS services
 * acting for a caller, and the account's service-linked roles (AWS Config reads the bucket so).
 */
const defaultCarveOuts = (account: string, partition = 'aws'): Record<string, unknown> => ({
  BoolIfExists: { 'aws:PrincipalIsAWSService': 'false', 'aws:ViaAWSService': 'false' },
  ArnNotLike: { 'aws:PrincipalArn': `arn:${partition}:iam::${account}:role/aws-service-role/*` },
});

/**
 * Deny every S3 action on the bucket and its objects unless it arrives through one of the
 * endpoints; with the bucket's account, the default exemptions are carved out too.
 */
const vpceOnlyStatement = (
  bucket: string,
  vpceIds: readonly string[],
  account?: string,
): PolicyStatement => ({
  Sid: 'DenyOutsideVpce',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: bucketResources(bucket),
  Condition: {
    StringNotEquals: { 'aws:SourceVpce': vpceIds.length === 1 ? vpceIds[0] : [...vpceIds] },
    ...(account === undefined ? {} : defaultCarveOuts(account)),
  },
});

const policyDocument = (statements: readonly PolicyStatement[]) => ({
  Version: '2012-10-17',
  Statement: [...statements],
});

/** The policy as the text S3 and AWS Config store. */
const policyText = (statements: readonly PolicyStatement[]): string =>
  JSON.stringify(policyDocument(statements));

export type { PolicyStatement };
export {
  bucketResources,
  defaultCarveOuts,
  policyDocument,
  policyText,
  tlsOnlyStatement,
  vpceOnlyStatement,
};
