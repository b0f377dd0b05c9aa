import { defineRule } from './rule.js';

// PLACEHOLDER: being implemented; replace the whole file.
const s3BucketPolicyTlsOnly = defineRule({
  id: 's3-bucket-policy-tls-only',
  title: 'TODO',
  description: 'TODO',
  rationale: 'TODO',
  severity: 'high',
  resourceType: 'AWS::S3::Bucket',
  triggerTypes: [],
  frameworks: [],
  parameters: {},
  remediation: 'TODO',
  iamActions: [],
  async evaluate() {
    throw new Error('rule s3-bucket-policy-tls-only is not implemented yet');
  },
});

export { s3BucketPolicyTlsOnly };
