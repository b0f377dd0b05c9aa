import type { Evaluation } from '@aws-sdk/client-config-service';
import {
  ConfigServiceClient,
  ConfigServiceServiceException,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-vitest/extend';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { deliverEvaluations } from '../../src/engine/deliver.js';
import { EvaluationDeliveryError } from '../../src/errors.js';
import { RecordingLogger } from './recording-logger.js';

const configMock = mockClient(ConfigServiceClient);

const awsError = (name: string, status: number): ConfigServiceServiceException =>
  new ConfigServiceServiceException({
    name,
    $fault: status >= 500 ? 'server' : 'client',
    $metadata: { httpStatusCode: status },
    message: `${name} from the mock`,
  });

const evaluationsFor = (count: number): Evaluation[] =>
  Array.from({ length: count }, (_, index) => ({
    ComplianceResourceType: 'AWS::EC2::SecurityGroup',
    ComplianceResourceId: `sg-${String(index).padStart(17, '0')}`,
    ComplianceType: 'COMPLIANT',
    OrderingTimestamp: new Date('2025-03-14T12:00:00.373Z'),
  }));

const setup = (overrides: { resultToken?: string; maxAttempts?: number } = {}) => {
  const logger = new RecordingLogger();
  const sleep = vi.fn(async (_ms: number) => {});
  const options = {
    config: new ConfigServiceClient({}),
    resultToken: overrides.resultToken ?? 'token-1',
    logger,
    sleep,
    random: () => 1,
    ...(overrides.maxAttempts ? { maxAttempts: overrides.maxAttempts } : {}),
  };
  return { logger, sleep, options };
};

describe('deliverEvaluations', () => {
  beforeEach(() => {
    configMock.reset();
  });

  it('sends 250 evaluations in batches of 100, 100 and 50 with the result token', async () => {
    // Prepare
    configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    const { options } = setup();

    // Act
    const result = await deliverEvaluations(evaluationsFor(250), options);

    // Assess
    const sizes = configMock
      .commandCalls(PutEvaluationsCommand)
      .map((call) => call.args[0].input.Evaluations?.length);
    expect(sizes).toEqual([100, 100, 50]);
    expect(configMock).toHaveReceivedCommandWith(PutEvaluationsCommand, { ResultToken: 'token-1' });
    expect(result).toEqual({ delivered: 250, testMode: false });
  });

  it('sets TestMode only for the TESTMODE result token', async () => {
    // Prepare
    configMock.on(PutEvaluationsCommand).resolves({});

    // Act
    await deliverEvaluations(evaluationsFor(1), setup({ resultToken: 'TESTMODE' }).options);
    await deliverEvaluations(evaluationsFor(1), setup({ resultToken: 'real-token' }).options);

    // Assess
    const [testCall, realCall] = configMock.commandCalls(PutEvaluationsCommand);
    expect(testCall?.args[0].input.TestMode).toBe(true);
    expect(realCall?.args[0].input).not.toHaveProperty('TestMode');
  });

  it('reports an empty list once so Config records a successful run', async () => {
    // Prepare
    configMock.on(PutEvaluationsCommand).resolves({});

    // Act
    const result = await deliverEvaluations([], setup().options);

    // Assess
    expect(configMock).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
    expect(configMock).toHaveReceivedCommandWith(PutEvaluationsCommand, { Evaluations: [] });
    expect(result.delivered).toBe(0);
  });

  it('skips the empty report in TestMode, where nothing is recorded anyway', async () => {
    // Prepare
    configMock.on(PutEvaluationsCommand).resolves({});

    // Act
    const result = await deliverEvaluations([], setup({ resultToken: 'TESTMODE' }).options);

    // Assess
    expect(configMock).not.toHaveReceivedCommand(PutEvaluationsCommand);
    expect(result).toEqual({ delivered: 0, testMode: true });
  });

  it('resends only the FailedEvaluations after a backoff, until Config accepts them', async () => {
    // Prepare
    const evaluations = evaluationsFor(3);
    const rejected = { ...evaluations[1], OrderingTimestamp: new Date(0) } as Evaluation;
    configMock
      .on(PutEvaluationsCommand)
      .resolvesOnce({ FailedEvaluations: [rejected] })
      .resolves({ FailedEvaluations: [] });
    const { options, sleep, logger } = setup();

    // Act
    const result = await deliverEvaluations(evaluations, options);

    // Assess
    const calls = configMock.commandCalls(PutEvaluationsCommand);
    expect(calls).toHaveLength(2);
    // The retry carries the evaluation as built, not Config's echo of it.
    expect(calls[1]?.args[0].input.Evaluations).toEqual([evaluations[1]]);
    expect(sleep).toHaveBeenCalledTimes(1);
    expect(result.delivered).toBe(3);
    expect(logger.at('warn')).toEqual([
      expect.objectContaining({
        attributes: expect.objectContaining({ resourceId: evaluations[1]?.ComplianceResourceId }),
      }),
    ]);
  });

  it('fails with EvaluationDeliveryError when Config keeps rejecting evaluations', async () => {
    // Prepare
    const evaluations = evaluationsFor(2);
    configMock
      .on(PutEvaluationsCommand)
      .resolves({ FailedEvaluations: [evaluations[0] as Evaluation] });
    const { options, sleep, logger } = setup({ maxAttempts: 4 });

    // Act
    const delivery = deliverEvaluations(evaluations, options);

    // Assess
    await expect(delivery).rejects.toBeInstanceOf(EvaluationDeliveryError);
    await expect(delivery).rejects.toMatchObject({ undelivered: 1 });
    expect(configMock).toHaveReceivedCommandTimes(PutEvaluationsCommand, 4);
    expect(sleep).toHaveBeenCalledTimes(3);
    expect(logger.at('error')).toEqual([
      expect.objectContaining({
        message: 'Evaluation lost after retries',
        attributes: expect.objectContaining({ resourceId: evaluations[0]?.ComplianceResourceId }),
      }),
    ]);
  });

  it('retries throttling with growing delays and then delivers', async () => {
    // Prepare
    configMock
      .on(PutEvaluationsCommand)
      .rejectsOnce(awsError('ThrottlingException', 400))
      .rejectsOnce(awsError('ServiceUnavailable', 503))
      .resolves({});
    const { options, sleep } = setup();

    // Act
    const result = await deliverEvaluations(evaluationsFor(5), options);

    // Assess
    expect(configMock).toHaveReceivedCommandTimes(PutEvaluationsCommand, 3);
    const delays = sleep.mock.calls.map(([ms]) => ms);
    expect(delays).toHaveLength(2);
    expect(delays[1]).toBeGreaterThan(delays[0] ?? Number.POSITIVE_INFINITY);
    expect(result.delivered).toBe(5);
  });

  it('gives up on persistent throttling with EvaluationDeliveryError carrying the cause', async () => {
    // Prepare
    const throttled = awsError('TooManyRequestsException', 429);
    configMock.on(PutEvaluationsCommand).rejects(throttled);
    const { options } = setup({ maxAttempts: 3 });

    // Act
    const delivery = deliverEvaluations(evaluationsFor(2), options);

    // Assess
    await expect(delivery).rejects.toMatchObject({
      name: 'EvaluationDeliveryError',
      undelivered: 2,
      cause: throttled,
    });
    expect(configMock).toHaveReceivedCommandTimes(PutEvaluationsCommand, 3);
  });

  it('does not retry an error that would fail the same way again', async () => {
    // Prepare
    configMock.on(PutEvaluationsCommand).rejects(awsError('InvalidResultTokenException', 400));
    const { options, sleep } = setup();

    // Act
    const delivery = deliverEvaluations(evaluationsFor(2), options);

    // Assess
    await expect(delivery).rejects.toThrow(
      /PutEvaluations failed; 2 of 2 evaluation\(s\) not delivered/,
    );
    expect(configMock).toHaveReceivedCommandTimes(PutEvaluationsCommand, 1);
    expect(sleep).not.toHaveBeenCalled();
  });

  it('counts the batches never sent when a batch fails for good', async () => {
    // Prepare: the first batch is accepted, the second refused; the third is never sent.
    configMock
      .on(PutEvaluationsCommand)
      .resolvesOnce({ FailedEvaluations: [] })
      .rejects(awsError('InvalidParameterValueException', 400));
    const { options } = setup();

    // Act
    const delivery = deliverEvaluations(evaluationsFor(250), options);

    // Assess
    await expect(delivery).rejects.toMatchObject({ undelivered: 150 });
    await expect(delivery).rejects.toThrow(/150 of 250 evaluation\(s\) not delivered/);
  });

  it('keeps delivering later batches when an earlier batch loses evaluations', async () => {
    // Prepare
    const evaluations = evaluationsFor(150);
    configMock.on(PutEvaluationsCommand).callsFake((input: { Evaluations?: Evaluation[] }) => ({
      FailedEvaluations: (input.Evaluations ?? []).filter(
        (evaluation) => evaluation.ComplianceResourceId === evaluations[0]?.ComplianceResourceId,
      ),
    }));
    const { options } = setup({ maxAttempts: 2 });

    // Act
    const delivery = deliverEvaluations(evaluations, options);

    // Assess
    await expect(delivery).rejects.toMatchObject({ undelivered: 1 });
    const sizes = configMock
      .commandCalls(PutEvaluationsCommand)
      .map((call) => call.args[0].input.Evaluations?.length);
    expect(sizes).toEqual([100, 1, 50]);
  });
});
