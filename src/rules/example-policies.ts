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

/** Deny every S3 action on the bucket and its objects unless it arrives through one of the endpoints. */
const vpceOnlyStatement = (bucket: string, vpceIds: readonly string[]): PolicyStatement => ({
  Sid: 'DenyOutsideVpce',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: bucketResources(bucket),
  Condition: {
    StringNotEquals: { 'aws:SourceVpce': vpceIds.length === 1 ? vpceIds[0] : [...vpceIds] },
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
export { bucketResources, policyDocument, policyText, tlsOnlyStatement, vpceOnlyStatement };
