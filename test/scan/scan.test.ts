import { describe, expect, it } from 'vitest';
import { compliant } from '../../src/model/compliance.js';
import { RULES } from '../../src/rules/index.js';
import { parseParams } from '../../src/rules/params.js';
import { defineRule } from '../../src/rules/rule.js';
import { scan, summarise } from '../../src/scan/scan.js';
import { loadSnapshot } from '../../src/sources/snapshot.js';
import type { AccountView } from '../../src/sources/view.js';
import { byCodeUnits } from '../../src/util/order.js';
import { vpcRuleThat } from '../helpers/vpc-rule.js';

const DEMO = new URL('../../examples/demo-snapshot.json', import.meta.url).pathname;
const defaults = new Map(RULES.map((rule) => [rule.id, parseParams(rule.id, rule.parameters, {})]));

describe('scan', () => {
  it('gives exactly one evaluation per resource of each rule type, in a stable order', async () => {
    // Prepare
    const view = await loadSnapshot(DEMO);

    // Act
    const first = await scan({ rules: RULES, view, params: defaults });
    const second = await scan({ rules: RULES, view, params: defaults, concurrency: 1 });

    // Assess
    for (const rule of RULES) {
      const ids = first.filter((e) => e.ruleId === rule.id).map((e) => e.resource.id);
      const expected = (await view.list(rule.resourceType)).map((resource) => resource.id);
      expect(ids, rule.id).toEqual([...expected].sort(byCodeUnits));
    }
    expect(second).toEqual(first);
  });

  it('judges a loaded snapshot from memory, without the async reads of the view', async () => {
    // Prepare
    const view = await loadSnapshot(DEMO);
    const calls = { sync: 0, async: 0 };
    const rule = defineRule({
      ...vpcRuleThat(async () => compliant('Through the view.')),
      async evaluate() {
        calls.async += 1;
        return compliant('Through the view.');
      },
      evaluateSync() {
        calls.sync += 1;
        return compliant('From memory.');
      },
    });

    // Act
    const evaluations = await scan({ rules: [rule], view, params: new Map() });

    // Assess
    expect(evaluations.length).toBeGreaterThan(0);
    expect(calls).toEqual({ sync: evaluations.length, async: 0 });
  });

  it('judges each resource under every in-memory rule of its type before the next, with the same results', async () => {
    // Prepare: two rules of one type that note the order they see resources in.
    const view = await loadSnapshot(DEMO);
    const seen: string[] = [];
    const noting = (name: string) =>
      defineRule({
        ...vpcRuleThat(async () => compliant('Through the view.')),
        id: `noting-${name}`,
        evaluateSync(resource) {
          seen.push(`${name}:${resource.id}`);
          return compliant(`${name} saw ${resource.id}.`);
        },
      });
    const rules = [noting('a'), noting('b')];

    // Act
    const together = await scan({ rules, view, params: new Map() });
    const order = [...seen];
    const alone = [
      ...(await scan({ rules: [rules[0] as (typeof rules)[0]], view, params: new Map() })),
      ...(await scan({ rules: [rules[1] as (typeof rules)[0]], view, params: new Map() })),
    ];

    // Assess: a, b for the first resource, then a, b for the next; output still rule by rule.
    const ids = (await view.list('AWS::EC2::VPC')).map((vpc) => vpc.id);
    expect(ids.length).toBeGreaterThan(1);
    expect(order).toEqual(ids.flatMap((id) => [`a:${id}`, `b:${id}`]));
    expect(together).toEqual(alone);
  });

  it('gives a rule listed twice its evaluations twice, each listing judged once', async () => {
    // Prepare
    const view = await loadSnapshot(DEMO);
    const [first, second] = RULES.filter((rule) => rule.resourceType === 'AWS::S3::Bucket');
    const rules = [first, second, first].filter((rule) => rule !== undefined);

    // Act
    const evaluations = await scan({ rules, view, params: defaults });
    const once = await scan({ rules: rules.slice(0, 1), view, params: defaults });

    // Assess
    const ofFirst = evaluations.filter((e) => e.ruleId === first?.id);
    expect(once.length).toBeGreaterThan(0);
    expect(ofFirst).toEqual([...once, ...once]);
  });

  it('judges a snapshot from memory exactly as through the view', async () => {
    // Prepare: a view derived from the snapshot is read through its async methods.
    const view = await loadSnapshot(DEMO);
    const throughView = Object.create(view) as AccountView;

    // Act
    const fromMemory = await scan({ rules: RULES, view, params: defaults });
    const viaView = await scan({ rules: RULES, view: throughView, params: defaults });

    // Assess
    expect(fromMemory.length).toBeGreaterThan(0);
    expect(JSON.stringify(fromMemory)).toBe(JSON.stringify(viaView));
  });

  it('still evaluates items the source could not read, as NON_COMPLIANT with the reason', async () => {
    const view = await loadSnapshot(DEMO);
    const rule = RULES.find((r) => r.resourceType === 'AWS::EC2::VPC');
    if (!rule) throw new Error('no VPC rule');

    const evaluations = await scan({
      rules: [rule],
      view,
      params: defaults,
      skipped: [{ resourceType: 'AWS::EC2::VPC', resourceId: 'vpc-broken', reason: 'bad JSON' }],
    });

    // A failure to verify, counted with the other could-not-verify results, not a judged failure.
    expect(evaluations.find((e) => e.resource.id === 'vpc-broken')).toMatchObject({
      compliance: 'NON_COMPLIANT',
      unverifiable: true,
      annotation: expect.stringMatching(/^Could not verify: .*bad JSON/),
    });
  });
});

describe('scan of deleted resources', () => {
  it('reports a resource the source shows as deleted as NOT_APPLICABLE, as AWS Config does', async () => {
    const view = await loadSnapshot(DEMO);
    const rule = RULES.find((r) => r.resourceType === 'AWS::EC2::VPC');
    if (!rule) throw new Error('no VPC rule');

    const evaluations = await scan({
      rules: [rule],
      view,
      params: defaults,
      gone: [
        {
          resourceType: 'AWS::EC2::VPC',
          resourceId: 'vpc-deleted',
          status: 'ResourceDeleted',
          captureTime: '2026-11-01T00:00:00.000Z',
        },
      ],
    });

    expect(evaluations.find((e) => e.resource.id === 'vpc-deleted')).toMatchObject({
      compliance: 'NOT_APPLICABLE',
      annotation: 'The resource is deleted (recorded 2026-11-01T00:00:00.000Z).',
    });
  });
});

describe('summarise', () => {
  it('counts verdicts overall, per rule, and the unverified ones', () => {
    const summary = summarise([
      {
        ruleId: 'a',
        resource: { type: 'AWS::EC2::VPC', id: '1' },
        compliance: 'COMPLIANT',
        annotation: '',
      },
      {
        ruleId: 'a',
        resource: { type: 'AWS::EC2::VPC', id: '2' },
        compliance: 'NON_COMPLIANT',
        annotation: '',
        unverifiable: true,
      },
      {
        ruleId: 'b',
        resource: { type: 'AWS::EC2::VPC', id: '1' },
        compliance: 'NOT_APPLICABLE',
        annotation: '',
      },
    ]);

    expect(summary).toEqual({
      total: 3,
      byCompliance: { COMPLIANT: 1, NON_COMPLIANT: 1, NOT_APPLICABLE: 1 },
      byRule: {
        a: { COMPLIANT: 1, NON_COMPLIANT: 1, NOT_APPLICABLE: 0 },
        b: { COMPLIANT: 0, NON_COMPLIANT: 0, NOT_APPLICABLE: 1 },
      },
      unverifiable: 1,
    });
  });
});
