import { describe, expect, it } from 'vitest';
import type { VpcEndpoint } from '../../src/model/resources.js';
import { interfaceEndpointPrivateDns as rule } from '../../src/rules/interface-endpoint-private-dns.js';
import { parseParams } from '../../src/rules/params.js';
import { SnapshotView } from '../../src/sources/snapshot.js';
import { endpoint } from '../network/model-builders.js';

const evaluate = (target: VpcEndpoint, raw: Record<string, unknown> = {}) =>
  rule.evaluate(
    target,
    SnapshotView.fromResources([target]),
    parseParams(rule.id, rule.parameters, raw),
  );

const iface = (serviceName: string, extra: Partial<VpcEndpoint> = {}) =>
  endpoint('vpce-1', 'vpc-1', serviceName, { endpointType: 'Interface', ...extra });

describe('interface-endpoint-private-dns', () => {
  it('returns COMPLIANT for an AWS service endpoint with private DNS', async () => {
    // Act
    const verdict = await evaluate(
      iface('com.amazonaws.us-east-1.sts', { privateDnsEnabled: true }),
    );

    // Assess
    expect(verdict.compliance).toBe('COMPLIANT');
  });

  it('returns NON_COMPLIANT for an AWS service endpoint without private DNS', async () => {
    // Act
    const verdict = await evaluate(iface('cn.com.amazonaws.cn-north-1.ecr.api'));

    // Assess
    expect(verdict.compliance).toBe('NON_COMPLIANT');
    expect(verdict.annotation).toContain('private DNS disabled');
    expect(verdict.annotation).toContain('ecr.api hostname');
  });

  it('returns NOT_APPLICABLE for a Gateway endpoint', async () => {
    // Act
    const verdict = await evaluate(endpoint('vpce-1', 'vpc-1', 'com.amazonaws.us-east-1.s3'));

    // Assess
    expect(verdict.compliance).toBe('NOT_APPLICABLE');
    expect(verdict.annotation).toContain('Gateway endpoint');
  });

  it('returns NOT_APPLICABLE for a customer PrivateLink service', async () => {
    // Act
    const verdict = await evaluate(
      iface('com.amazonaws.vpce.us-east-1.vpce-svc-0123456789abcdef0'),
    );

    // Assess
    expect(verdict.compliance).toBe('NOT_APPLICABLE');
    expect(verdict.annotation).toContain('PrivateLink service');
  });

  it('returns NOT_APPLICABLE for exempt services by short or full name', async () => {
    // Act
    const short = await evaluate(iface('com.amazonaws.us-east-1.s3'), { exemptServices: 's3' });
    const full = await evaluate(iface('com.amazonaws.us-east-1.kms'), {
      exemptServices: 'com.amazonaws.us-east-1.kms',
    });
    const other = await evaluate(iface('com.amazonaws.us-east-1.kms'), { exemptServices: 's3' });

    // Assess
    expect(short.compliance).toBe('NOT_APPLICABLE');
    expect(full.compliance).toBe('NOT_APPLICABLE');
    expect(other.compliance).toBe('NON_COMPLIANT');
  });

  it.each(['deleted', 'rejected', 'failed'])(
    'returns NOT_APPLICABLE for a %s endpoint',
    async (state) => {
      // Act
      const verdict = await evaluate(iface('com.amazonaws.us-east-1.sts', { state }));

      // Assess
      expect(verdict.compliance).toBe('NOT_APPLICABLE');
    },
  );

  it('declares no dependents: only a changed endpoint itself is evaluated again', () => {
    // Assess
    expect(rule.triggerTypes).toEqual([]);
    expect(rule.dependents).toBeUndefined();
  });
});
