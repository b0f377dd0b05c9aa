import { fromTemporaryCredentials } from '@aws-sdk/credential-providers';
import type { CredentialsOption } from '../sources/aws/clients.js';

/**
 * Organization rules (`AWS::Config::OrganizationConfigRule`) invoke the rule Lambda in the
 * delegated-admin account for every member account. The member's resources and its PutEvaluations
 * must then go through a role in that member account (the rdklib convention, deployed by
 * infra/member-role.yaml). `VPCE_GUARD_MEMBER_ROLE_NAME` names it; unset means single account.
 */
const MEMBER_ROLE_ENV = 'VPCE_GUARD_MEMBER_ROLE_NAME';

type AssumeRole = (roleArn: string, sessionName: string) => CredentialsOption;

const assumeRoleWithSts: AssumeRole = (roleArn, sessionName) =>
  fromTemporaryCredentials({
    params: { RoleArn: roleArn, RoleSessionName: sessionName, DurationSeconds: 900 },
  }) as CredentialsOption;

const accountOfArn = (arn: string | undefined): string | undefined =>
  arn?.split(':')[4] || undefined;
const partitionOfArn = (arn: string | undefined): string => arn?.split(':')[1] || 'aws';

/**
 * The role to assume for an invocation, or undefined when the event is for the Lambda's own
 * account (or no member role is configured).
 */
const memberRoleArn = (
  roleName: string | undefined,
  eventAccountId: string | undefined,
  functionArn: string | undefined,
  configRuleArn: string | undefined,
): string | undefined => {
  if (!roleName || !eventAccountId) return undefined;
  if (eventAccountId === accountOfArn(functionArn)) return undefined;
  return `arn:${partitionOfArn(configRuleArn ?? functionArn)}:iam::${eventAccountId}:role/${roleName}`;
};

export type { AssumeRole };
export { assumeRoleWithSts, MEMBER_ROLE_ENV, memberRoleArn };
