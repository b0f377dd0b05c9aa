import { beforeAll, expect, it } from 'vitest';
import { ENGINE_IAM_ACTIONS } from '../../src/engine/run-rule.js';
import { isResourceType } from '../../src/model/resources.js';
import { RULES } from '../../src/rules/index.js';
import { parseParams } from '../../src/rules/params.js';
import { scan } from '../../src/scan/scan.js';
import {
  bucketTagsNeeded,
  createClients,
  createLiveView,
  iamActionFor,
} from '../../src/sources/aws/index.js';
import { describeWithMoto, motoClientOptions } from './moto.js';
import { seedAccount } from './seed-account.js';

/** Parameters that make a rule read the most (optional checks switched on). */
const WIDEST_READS: Record<string, Record<string, string>> = {
  's3-bucket-policy-vpce-only': { verifyEndpoints: 'true' },
};

/** A bucket rule scoped by tag reads every bucket's tags: the widest reads it can make. */
const widestReads = (rule: (typeof RULES)[number]): Record<string, string> => ({
  ...WIDEST_READS[rule.id],
  ...('bucketTagKey' in rule.parameters ? { bucketTagKey: 'team' } : {}),
});

/**
 * Least privilege checked against behaviour, not against itself: every API call a rule's
 * evaluation really makes through the live view must be allowed by the actions the rule declares
 * (which the deployment turns into its role). A missing action would fail only in AWS otherwise.
 */
describeWithMoto(
  'declared IAM actions cover every call a rule makes',
  (moto) => {
    beforeAll(async () => {
      await seedAccount(createClients(motoClientOptions(moto.url)), moto.url);
    });

    for (const rule of RULES) {
      for (const wholeLists of [false, true]) {
        it(`${rule.id} (${wholeLists ? 'periodic sweep' : 'per-resource reads'})`, async () => {
          // Prepare: the same options the rule Lambdas use.
          const ruleParams = parseParams(rule.id, rule.parameters, widestReads(rule));
          const view = createLiveView({
            ...motoClientOptions(moto.url),
            accountId: '123456789012',
            wholeLists,
            readPublicAccessBlock: false,
            readBucketTags: bucketTagsNeeded([ruleParams]),
          });
          const params = new Map([[rule.id, ruleParams]]);

          // Act: the sweep, then a dependents lookup for every trigger type as change events do.
          const evaluations = await scan({ rules: [rule], view, params });
          for (const type of rule.triggerTypes) {
            if (!isResourceType(type)) {
              await rule.dependentsOfPrefixList?.('pl-0123456789abcdef0', view);
              continue;
            }
            for (const changed of (await view.list(type)).slice(0, 3)) {
              await rule.dependents?.(changed, view);
            }
          }

          // Assess
          expect(evaluations.length).toBeGreaterThan(0);
          const allowed = new Set([...rule.iamActions, ...ENGINE_IAM_ACTIONS]);
          const used = Object.keys(view.counter.toJSON().byOperation).map(iamActionFor);
          expect(used.filter((action) => !allowed.has(action))).toEqual([]);
          // The tag-scoped parameters above really made the view read tags, so that grant is checked.
          if (bucketTagsNeeded([ruleParams])) expect(used).toContain('s3:GetBucketTagging');
        });
      }
    }
  },
  { resetEachTest: false },
);
