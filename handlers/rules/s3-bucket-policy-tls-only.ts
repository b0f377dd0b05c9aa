import { createRuleHandler } from '../../src/engine/handler-factory.js';
import { s3BucketPolicyTlsOnly } from '../../src/rules/s3-bucket-policy-tls-only.js';

const handler = createRuleHandler(s3BucketPolicyTlsOnly);

export { handler };
