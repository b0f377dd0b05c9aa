import { type CfnResource, type CfnValue, getAtt, policyDocument } from './cfn.js';
import { LOG_ACTIONS } from './rule-resources.js';

/**
 * The execution role every function of the stack gets: trusted by Lambda only, one inline
 * least-privilege policy that starts with writing to the function's own log group.
 */
const lambdaRoleOf = (options: {
  path: string;
  description: string;
  /** Logical id of the function's log group. */
  logGroupId: string;
  statements: readonly CfnValue[];
}): CfnResource => ({
  Type: 'AWS::IAM::Role',
  Properties: {
    Path: options.path,
    Description: options.description,
    AssumeRolePolicyDocument: policyDocument([
      { Effect: 'Allow', Principal: { Service: 'lambda.amazonaws.com' }, Action: 'sts:AssumeRole' },
    ]),
    Policies: [
      {
        PolicyName: 'least-privilege',
        PolicyDocument: policyDocument([
          {
            Sid: 'OwnLogGroup',
            Effect: 'Allow',
            Action: [...LOG_ACTIONS],
            // The log group ARN attribute ends in `:*`, which covers its streams.
            Resource: getAtt(options.logGroupId, 'Arn'),
          },
          ...options.statements,
        ]),
      },
    ],
  },
});

export { lambdaRoleOf };
