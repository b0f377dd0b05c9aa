import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { assumeRoleWithSts, memberRoleArn } from '../../src/engine/member-account.js';
import { InvalidEventError } from '../../src/errors.js';

const OWN_FUNCTION = 'arn:aws:lambda:us-east-1:111122223333:function:vpce-guard-prod-x';

describe('memberRoleArn', () => {
  it('names the member role in the account the event is for', () => {
    expect(memberRoleArn('vpce-guard-member', '444455556666', OWN_FUNCTION, undefined)).toBe(
      'arn:aws:iam::444455556666:role/vpce-guard-member',
    );
  });

  it('keeps the partition of the rule (China, GovCloud)', () => {
    expect(
      memberRoleArn(
        'vpce-guard-member',
        '444455556666',
        'arn:aws-cn:lambda:cn-north-1:111122223333:function:f',
        'arn:aws-cn:config:cn-north-1:444455556666:config-rule/config-rule-1',
      ),
    ).toBe('arn:aws-cn:iam::444455556666:role/vpce-guard-member');
  });

  it('refuses an event for another account when no member role is configured', () => {
    expect(() => memberRoleArn(undefined, '444455556666', OWN_FUNCTION, undefined)).toThrow(
      InvalidEventError,
    );
  });

  it.each(['12345', '4444-5555-6666', '444455556666:role/x', '../444455556666'])(
    'refuses the account id %j instead of pasting it into a role ARN',
    (account) => {
      expect(() => memberRoleArn('vpce-guard-member', account, OWN_FUNCTION, undefined)).toThrow(
        /not a 12-digit AWS account id/,
      );
    },
  );

  it.each([
    [
      'no member role is configured and the function account is unknown (local run)',
      undefined,
      '444455556666',
      '',
    ],
    ['the event is for the Lambda its own account', 'vpce-guard-member', '111122223333'],
    ['the event names no account', 'vpce-guard-member', undefined],
  ])('returns nothing when %s', (_case, roleName, account, functionArn = OWN_FUNCTION) => {
    expect(memberRoleArn(roleName, account, functionArn || undefined, undefined)).toBeUndefined();
  });
});

describe('assumeRoleWithSts', () => {
  const sts = mockClient(STSClient);
  const ROLE = 'arn:aws:iam::444455556666:role/vpce-guard-member';
  let clock = Date.parse('2026-11-28T10:00:00Z');
  const issue = (suffix: string, validMinutes: number) => ({
    Credentials: {
      AccessKeyId: `AKIA${suffix}`,
      SecretAccessKey: 'secret',
      SessionToken: 'token',
      Expiration: new Date(clock + validMinutes * 60_000),
    },
  });

  beforeEach(() => {
    sts.reset();
    clock = Date.parse('2026-11-28T10:00:00Z');
  });

  it('assumes the role once and reuses the credentials while they stay valid', async () => {
    // Prepare
    sts.on(AssumeRoleCommand).resolvesOnce(issue('FIRST', 15)).resolvesOnce(issue('SECOND', 15));
    const provider = assumeRoleWithSts(ROLE, 'vpce-guard-rule', new STSClient({}), () => clock);
    if (typeof provider !== 'function') throw new Error('expected a provider');

    // Act
    const first = await provider();
    clock += 5 * 60_000;
    const again = await provider();
    clock += 6 * 60_000; // 4 minutes left: inside the renewal margin
    const renewed = await provider();

    // Assess
    expect(first.accessKeyId).toBe('AKIAFIRST');
    expect(again.accessKeyId).toBe('AKIAFIRST');
    expect(renewed.accessKeyId).toBe('AKIASECOND');
    expect(sts).toHaveReceivedCommandTimes(AssumeRoleCommand, 2);
    expect(sts).toHaveReceivedCommandWith(AssumeRoleCommand, {
      RoleArn: ROLE,
      RoleSessionName: 'vpce-guard-rule',
    });
  });

  it('fails loudly when STS returns no credentials', async () => {
    sts.on(AssumeRoleCommand).resolves({});
    const provider = assumeRoleWithSts(ROLE, 's', new STSClient({}), () => clock);
    if (typeof provider !== 'function') throw new Error('expected a provider');

    await expect(provider()).rejects.toThrow(/returned no credentials/);
  });
});
