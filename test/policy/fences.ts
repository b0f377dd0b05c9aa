import type { Exemptions, Fence } from '../../src/policy/fence.js';

/** The account, endpoint, fence and exemptions the analyser-level policy tests share. */
const ACCOUNT = '111122223333';
const VPCE = 'vpce-0a1b2c3d4e5f67890';

/** A network fence with nothing pinned: any endpoint or VPC counts, as the rule's defaults. */
const NETWORK: Extract<Fence, { kind: 'network' }> = {
  kind: 'network',
  allowedVpceIds: [],
  allowedVpcIds: [],
  trustedAccountIds: [],
  trustedOrgIds: [],
};

/** The bucket rules' default exemptions: AWS services and the account's service-linked roles. */
const DEFAULTS: Exemptions = {
  'aws:PrincipalIsAWSService': ['true'],
  'aws:ViaAWSService': ['true'],
  'aws:PrincipalArn': [`arn:aws:iam::${ACCOUNT}:role/aws-service-role/*`],
};

export { ACCOUNT, DEFAULTS, NETWORK, VPCE };
