import { describe, expect, it } from 'vitest';
import { InvalidParametersError } from '../../src/errors.js';
import type { Resource } from '../../src/model/resources.js';
import { parseParams } from '../../src/rules/params.js';
import { vpcRequiredEndpoints as rule } from '../../src/rules/vpc-required-endpoints.js';
import { SnapshotView } from '../../src/sources/snapshot.js';
import { endpoint, route, routeTable, securityGroup, vpc } from '../network/model-builders.js';

const evaluate = async (
  vpcId: string,
  resources: Resource[],
  raw: Record<string, unknown> = {},
) => {
  const view = SnapshotView.fromResources(resources);
  const target = await view.vpc(vpcId);
  if (!target) throw new Error(`test VPC ${vpcId} missing`);
  return rule.evaluate(target, view, parseParams(rule.id, rule.parameters, raw));
};

describe('vpc-required-endpoints', () => {
  describe('evaluate', () => {
    it('returns COMPLIANT when every required service has a live endpoint of any type', async () => {
      // Prepare
      const resources = [
        vpc('vpc-1', ['10.0.0.0/16']),
        endpoint('vpce-s3', 'vpc-1', 'com.amazonaws.us-east-1.s3', { routeTableIds: ['rtb-1'] }),
        endpoint('vpce-sts', 'vpc-1', 'com.amazonaws.us-east-1.sts', {
          endpointType: 'Interface',
          state: 'pending',
        }),
      ];

      // Act
      const verdict = await evaluate('vpc-1', resources, { requiredServices: 's3,sts' });

      // Assess
      expect(verdict.compliance).toBe('COMPLIANT');
      expect(verdict.annotation).toContain('s3 (vpce-s3), sts (vpce-sts)');
    });

    it('returns NON_COMPLIANT listing the missing services and dead endpoints', async () => {
      // Prepare
      const resources = [
        vpc('vpc-1', ['10.0.0.0/16']),
        endpoint('vpce-s3', 'vpc-1', 'com.amazonaws.us-east-1.s3', { routeTableIds: ['rtb-1'] }),
        endpoint('vpce-ecr', 'vpc-1', 'com.amazonaws.us-east-1.ecr.dkr', { state: 'rejected' }),
      ];

      // Act
      const verdict = await evaluate('vpc-1', resources, {
        requiredServices: 's3,ecr.dkr,logs',
      });

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain(
        'no usable endpoint for ecr.dkr (vpce-ecr is rejected), logs',
      );
      expect(verdict.annotation).toContain('present: s3 (vpce-s3)');
    });

    it('does not count a Gateway endpoint associated with no route table', async () => {
      // Prepare
      const resources = [
        vpc('vpc-1', ['10.0.0.0/16']),
        endpoint('vpce-s3', 'vpc-1', 'com.amazonaws.us-east-1.s3'),
      ];

      // Act
      const verdict = await evaluate('vpc-1', resources);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toBe(
        "vpc-1 has no usable endpoint for s3 (vpce-s3 is a Gateway endpoint associated with no route table). Fix: associate vpce-s3 with the VPC's private route tables.",
      );
    });

    it('counts an unlisted Gateway endpoint that a route table of the VPC routes to', async () => {
      // Prepare: the endpoint item lists no table, but the table holds its pl- route.
      const resources = [
        vpc('vpc-1', ['10.0.0.0/16']),
        endpoint('vpce-s3', 'vpc-1', 'com.amazonaws.us-east-1.s3'),
        routeTable('rtb-1', 'vpc-1', [route('pl-63a5400a', 'vpc-endpoint', 'vpce-s3')], []),
      ];

      // Act
      const verdict = await evaluate('vpc-1', resources);

      // Assess
      expect(verdict.compliance).toBe('COMPLIANT');
    });

    it('does not count an endpoint for the service of another region', async () => {
      // Prepare
      const resources = [
        vpc('vpc-1', ['10.0.0.0/16'], { region: 'us-east-1' }),
        endpoint('vpce-sts', 'vpc-1', 'com.amazonaws.us-west-2.sts', { endpointType: 'Interface' }),
      ];

      // Act
      const verdict = await evaluate('vpc-1', resources, { requiredServices: 'sts' });

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain('vpce-sts is for us-west-2, not us-east-1');
    });

    it('accepts FIPS variants and a|b alternatives', async () => {
      // Prepare
      const resources = [
        vpc('vpc-1', ['10.0.0.0/16']),
        endpoint('vpce-sts', 'vpc-1', 'com.amazonaws.us-east-1.sts-fips', {
          endpointType: 'Interface',
        }),
        endpoint('vpce-ddb', 'vpc-1', 'com.amazonaws.us-east-1.dynamodb-fips', {
          endpointType: 'Interface',
        }),
        endpoint('vpce-ecr', 'vpc-1', 'com.amazonaws.us-east-1.ecr-fips.api', {
          endpointType: 'Interface',
        }),
      ];

      // Act
      const verdict = await evaluate('vpc-1', resources, {
        requiredServices: 'sts,dynamodb|dynamodb-fips,ecr.api',
      });
      const strict = await evaluate('vpc-1', resources, { requiredServices: 'dynamodb-fips|s3' });

      // Assess
      expect(verdict.compliance).toBe('COMPLIANT');
      expect(verdict.annotation).toContain('dynamodb|dynamodb-fips (vpce-ddb)');
      expect(verdict.annotation).toContain('ecr.api (vpce-ecr)');
      expect(strict.compliance).toBe('COMPLIANT');
    });

    it('does not count an endpoint of another VPC', async () => {
      // Prepare
      const resources = [
        vpc('vpc-1', ['10.0.0.0/16']),
        endpoint('vpce-s3', 'vpc-2', 'com.amazonaws.us-east-1.s3'),
      ];

      // Act
      const verdict = await evaluate('vpc-1', resources);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain('no usable endpoint for s3');
    });

    it('accepts a full service name as a requirement', async () => {
      // Prepare
      const resources = [
        vpc('vpc-1', ['10.0.0.0/16']),
        endpoint('vpce-s3', 'vpc-1', 'com.amazonaws.us-east-1.s3', { routeTableIds: ['rtb-1'] }),
      ];

      // Act
      const ok = await evaluate('vpc-1', resources, {
        requiredServices: 'com.amazonaws.us-east-1.s3',
      });
      const wrongRegion = await evaluate('vpc-1', resources, {
        requiredServices: 'com.amazonaws.eu-west-1.s3',
      });

      // Assess
      expect(ok.compliance).toBe('COMPLIANT');
      expect(wrongRegion.compliance).toBe('NON_COMPLIANT');
    });

    it('returns NOT_APPLICABLE for a VPC outside the tag scope', async () => {
      // Prepare
      const resources = [
        vpc('vpc-1', ['10.0.0.0/16'], { tags: { env: 'dev' } }),
        vpc('vpc-2', ['10.1.0.0/16']),
      ];
      const params = { vpcTagKey: 'env', vpcTagValue: 'prod' };

      // Act
      const wrongValue = await evaluate('vpc-1', resources, params);
      const noTag = await evaluate('vpc-2', resources, params);

      // Assess
      expect(wrongValue.compliance).toBe('NOT_APPLICABLE');
      expect(wrongValue.annotation).toContain('env=prod');
      expect(noTag.compliance).toBe('NOT_APPLICABLE');
    });

    it('evaluates a VPC whose tag matches the scope', async () => {
      // Prepare
      const resources = [vpc('vpc-1', ['10.0.0.0/16'], { tags: { env: 'prod' } })];

      // Act
      const verdict = await evaluate('vpc-1', resources, { vpcTagKey: 'env' });

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
    });

    it('throws InvalidParametersError for vpcTagValue without vpcTagKey', async () => {
      // Act & Assess
      await expect(
        evaluate('vpc-1', [vpc('vpc-1', ['10.0.0.0/16'])], { vpcTagValue: 'prod' }),
      ).rejects.toBeInstanceOf(InvalidParametersError);
    });
  });

  describe('dependents', () => {
    const view = SnapshotView.fromResources([]);

    it('re-evaluates the VPC of a changed endpoint', async () => {
      // Act & Assess
      expect(
        await rule.dependents?.(endpoint('vpce-1', 'vpc-9', 'com.amazonaws.us-east-1.s3'), view),
      ).toEqual([{ type: 'AWS::EC2::VPC', id: 'vpc-9' }]);
    });

    it('returns nothing for other types', async () => {
      // Act & Assess
      expect(await rule.dependents?.(securityGroup('sg-1', []), view)).toEqual([]);
    });
  });
});
