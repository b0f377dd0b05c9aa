import type { STSClient } from '@aws-sdk/client-sts';
import { InvalidEventError } from '../errors.js';
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
 * shortly before they expire (the clients call it before signing each request). Uses only the STS
 * client, loaded on first use: only organization mode assumes roles, so a single-account function
 * never loads it.
 */
const assumeRoleWithSts = (
  roleArn: string,
  sessionName: string,
  sts?: STSClient,
  now: () => number = Date.now,
): CredentialsOption => {
  let client = sts;
  let cached:
    | { accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: Date }
    | undefined;
  return async () => {
    if (cached && cached.expiration.getTime() - now() > REFRESH_MARGIN_MS) return cached;
    const { AssumeRoleCommand, STSClient: Client } = await import('@aws-sdk/client-sts');
    client ??= new Client({});
    const { Credentials } = await client.send(
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

/** What AWS account ids look like; anything else must never reach an ARN. */
const ACCOUNT_ID = /^\d{12}$/;

/**
 * The role to assume for an invocation, or undefined when the event is for the Lambda's own
 * account. An event for another account is refused when no member role is configured: reading
 * the own account and reporting it under the other account's token would be a false verdict.
 */
const memberRoleArn = (
  roleName: string | undefined,
  eventAccountId: string | undefined,
  functionArn: string | undefined,
  configRuleArn: string | undefined,
): string | undefined => {
  if (!eventAccountId) return undefined;
  const ownAccount = accountOfArn(functionArn);
  if (eventAccountId === ownAccount) return undefined;
  if (!ACCOUNT_ID.test(eventAccountId)) {
    throw new InvalidEventError(
      `accountId ${JSON.stringify(eventAccountId.slice(0, 40))} is not a 12-digit AWS account id`,
    );
  }
  if (!roleName) {
    // Without the function's own account (a local run) there is nothing to compare against.
    if (ownAccount === undefined) return undefined;
    throw new InvalidEventError(
      `The event is for account ${eventAccountId}, but this function runs in ${ownAccount} and no member role is configured (${MEMBER_ROLE_ENV}); refusing to evaluate one account's resources as another's`,
    );
  }
  return `arn:${partitionOfArn(configRuleArn ?? functionArn)}:iam::${eventAccountId}:role/${roleName}`;
};

export type { AssumeRole };
export { assumeRoleWithSts, MEMBER_ROLE_ENV, memberRoleArn };
