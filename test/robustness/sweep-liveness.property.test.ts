import {
  ConfigServiceClient,
  GetComplianceDetailsByConfigRuleCommand,
  PutEvaluationsCommand,
} from '@aws-sdk/client-config-service';
import { mockClient } from 'aws-sdk-client-mock';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runRule } from '../../src/engine/run-rule.js';
import { memoryCursorStore } from '../../src/engine/sweep-cursor.js';
import { compliant } from '../../src/model/compliance.js';
import type { ResourceType, Vpc } from '../../src/model/resources.js';
import { SnapshotView } from '../../src/sources/snapshot.js';
import type { AccountView, SweepRange } from '../../src/sources/view.js';
import { RecordingLogger } from '../engine/recording-logger.js';
import { scheduledEvent } from '../helpers/events.js';
import { testVpc, vpcRuleThat } from '../helpers/vpc-rule.js';

const configMock = mockClient(ConfigServiceClient);

/** A view whose sweep reads only `perInvocation` resources from the cursor on, as a deadline would. */
const budgetedView = (resources: Vpc[], perInvocation: number): AccountView => {
  const base = SnapshotView.fromResources(resources);
  const ids = resources.map((resource) => resource.id).sort();
  const listFrom = async (_type: ResourceType, range: SweepRange) => {
    const wanted = resources.filter((r) => range.fromId === undefined || r.id >= range.fromId);
    const nextId = wanted[perInvocation]?.id;
    return { resources: wanted.slice(0, perInvocation), ids, ...(nextId ? { nextId } : {}) };
  };
  return new Proxy(base, {
    get(target, property) {
      if (property === 'listFrom') return listFrom;
      const value = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as AccountView;
};

describe('periodic sweeps always make progress', () => {
  it('judges every readable resource and completes, whatever fails for good and however small the budget', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 25 }),
        fc.integer({ min: 1, max: 8 }),
        fc.uniqueArray(fc.integer({ min: 0, max: 24 }), { maxLength: 4 }),
        async (count, perInvocation, failing) => {
          // Prepare
          configMock.reset();
          configMock.on(PutEvaluationsCommand).resolves({ FailedEvaluations: [] });
          configMock.on(GetComplianceDetailsByConfigRuleCommand).resolves({});
          const vpcs = Array.from({ length: count }, (_, i) =>
            testVpc(`vpc-${String(i).padStart(3, '0')}`),
          );
          const bad = new Set(failing.filter((i) => i < count).map((i) => vpcs[i]?.id));
          const rule = vpcRuleThat(async (vpc) => {
            if (bad.has(vpc.id)) {
              throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
            }
            return compliant('Fine.');
          });
          const cursors = memoryCursorStore();
          const view = budgetedView(vpcs, perInvocation);
          const invocations = 3 * (Math.ceil(count / perInvocation) + 2 * bad.size) + 5;

          // Act
          for (let run = 0; run < invocations; run += 1) {
            await runRule(rule, scheduledEvent(), {
              config: new ConfigServiceClient({}),
              view,
              logger: new RecordingLogger(),
              cursors,
            }).catch(() => undefined);
          }

          // Assess
          const delivered = new Set(
            configMock
              .commandCalls(PutEvaluationsCommand)
              .flatMap((call) => call.args[0].input.Evaluations ?? [])
              .map((evaluation) => evaluation.ComplianceResourceId),
          );
          for (const vpc of vpcs) expect(delivered.has(vpc.id)).toBe(!bad.has(vpc.id));
          // The sweep reached its end at least once: the stale-result cleanup ran.
          expect(
            configMock.commandCalls(GetComplianceDetailsByConfigRuleCommand).length,
          ).toBeGreaterThan(0);
        },
      ),
      { numRuns: 60 },
    );
  });
  it('leaves no resource out when PutEvaluations fails for whole invocations along the way', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 25 }),
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        async (count, perInvocation, outages) => {
          // Prepare: Config refuses every evaluation of some invocations (throttled throughout).
          configMock.reset();
          configMock.on(GetComplianceDetailsByConfigRuleCommand).resolves({});
          const delivered = new Set<string | undefined>();
          let run = 0;
          configMock.on(PutEvaluationsCommand).callsFake(async (input) => {
            if (outages[run]) {
              throw Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
            }
            for (const evaluation of input.Evaluations ?? []) {
              delivered.add(evaluation.ComplianceResourceId);
            }
            return { FailedEvaluations: [] };
          });
          const vpcs = Array.from({ length: count }, (_, i) =>
            testVpc(`vpc-${String(i).padStart(3, '0')}`),
          );
          const rule = vpcRuleThat(async () => compliant('Fine.'));
          const cursors = memoryCursorStore();
          const view = budgetedView(vpcs, perInvocation);
          const outageRuns = outages.filter(Boolean).length;
          const invocations = Math.ceil(count / perInvocation) + outageRuns + 1;

          // Act
          for (run = 0; run < invocations; run += 1) {
            await runRule(rule, scheduledEvent(), {
              config: new ConfigServiceClient({}),
              view,
              logger: new RecordingLogger(),
              cursors,
              sleep: async () => {},
              maxDeliveryAttempts: 1,
            }).catch(() => undefined);
          }

          // Assess: what a failed invocation judged is judged again, never skipped.
          for (const vpc of vpcs) expect(delivered.has(vpc.id)).toBe(true);
        },
      ),
      { numRuns: 60 },
    );
  });
});
