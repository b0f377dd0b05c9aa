import { describe, expect, it } from 'vitest';
import { memberRoleArn } from '../../src/engine/member-account.js';

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
