import { existsSync, readFileSync } from 'node:fs';
import { ConfigServiceClient, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import type { Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it } from 'vitest';
import { handler as s3VpceOnlyHandler } from '../../handlers/rules/s3-bucket-policy-vpce-only.js';
import { RULES } from '../../src/rules/index.js';
import { CAPTURE_TIME, loadEventFixture } from '../helpers/events.js';

const configMock = mockClient(ConfigServiceClient);

const handlerPath = (ruleId: string): URL =>
  new URL(`../../handlers/rules/${ruleId}.ts`, import.meta.url);

const lambdaContext = (name: string): Context => ({
  callbackWaitsForEmptyEventLoop: true,
  functionName: name,
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:123456789012:function:${name}`,
  memoryLimitInMB: '512',
  awsRequestId: '7f2c1d9e-0000-4000-8000-000000000001',
  logGroupName: `/aws/lambda/${name}`,
  logStreamName: '2025/03/14/[$LATEST]abcdef',
  getRemainingTimeInMillis: () => 60_000,
  done: () => {},
  fail: () => {},
  succeed: () => {},
});

describe('handlers/rules', () => {
  it.each(RULES.map((rule) => [rule.id]))('has a handler file wrapping rule %s', (ruleId) => {
    // Assess
    expect(existsSync(handlerPath(ruleId)), `handlers/rules/${ruleId}.ts is missing`).toBe(true);
    // A copy-pasted handler would deploy one rule's Lambda with another rule's logic.
    expect(readFileSync(handlerPath(ruleId), 'utf8')).toContain(`'../../src/rules/${ruleId}.js'`);
  });

  it.each(RULES.map((rule) => [rule.id]))(
    'exports a handler function for rule %s',
    async (ruleId) => {
      // Act
      const module = (await import(`../../handlers/rules/${ruleId}.ts`)) as { handler?: unknown };

      // Assess
      expect(typeof module.handler).toBe('function');
    },
  );
});

describe('handler: s3-bucket-policy-vpce-only (end to end)', () => {
  beforeEach(() => {
    configMock.reset();
    configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
  });

  const bucket = 'vpce-guard-data-123456789012';
  const context = lambdaContext('vpce-guard-s3-bucket-policy-vpce-only');

  it('returns COMPLIANT for a bucket change whose policy denies all but the allowed endpoint', async () => {
    // Prepare
    const event = {
      ...loadEventFixture('s3-bucket-change'),
      ruleParameters: JSON.stringify({ allowedVpceIds: 'vpce-0a1b2c3d4e5f60718' }),
    };

    // Act
    const summary = await s3VpceOnlyHandler(event, context);

    // Assess
    expect(configMock).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
    const [call] = configMock.commandCalls(PutEvaluationsCommand);
    expect(call?.args[0].input).toMatchObject({
      ResultToken: event.resultToken,
      Evaluations: [
        {
          ComplianceResourceType: 'AWS::S3::Bucket',
          ComplianceResourceId: bucket,
          ComplianceType: 'COMPLIANT',
          OrderingTimestamp: new Date(CAPTURE_TIME),
        },
      ],
    });
    expect(summary).toMatchObject({ evaluated: 1, delivered: 1 });
  });

  it('returns NON_COMPLIANT when the policy allows an endpoint outside allowedVpceIds', async () => {
    // Prepare
    const event = {
      ...loadEventFixture('s3-bucket-change'),
      ruleParameters: JSON.stringify({ allowedVpceIds: 'vpce-0ffffffffffffffff' }),
    };

    // Act
    await s3VpceOnlyHandler(event, context);

    // Assess
    const [evaluation] =
      configMock.commandCalls(PutEvaluationsCommand)[0]?.args[0].input.Evaluations ?? [];
    expect(evaluation?.ComplianceType).toBe('NON_COMPLIANT');
    expect(evaluation?.Annotation).toContain('vpce-0a1b2c3d4e5f60718');
    expect(evaluation?.Annotation?.length).toBeLessThanOrEqual(256);
  });

  it('fails before evaluating when a parameter is malformed', async () => {
    // Prepare
    const event = {
      ...loadEventFixture('s3-bucket-change'),
      ruleParameters: JSON.stringify({ allowedVpceIds: 'not-an-endpoint' }),
    };

    // Act
    const invocation = s3VpceOnlyHandler(event, context);

    // Assess
    await expect(invocation).rejects.toThrow(
      /allowedVpceIds has invalid value\(s\): not-an-endpoint/,
    );
    expect(configMock).not.toHaveReceivedCommand(PutEvaluationsCommand);
  });
});
