import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SnapshotError } from '../../src/errors.js';
import { loadSnapshot, SnapshotView, snapshotItemsOf } from '../../src/sources/snapshot.js';
import { readFixture } from '../helpers/fixtures.js';

const DEMO = new URL('../../examples/demo-snapshot.json', import.meta.url).pathname;

describe('SnapshotView', () => {
  it('indexes the demo account by VPC, security group and id', async () => {
    // Act
    const view = await loadSnapshot(DEMO);

    // Assess
    expect(view.skipped).toEqual([]);
    const vpcs = await view.list('AWS::EC2::VPC');
    expect(vpcs.length).toBeGreaterThanOrEqual(3);
    for (const vpc of vpcs) {
      for (const table of await view.routeTablesOfVpc(vpc.id)) expect(table.vpcId).toBe(vpc.id);
      for (const endpoint of await view.endpointsOfVpc(vpc.id)) expect(endpoint.vpcId).toBe(vpc.id);
      for (const subnet of await view.subnetsOfVpc(vpc.id)) expect(subnet.vpcId).toBe(vpc.id);
    }
    const endpoints = await view.list('AWS::EC2::VPCEndpoint');
    const withGroup = endpoints.find((endpoint) => endpoint.securityGroupIds.length > 0);
    const groupId = withGroup?.securityGroupIds[0] as string;
    expect((await view.endpointsUsingSecurityGroup(groupId)).map((e) => e.id)).toContain(
      withGroup?.id,
    );
    expect(await view.get('AWS::EC2::VPC', 'vpc-does-not-exist')).toBeUndefined();
  });

  it('returns only the security groups that exist', async () => {
    const view = await loadSnapshot(DEMO);
    const [group] = await view.list('AWS::EC2::SecurityGroup');

    const found = await view.securityGroups([group?.id as string, 'sg-missing']);

    expect(found.map((g) => g.id)).toEqual([group?.id]);
  });

  it('keeps the newest capture when a snapshot holds several items of one resource', async () => {
    const older = readFixture('items/bucket-event-format.json') as Record<string, unknown>;
    const newer = {
      ...older,
      configurationItemCaptureTime: '2026-01-01T00:00:00.000Z',
      supplementaryConfiguration: { BucketPolicy: { policyText: null } },
    };

    const view = SnapshotView.fromItems([newer, older]);

    expect((await view.bucket('my-bucket'))?.policy).toEqual({ kind: 'absent' });
    expect(view.items).toHaveLength(2);
  });

  it('compares capture times as times, not strings', async () => {
    const base = readFixture('items/bucket-event-format.json') as Record<string, unknown>;
    const later = {
      ...base,
      configurationItemCaptureTime: '2026-01-01T00:00:00.500Z',
      supplementaryConfiguration: { BucketPolicy: { policyText: null } },
    };
    const earlier = { ...base, configurationItemCaptureTime: '2026-01-01T00:00:00Z' };

    const view = SnapshotView.fromItems([later, earlier]);

    expect((await view.bucket('my-bucket'))?.policy).toEqual({ kind: 'absent' });
  });

  it('keeps the newest of three captures written as ISO text and epoch seconds, in any order', async () => {
    const base = readFixture('items/bucket-event-format.json') as Record<string, unknown>;
    const absent = { BucketPolicy: { policyText: null } };
    const captures = [
      { configurationItemCaptureTime: 1767225600, supplementaryConfiguration: absent }, // 2026-01-01
      { configurationItemCaptureTime: '2025-06-01T00:00:00Z' },
      { configurationItemCaptureTime: '2025-12-31T23:59:59.999Z' },
    ].map((fields) => ({ ...base, ...fields }));
    const orders = [
      [0, 1, 2],
      [1, 0, 2],
      [1, 2, 0],
      [2, 1, 0],
    ];

    const policies = await Promise.all(
      orders.map(async (order) => {
        const view = SnapshotView.fromItems(order.map((index) => captures[index]));
        return (await view.bucket('my-bucket'))?.policy;
      }),
    );

    expect(policies).toEqual(orders.map(() => ({ kind: 'absent' })));
  });

  it('treats items whose type and id spell one key as one resource, as the key index does', () => {
    const deleted = (resourceType: string, resourceId: string, time: string) => ({
      resourceType,
      resourceId,
      configurationItemStatus: 'ResourceDeleted',
      configurationItemCaptureTime: time,
    });

    const view = SnapshotView.fromItems([
      deleted('Custom::A|B', 'c', '2026-01-01T00:00:00Z'),
      deleted('Custom::A', 'B|c', '2026-02-01T00:00:00Z'),
      deleted('Custom::A', 'd', '2026-01-01T00:00:00Z'),
    ]);

    expect(view.gone.map((item) => `${item.resourceType}|${item.resourceId}`)).toEqual([
      'Custom::A|B|c',
      'Custom::A|d',
    ]);
    expect(view.gone[0]?.captureTime).toBe('2026-02-01T00:00:00Z');
  });

  it('answers reads by key after the first one, the last resource of a key winning', async () => {
    const [first, second] = ['sg-1', 'sg-2'].map((id) => ({
      type: 'AWS::EC2::SecurityGroup' as const,
      id,
      tags: {},
      groupName: id,
      ingress: [],
      egress: [],
    }));
    const renamed = { ...first, groupName: 'renamed' } as typeof first;

    const view = SnapshotView.fromResources([first, second, renamed] as never[]);

    expect((await view.get('AWS::EC2::SecurityGroup', 'sg-1'))?.groupName).toBe('renamed');
    expect(view.resources().map((resource) => resource.id)).toEqual(['sg-1', 'sg-2']);
    expect((await view.securityGroups(['sg-2', 'sg-9'])).map((group) => group.id)).toEqual([
      'sg-2',
    ]);
  });

  it('never lets an older readable item stand in for a newer unreadable one', async () => {
    const older = readFixture('items/bucket-event-format.json') as Record<string, unknown>;
    const newerBroken = {
      ...older,
      configurationItemCaptureTime: '2026-02-01T00:00:00.000Z',
      supplementaryConfiguration: { BucketPolicy: '{broken' },
    };

    const view = SnapshotView.fromItems([older, newerBroken]);

    expect(await view.bucket('my-bucket')).toBeUndefined();
    expect(view.skipped).toEqual([expect.objectContaining({ resourceId: 'my-bucket' })]);
  });

  it('lists resources whose newest item is a deletion as gone', async () => {
    const older = readFixture('items/bucket-event-format.json') as Record<string, unknown>;
    const deleted = {
      ...older,
      configurationItemStatus: 'ResourceDeleted',
      configurationItemCaptureTime: '2026-02-01T00:00:00.000Z',
      configuration: null,
    };

    const view = SnapshotView.fromItems([older, deleted]);

    expect(await view.bucket('my-bucket')).toBeUndefined();
    expect(view.gone).toEqual([
      {
        resourceType: 'AWS::S3::Bucket',
        resourceId: 'my-bucket',
        status: 'ResourceDeleted',
        captureTime: '2026-02-01T00:00:00.000Z',
      },
    ]);
  });

  it('collects unreadable items instead of throwing', () => {
    const view = SnapshotView.fromItems([
      { resourceType: 'AWS::EC2::VPC', resourceId: 'vpc-1', configuration: '{broken' },
    ]);

    expect(view.skipped).toEqual([
      expect.objectContaining({ resourceType: 'AWS::EC2::VPC', resourceId: 'vpc-1' }),
    ]);
    expect(view.resources()).toEqual([]);
  });

  it('reads the outputs of the Config CLI commands as well as snapshots', () => {
    const item = readFixture('items/bucket-event-format.json') as Record<string, unknown>;
    const apiItem = readFixture('items/bucket-api-format.json');

    const fromBatch = snapshotItemsOf({ baseConfigurationItems: [apiItem] }, 'batch.json');
    const fromSelect = snapshotItemsOf({ Results: [JSON.stringify(item)] }, 'select.json');
    const fromHistory = snapshotItemsOf({ configurationItems: [apiItem] }, 'history.json');

    expect(fromBatch).toEqual([apiItem]);
    expect(fromSelect).toEqual([item]);
    expect(fromHistory).toEqual([apiItem]);
    expect(
      SnapshotView.fromItems(fromSelect)
        .resources()
        .map((r) => r.id),
    ).toEqual(['my-bucket']);
  });

  it('rejects files that are not Config snapshots with a SnapshotError', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'snap-'));
    const path = join(dir, 'x.json');
    writeFileSync(path, '{"configurationItems": 3}');

    await expect(loadSnapshot(path)).rejects.toThrow(SnapshotError);
  });
});
