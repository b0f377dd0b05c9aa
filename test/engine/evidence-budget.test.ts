import { ConfigServiceClient, PutEvaluationsCommand } from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';
import { runRule } from '../../src/engine/run-rule.js';
import { compliant } from '../../src/model/compliance.js';
import type { EvidenceRecord } from '../../src/model/evidence.js';
import { SnapshotView } from '../../src/sources/snapshot.js';
import { scheduledEvent } from '../helpers/events.js';
import { testVpc, vpcRuleThat } from '../helpers/vpc-rule.js';
import { RecordingLogger } from './recording-logger.js';

const configMock = mockClient(ConfigServiceClient);

const vpcRule = vpcRuleThat(async () => compliant('Fine.'));

describe('evidence written after delivery', () => {
  beforeEach(() => configMock.reset());

  it('stops writing when the invocation is about to end, so a delivered run does not time out', async () => {
    // Prepare: 250 verdicts; the Lambda's hard stop passes while the last batch is delivered.
    const ended = new AbortController();
    let calls = 0;
    configMock.on(PutEvaluationsCommand).callsFake(async () => {
      calls += 1;
      if (calls === 3) ended.abort();
      return { FailedEvaluations: [] };
    });
    const written: EvidenceRecord[] = [];
    const evidence = {
      async put(records: readonly EvidenceRecord[]) {
        for (const record of records) written.push(record);
      },
    };
    const logger = new RecordingLogger();
    const vpcs = Array.from({ length: 250 }, (_, index) => testVpc(`vpc-${1000 + index}`));

    // Act
    const summary = await runRule(vpcRule, scheduledEvent(), {
      config: new ConfigServiceClient({}),
      view: SnapshotView.fromResources(vpcs),
      logger,
      signal: ended.signal,
      evidence,
    });

    // Assess: the verdicts count; the evidence (a copy for people) is left for the next run.
    expect(summary.delivered).toBe(250);
    expect(written).toHaveLength(0);
    expect(logger.at('warn').map((entry) => entry.message)).toContain(
      'Evidence not written: the invocation is about to end',
    );
  });
  it('stores no evidence for a TESTMODE run, whose results Config does not store either', async () => {
    // Prepare: `rdk test-remote` invokes the deployed function with test items and TESTMODE.
    configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
    const written: EvidenceRecord[] = [];
    const evidence = {
      async put(records: readonly EvidenceRecord[]) {
        for (const record of records) written.push(record);
      },
    };

    // Act
    const summary = await runRule(vpcRule, scheduledEvent({ resultToken: 'TESTMODE' }), {
      config: new ConfigServiceClient({}),
      view: SnapshotView.fromResources([testVpc('vpc-1')]),
      logger: new RecordingLogger(),
      evidence,
    });

    // Assess: a test item's reason must never stand next to a real verdict in reports or alerts.
    expect(summary).toMatchObject({ testMode: true, delivered: 1 });
    expect(written).toEqual([]);
  });
});
