/** Minimal CloudFormation vocabulary shared by the template builders. */

type CfnValue = unknown;

interface CfnResource {
  Type: string;
  Condition?: string;
  DependsOn?: string | string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Properties?: Record<string, CfnValue>;
}

interface CfnParameter {
  Type: string;
  Description: string;
  Default?: string;
  AllowedValues?: readonly string[];
  AllowedPattern?: string;
  ConstraintDescription?: string;
  MinLength?: number;
  MaxLength?: number;
}

interface CfnTemplate {
  AWSTemplateFormatVersion: '2010-09-09';
  Description: string;
  Parameters?: Record<string, CfnParameter>;
  Conditions?: Record<string, CfnValue>;
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, { Description: string; Value: CfnValue; Export?: { Name: CfnValue } }>;
}

interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Principal?: CfnValue;
  Action: string | string[];
  Resource: CfnValue;
  Condition?: Record<string, Record<string, CfnValue>>;
}

const ref = (name: string) => ({ Ref: name });
const getAtt = (name: string, attribute: string) => ({ 'Fn::GetAtt': [name, attribute] });
const sub = (text: string) => ({ 'Fn::Sub': text });
const ifThen = (condition: string, then: CfnValue, otherwise: CfnValue = ref('AWS::NoValue')) => ({
  'Fn::If': [condition, then, otherwise],
});
const notEmpty = (parameter: string) => ({
  'Fn::Not': [{ 'Fn::Equals': [ref(parameter), ''] }],
});
/** For CommaDelimitedList parameters: a list whose joined text is empty has no items. */
const listNotEmpty = (parameter: string) => ({
  'Fn::Not': [{ 'Fn::Equals': [{ 'Fn::Join': ['', ref(parameter)] }, ''] }],
});
const policyDocument = (statements: CfnValue[]) => ({
  Version: '2012-10-17',
  Statement: statements,
});

/** Truncates text to a service limit, marking the cut so nobody mistakes it for the whole. */
const truncate = (text: string, max: number): string =>
  text.length <= max ? text : `${text.slice(0, max - 1).trimEnd()}…`;

export type { CfnParameter, CfnResource, CfnTemplate, CfnValue, PolicyStatement };

/**
 * The settings every bucket vpce-guard creates shares: no public access, bucket-owner objects,
 * versioning. Encryption and lifecycle differ per bucket and are passed in.
 */
const privateBucketProperties = (
  encryption: Record<string, unknown>,
  lifecycleRule: Record<string, unknown>,
): Record<string, unknown> => ({
  BucketEncryption: { ServerSideEncryptionConfiguration: [encryption] },
  PublicAccessBlockConfiguration: {
    BlockPublicAcls: true,
    BlockPublicPolicy: true,
    IgnorePublicAcls: true,
    RestrictPublicBuckets: true,
  },
  OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
  VersioningConfiguration: { Status: 'Enabled' },
  LifecycleConfiguration: { Rules: [{ Status: 'Enabled', ...lifecycleRule }] },
});

export {
  getAtt,
  ifThen,
  listNotEmpty,
  notEmpty,
  policyDocument,
  privateBucketProperties,
  ref,
  sub,
  truncate,
};
