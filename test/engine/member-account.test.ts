import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { assumeRoleWithSts, memberRoleArn } from '../../src/engine/member-account.js';

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

  it.each([
    ['no member role is configured', undefined, '444455556666'],
    ['the event is for the Lambda its own account', 'vpce-guard-member', '111122223333'],
    ['the event names no account', 'vpce-guard-member', undefined],
  ])('returns nothing when %s', (_case, roleName, account) => {
    expect(memberRoleArn(roleName, account, OWN_FUNCTION, undefined)).toBeUndefined();
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
