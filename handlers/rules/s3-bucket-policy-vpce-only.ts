import { createRuleHandler } from '../../src/engine/handler-factory.js';
import { s3BucketPolicyVpceOnly } from '../../src/rules/s3-bucket-policy-vpce-only.js';

const handler = createRuleHandler(s3BucketPolicyVpceOnly);

export { handler };
