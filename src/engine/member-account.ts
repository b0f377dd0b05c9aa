import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import type { CredentialsOption } from '../sources/aws/clients.js';

/**
 * Organization rules (`AWS::Config::OrganizationConfigRule`) invoke the rule Lambda in the
 * delegated-admin account for every member account. The member's resources and its PutEvaluations
 * must then go through a role in that member account (the rdklib convention, deployed by
 * infra/member-role.yaml). `VPCE_GUARD_MEMBER_ROLE_NAME` names it; unset means single account.
 */
const MEMBER_ROLE_ENV = 'VPCE_GUARD_MEMBER_ROLE_NAME';

type AssumeRole = (roleArn: string, sessionName: string) => CredentialsOption;

/** Renew this long before the credentials expire, so no call is signed with expiring keys. */
const REFRESH_MARGIN_MS = 5 * 60_000;

/**
 * A credentials provider over STS AssumeRole that caches the role's credentials and renews them
 * shortly before they expire (the clients call it before signing each request). Uses only an SDK
 * client, which the Lambda runtime provides, not a separate credentials package.
 */
const assumeRoleWithSts = (
  roleArn: string,
  sessionName: string,
  sts: STSClient = new STSClient({}),
  now: () => number = Date.now,
): CredentialsOption => {
  let cached:
    | { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date }
    | undefined;
  return async () => {
    if (cached && cached.expiration.getTime() - now() > REFRESH_MARGIN_MS) return cached;
    const { Credentials } = await sts.send(
      new AssumeRoleCommand({
        RoleArn: roleArn,
        RoleSessionName: sessionName,
        DurationSeconds: 900,
      }),
    );
    if (!Credentials?.AccessKeyId || !Credentials.SecretAccessKey || !Credentials.SessionToken) {
      throw new Error(`AssumeRole ${roleArn} returned no credentials`);
    }
    cached = {
      accessKeyId: Credentials.AccessKeyId,
      secretAccessKey: Credentials.SecretAccessKey,
      sessionToken: Credentials.SessionToken,
      expiration: Credentials.Expiration ?? new Date(now() + 900_000),
    };
    return cached;
  };
};

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
