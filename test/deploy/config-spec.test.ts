import { describe, expect, it } from 'vitest';
import { configRuleProblems } from '../../src/deploy/config-spec.js';

/** A sound custom Lambda rule, varied one field at a time below. */
const soundRule = () => ({
  ConfigRuleName: 'vpce-guard-x',
  Scope: { ComplianceResourceTypes: ['AWS::EC2::VPCEndpoint'] },
  Source: {
    Owner: 'CUSTOM_LAMBDA',
    SourceIdentifier: { 'Fn::GetAtt': ['Fn', 'Arn'] },
    SourceDetails: [
      { EventSource: 'aws.config', MessageType: 'ConfigurationItemChangeNotification' },
      {
        EventSource: 'aws.config',
        MessageType: 'ScheduledNotification',
        MaximumExecutionFrequency: 'TwentyFour_Hours' as unknown,
      },
    ],
  },
});

describe('configRuleProblems (what cfn-lint 1.51 lets through)', () => {
  it('accepts a sound rule, with deploy-time values as intrinsics', () => {
    const rule = soundRule();
    const details = rule.Source.SourceDetails;
    const scheduled = details[1];
    if (scheduled) scheduled.MaximumExecutionFrequency = { Ref: 'EvaluationFrequency' };

    expect(configRuleProblems('Rule', rule)).toEqual([]);
  });

  it.each([
    [
      'Owner CUSTOM',
      (r: ReturnType<typeof soundRule>) => Object.assign(r.Source, { Owner: 'CUSTOM' }),
      /Owner/,
    ],
    [
      'MaximumExecutionFrequency Daily',
      (r: ReturnType<typeof soundRule>) =>
        Object.assign(r.Source.SourceDetails[1] ?? {}, { MaximumExecutionFrequency: 'Daily' }),
      /MaximumExecutionFrequency/,
    ],
    [
      'MessageType Bogus',
      (r: ReturnType<typeof soundRule>) =>
        Object.assign(r.Source.SourceDetails[0] ?? {}, { MessageType: 'Bogus' }),
      /MessageType/,
    ],
    [
      'an unknown resource type',
      (r: ReturnType<typeof soundRule>) =>
        Object.assign(r.Scope, { ComplianceResourceTypes: ['AWS::EC2::NotAThing'] }),
      /Scope type/,
    ],
    [
      'a frequency on a change trigger',
      (r: ReturnType<typeof soundRule>) =>
        Object.assign(r.Source.SourceDetails[0] ?? {}, { MaximumExecutionFrequency: 'One_Hour' }),
      /needs MessageType ScheduledNotification/,
    ],
    [
      'a 65-character name',
      (r: ReturnType<typeof soundRule>) => Object.assign(r, { ConfigRuleName: 'x'.repeat(65) }),
      /65 characters/,
    ],
  ])('reports %s', (_label, mutate, message) => {
    // Prepare
    const rule = soundRule();
    mutate(rule);

    // Act
    const problems = configRuleProblems('Rule', rule);

    // Assess
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(message);
  });
});
