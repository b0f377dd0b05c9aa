import { describe, expect, it } from 'vitest';
import { InvalidParametersError } from '../../src/errors.js';
import type { Resource, SecurityGroupRule, VpcEndpoint } from '../../src/model/resources.js';
import { interfaceEndpointSgRestricted as rule } from '../../src/rules/interface-endpoint-sg-restricted.js';
import { parseParams } from '../../src/rules/params.js';
import { SnapshotView } from '../../src/sources/snapshot.js';
import { endpoint, ingress, securityGroup, vpc } from '../network/model-builders.js';

const VPC = vpc('vpc-1', ['10.0.0.0/16', '100.64.0.0/20'], {
  ipv6CidrBlocks: ['2600:1f18:aa:bb00::/56'],
});

const iface = (groups: string[], extra: Partial<VpcEndpoint> = {}) =>
  endpoint('vpce-1', 'vpc-1', 'com.amazonaws.us-east-1.sts', {
    endpointType: 'Interface',
    securityGroupIds: groups,
    privateDnsEnabled: true,
    ...extra,
  });

const evaluate = async (
  target: VpcEndpoint,
  others: Resource[],
  raw: Record<string, unknown> = {},
) =>
  rule.evaluate(
    target,
    SnapshotView.fromResources([target, ...others]),
    parseParams(rule.id, rule.parameters, raw),
  );

// Groups sit in the endpoint's VPC, as every VPC security group names its VPC.
const IN_VPC = { vpcId: 'vpc-1' };
const withRule = (rules: SecurityGroupRule[]) => [VPC, securityGroup('sg-1', rules, IN_VPC)];

describe('interface-endpoint-sg-restricted', () => {
  describe('evaluate', () => {
    it('returns COMPLIANT for TCP 443 from VPC IPv4 and IPv6 blocks and a group reference', async () => {
      // Prepare
      const resources = withRule([
        ingress({
          ipv4Ranges: [{ cidr: '10.0.0.0/16' }, { cidr: '100.64.4.0/24' }],
          ipv6Ranges: [{ cidr: '2600:1f18:aa:bb10::/64' }],
          groupRefs: [{ groupId: 'sg-clients' }],
        }),
      ]);
      resources.push(securityGroup('sg-clients', [], IN_VPC));

      // Act
      const verdict = await evaluate(iface(['sg-1']), resources);

      // Assess
      expect(verdict.compliance).toBe('COMPLIANT');
      expect(verdict.annotation).toContain('sg-1 allows only TCP 443 from inside vpc-1');
    });

    it('returns NON_COMPLIANT for 0.0.0.0/0 naming group, rule and source', async () => {
      // Act
      const verdict = await evaluate(
        iface(['sg-1']),
        withRule([ingress({ ipv4Ranges: [{ cidr: '0.0.0.0/0' }] })]),
      );

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain(
        'sg-1 (sg-1-name) allows tcp 443 from 0.0.0.0/0 (any IPv4 address)',
      );
    });

    it('returns NON_COMPLIANT for ::/0', async () => {
      // Act
      const verdict = await evaluate(
        iface(['sg-1']),
        withRule([ingress({ ipv6Ranges: [{ cidr: '::/0' }] })]),
      );

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain('from ::/0 (any IPv6 address)');
    });

    it('returns NON_COMPLIANT for CIDRs outside the VPC in either family', async () => {
      // Act
      const verdict = await evaluate(
        iface(['sg-1']),
        withRule([
          ingress({
            ipv4Ranges: [{ cidr: '10.0.0.0/8' }],
            ipv6Ranges: [{ cidr: '2600:1f18:aa:cc00::/64' }],
          }),
        ]),
      );

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain(
        'from 10.0.0.0/8 (outside vpc-1 (10.0.0.0/16, 100.64.0.0/20))',
      );
      expect(verdict.detail).toContain(
        'from 2600:1f18:aa:cc00::/64 (outside vpc-1 (2600:1f18:aa:bb00::/56))',
      );
      expect(verdict.annotation.length).toBeLessThanOrEqual(256);
      expect(verdict.annotation).toContain('Fix: allow only TCP 443 from inside vpc-1.');
    });

    it('returns COMPLIANT for a source that only the VPC blocks taken together hold', async () => {
      // Prepare: a VPC of 10.0.0.0/17 and 10.0.128.0/17 holds every address of 10.0.0.0/16.
      const resources = [
        vpc('vpc-1', ['10.0.0.0/17', '10.0.128.0/17']),
        securityGroup('sg-1', [ingress({ ipv4Ranges: [{ cidr: '10.0.0.0/16' }] })]),
      ];

      // Act
      const verdict = await evaluate(iface(['sg-1']), resources);

      // Assess
      expect(verdict.compliance, verdict.annotation).toBe('COMPLIANT');
    });

    it.each([
      [
        { groupId: 'sg-peer', vpcPeeringConnectionId: 'pcx-1', vpcId: 'vpc-9' },
        'peered VPC (vpc-9 via pcx-1)',
      ],
      [{ groupId: 'sg-tgw', vpcId: 'vpc-9' }, 'security group in another VPC (vpc-9)'],
      [{ groupId: 'sg-ext', userId: '999999999999' }, 'another account (999999999999)'],
    ])('returns NON_COMPLIANT for a source group outside the VPC: %o', async (ref, reason) => {
      // Prepare
      const resources = [
        VPC,
        securityGroup('sg-1', [ingress({ groupRefs: [ref] })], { accountId: '111122223333' }),
      ];

      // Act
      const verdict = await evaluate(iface(['sg-1']), resources);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain(reason);
    });

    it('returns NON_COMPLIANT for a bare reference to a group the view places in another VPC', async () => {
      // Prepare: the pair names no VPC, but the referenced group lives in vpc-2.
      const resources = [
        VPC,
        securityGroup('sg-1', [ingress({ groupRefs: [{ groupId: 'sg-other' }] })]),
        securityGroup('sg-other', [], { vpcId: 'vpc-2' }),
      ];

      // Act
      const verdict = await evaluate(iface(['sg-1']), resources);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain('security group in another VPC (vpc-2)');
    });

    it.each(['Resource', 'ServiceNetwork'] as const)(
      'judges the security groups of a %s endpoint',
      async (endpointType) => {
        // Prepare
        const lattice = iface(['sg-1'], {
          endpointType,
          serviceName: 'arn:aws:vpc-lattice:us-east-1:111122223333:servicenetwork/sn-1',
        });

        // Act
        const verdict = await evaluate(
          lattice,
          withRule([ingress({ ipv4Ranges: [{ cidr: '0.0.0.0/0' }] })]),
        );

        // Assess
        expect(verdict.compliance).toBe('NON_COMPLIANT');
        expect(verdict.annotation).toContain('from 0.0.0.0/0');
      },
    );

    it('re-evaluates the endpoints of a VPC whose CIDR blocks change, only then', async () => {
      // Prepare
      const view = SnapshotView.fromResources([
        VPC,
        iface(['sg-1']),
        endpoint('vpce-gw', 'vpc-1', 'com.amazonaws.us-east-1.s3'),
      ]);

      // Act
      const onCidr = await rule.dependents?.(VPC, view, {
        changedProperties: ['Configuration.CidrBlockAssociationSet.1'],
      });
      const onTags = await rule.dependents?.(VPC, view, { changedProperties: ['Tags.0'] });

      // Assess
      expect(onCidr).toEqual([{ type: 'AWS::EC2::VPCEndpoint', id: 'vpce-1' }]);
      expect(onTags).toEqual([]);
      expect(rule.triggerTypes).toContain('AWS::EC2::VPC');
    });

    it('returns NON_COMPLIANT for an IPv6 source when the VPC has no IPv6 block', async () => {
      // Prepare
      const resources = [
        vpc('vpc-1', ['10.0.0.0/16']),
        securityGroup('sg-1', [ingress({ ipv6Ranges: [{ cidr: 'fd00::/64' }] })]),
      ];

      // Act
      const verdict = await evaluate(iface(['sg-1']), resources);

      // Assess
      expect(verdict.annotation).toContain('which has no IPv6 block');
    });

    it('returns NON_COMPLIANT for a reference to a security group of another account', async () => {
      // Prepare
      const rules = [
        ingress({
          groupRefs: [
            { groupId: 'sg-own', userId: '111122223333' },
            { groupId: 'sg-peer', userId: '999988887777' },
          ],
        }),
      ];
      const resources = [VPC, securityGroup('sg-1', rules, { accountId: '111122223333' })];

      // Act
      const verdict = await evaluate(iface(['sg-1']), resources);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain('999988887777/sg-peer');
      expect(verdict.annotation).toContain('security group of another account (999988887777)');
      expect(verdict.annotation).not.toContain('sg-own');
    });

    it('cannot verify a reference to a group the view does not hold (its VPC is unknown)', async () => {
      // Prepare: the pair names no VPC, and no item shows where sg-gone lives.
      const resources = withRule([ingress({ groupRefs: [{ groupId: 'sg-gone' }] })]);

      // Act
      const verdict = await evaluate(iface(['sg-1']), resources);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.unverifiable).toBe(true);
      expect(verdict.annotation).toContain('sg-gone');
    });

    it("returns COMPLIANT for a participant's group in the same shared VPC", async () => {
      // Prepare: another account's group, recorded in this VPC (VPC sharing).
      const rules = [
        ingress({ groupRefs: [{ groupId: 'sg-participant', userId: '444455556666' }] }),
      ];
      const resources = [
        VPC,
        securityGroup('sg-1', rules, { ...IN_VPC, accountId: '111122223333' }),
        securityGroup('sg-participant', [], { ...IN_VPC, accountId: '444455556666' }),
      ];

      // Act
      const verdict = await evaluate(iface(['sg-1']), resources);

      // Assess
      expect(verdict.compliance, verdict.annotation).toBe('COMPLIANT');
    });

    it('returns NON_COMPLIANT for an all-protocol rule even from a group reference', async () => {
      // Act
      const verdict = await evaluate(
        iface(['sg-1']),
        withRule([
          ingress({
            protocol: '-1',
            fromPort: undefined,
            toPort: undefined,
            groupRefs: [{ groupId: 'sg-1' }],
          }),
        ]),
      );

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain('all traffic from sg-1 (all protocols and ports)');
    });

    it('returns NON_COMPLIANT for a wide port range and for UDP', async () => {
      // Act
      const verdict = await evaluate(
        iface(['sg-1']),
        withRule([
          ingress({ fromPort: 0, toPort: 65535, ipv4Ranges: [{ cidr: '10.0.0.0/16' }] }),
          ingress({
            protocol: 'udp',
            fromPort: 53,
            toPort: 53,
            ipv4Ranges: [{ cidr: '10.0.0.0/16' }],
          }),
        ]),
      );

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain(
        'tcp 0-65535 from 10.0.0.0/16 (port(s) 0-65535 beyond 443)',
      );
      expect(verdict.annotation).toContain('udp 53 from 10.0.0.0/16 (protocol udp is not TCP)');
    });

    it('honours allowedPorts lists and ranges', async () => {
      // Prepare
      const resources = withRule([
        ingress({ fromPort: 8443, toPort: 8443, ipv4Ranges: [{ cidr: '10.0.0.0/16' }] }),
        ingress({ fromPort: 9000, toPort: 9005, ipv4Ranges: [{ cidr: '10.0.0.0/16' }] }),
      ]);

      // Act
      const allowed = await evaluate(iface(['sg-1']), resources, {
        allowedPorts: '443,8443,9000-9010',
      });
      const denied = await evaluate(iface(['sg-1']), resources, { allowedPorts: '443,8443' });

      // Assess
      expect(allowed.compliance).toBe('COMPLIANT');
      expect(denied.compliance).toBe('NON_COMPLIANT');
      expect(denied.annotation).toContain('9000-9005');
    });

    it('rejects a prefix-list source unless it is allowed by parameter', async () => {
      // Prepare
      const resources = withRule([ingress({ prefixListIds: ['pl-0abc1234'] })]);

      // Act
      const denied = await evaluate(iface(['sg-1']), resources);
      const allowed = await evaluate(iface(['sg-1']), resources, {
        allowedPrefixListIds: 'pl-0abc1234',
      });

      // Assess
      expect(denied.compliance).toBe('NON_COMPLIANT');
      expect(denied.annotation).toContain('pl-0abc1234 (prefix list not in allowedPrefixListIds)');
      expect(allowed.compliance).toBe('COMPLIANT');
    });

    it('returns NON_COMPLIANT, not an error, when a group cannot be found', async () => {
      // Act
      const verdict = await evaluate(iface(['sg-1', 'sg-missing']), withRule([]));

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain('security group sg-missing not found');
    });

    it('returns NON_COMPLIANT when the endpoint lists no group', async () => {
      // Act
      const verdict = await evaluate(iface([]), [VPC]);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain('lists no security group');
    });

    it('flags as unverifiable a VPC-range source when the VPC cannot be read', async () => {
      // Prepare
      const resources = [
        securityGroup('sg-1', [ingress({ ipv4Ranges: [{ cidr: '10.0.0.0/16' }] })]),
      ];

      // Act
      const verdict = await evaluate(iface(['sg-1']), resources);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.unverifiable).toBe(true);
      expect(verdict.annotation).toMatch(/^Could not verify: vpc-1 of vpce-1 was not found/);
    });

    it('still reports 0.0.0.0/0 as a violation when the VPC cannot be read', async () => {
      // Prepare
      const resources = [securityGroup('sg-1', [ingress({ ipv4Ranges: [{ cidr: '0.0.0.0/0' }] })])];

      // Act
      const verdict = await evaluate(iface(['sg-1']), resources);

      // Assess
      expect(verdict.unverifiable).toBeUndefined();
      expect(verdict.annotation).toContain('any IPv4 address');
    });

    it('returns COMPLIANT when the groups have no ingress rule at all', async () => {
      // Act
      const verdict = await evaluate(iface(['sg-1']), withRule([]));

      // Assess
      expect(verdict.compliance).toBe('COMPLIANT');
      expect(verdict.annotation).toContain('no ingress rule');
    });

    it('returns NOT_APPLICABLE for Gateway and deleted endpoints', async () => {
      // Act
      const gateway = await evaluate(endpoint('vpce-1', 'vpc-1', 'com.amazonaws.us-east-1.s3'), []);
      const deleted = await evaluate(iface(['sg-1'], { state: 'deleted' }), []);

      // Assess
      expect(gateway.compliance).toBe('NOT_APPLICABLE');
      expect(deleted.compliance).toBe('NOT_APPLICABLE');
    });

    it('throws InvalidParametersError for a port beyond 65535', async () => {
      // Act & Assess
      await expect(
        evaluate(iface(['sg-1']), withRule([]), { allowedPorts: '70000' }),
      ).rejects.toBeInstanceOf(InvalidParametersError);
    });
  });

  describe('dependents', () => {
    it('re-evaluates the endpoints that use a changed group', async () => {
      // Prepare
      const a = { ...iface(['sg-1']), id: 'vpce-a' };
      const b = { ...iface(['sg-2', 'sg-1']), id: 'vpce-b' };
      const c = { ...iface(['sg-3']), id: 'vpce-c' };
      const view = SnapshotView.fromResources([a, b, c]);

      // Act
      const refs = await rule.dependents?.(securityGroup('sg-1', []), view);

      // Assess
      expect(refs).toEqual([
        { type: 'AWS::EC2::VPCEndpoint', id: 'vpce-a' },
        { type: 'AWS::EC2::VPCEndpoint', id: 'vpce-b' },
      ]);
    });

    it('returns the endpoint itself when it changes, and nothing for other types', async () => {
      // Prepare
      const view = SnapshotView.fromResources([]);

      // Act & Assess
      expect(await rule.dependents?.(iface(['sg-1']), view)).toEqual([
        { type: 'AWS::EC2::VPCEndpoint', id: 'vpce-1' },
      ]);
      expect(await rule.dependents?.(VPC, view)).toEqual([]);
    });
  });
});
