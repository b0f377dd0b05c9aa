import { beforeAll, expect, it } from 'vitest';
import type { ComplianceType, Verdict } from '../../src/model/compliance.js';
import type { ResourceType } from '../../src/model/resources.js';
import { findRule } from '../../src/rules/index.js';
import { parseParams } from '../../src/rules/params.js';
import {
  createClients,
  createLiveView,
  type LiveAccountView,
} from '../../src/sources/aws/index.js';
import { describeWithMoto, motoClientOptions } from './moto.js';
import { type SeededAccount, seedAccount } from './seed-account.js';

/**
 * The rules' verdicts over the live view of the seeded moto account: the same rules the Config
 * snapshot fixtures exercise, now judging resources read through EC2 and S3.
 */
describeWithMoto(
  'rules over the live view of a seeded account',
  (moto) => {
    let seeded: SeededAccount;
    let view: LiveAccountView;

    beforeAll(async () => {
      seeded = await seedAccount(createClients(motoClientOptions(moto.url)), moto.url);
      view = createLiveView({ ...motoClientOptions(moto.url), accountId: '123456789012' });
    });

    const judge = async (
      ruleId: string,
      type: ResourceType,
      id: string,
      rawParams: Record<string, unknown> = {},
    ): Promise<Verdict> => {
      const rule = findRule(ruleId);
      if (!rule) throw new Error(`no rule ${ruleId}`);
      expect(rule.resourceType).toBe(type);
      const resource = await view.get(type, id);
      if (!resource) throw new Error(`${type} ${id} not found in the live view`);
      return rule.evaluate(resource, view, parseParams(rule.id, rule.parameters, rawParams));
    };

    const expectVerdict = (verdict: Verdict, compliance: ComplianceType, ...mentions: string[]) => {
      expect(verdict.compliance, verdict.annotation).toBe(compliance);
      expect(verdict.annotation.length).toBeLessThanOrEqual(256);
      // Annotations fit Config's 256 characters; ids they leave out are in the full detail.
      const text = `${verdict.annotation}\n${verdict.detail ?? ''}`;
      for (const mention of mentions) expect(text).toContain(mention);
    };

    it('judges private route tables by their Gateway endpoints (private-subnet-gateway-endpoints)', async () => {
      // Prepare
      const rule = 'private-subnet-gateway-endpoints';
      const type = 'AWS::EC2::RouteTable';

      // Act
      const covered = await judge(rule, type, seeded.prod.privateTableId, {
        gatewayServices: 's3,dynamodb',
      });
      const uncovered = await judge(rule, type, seeded.prod.uncoveredTableId);
      const natInstance = await judge(rule, type, seeded.legacy.natInstanceTableId);
      const publicTable = await judge(rule, type, seeded.prod.publicTableId);
      const isolated = await judge(rule, type, seeded.isolated.mainTableId);
      const unusedMain = await judge(rule, type, seeded.prod.mainTableId);

      // Assess
      expectVerdict(covered, 'COMPLIANT', seeded.prod.s3EndpointId, seeded.prod.dynamodbEndpointId);
      expectVerdict(
        uncovered,
        'NON_COMPLIANT',
        seeded.prod.natGatewayId,
        seeded.prod.privateSubnetIds[1],
      );
      expectVerdict(natInstance, 'NON_COMPLIANT', seeded.legacy.natInstanceId);
      expectVerdict(publicTable, 'NOT_APPLICABLE', 'internet gateway');
      expectVerdict(isolated, 'NOT_APPLICABLE', 'no default route');
      expectVerdict(unusedMain, 'NOT_APPLICABLE', 'serves no subnet');
    });

    it('judges bucket policies read from S3 (s3-bucket-policy-vpce-only, s3-bucket-policy-tls-only)', async () => {
      // Prepare
      const type = 'AWS::S3::Bucket';
      const { vpceOnly, tlsOnly, noPolicy } = seeded.buckets;

      // Act
      const vpce = await Promise.all([
        judge('s3-bucket-policy-vpce-only', type, vpceOnly, {
          allowedVpceIds: seeded.prod.s3EndpointId,
        }),
        judge('s3-bucket-policy-vpce-only', type, tlsOnly),
        judge('s3-bucket-policy-vpce-only', type, noPolicy),
        judge('s3-bucket-policy-vpce-only', type, noPolicy, {
          bucketTagKey: 'data-classification',
        }),
      ]);
      const tls = await Promise.all([
        judge('s3-bucket-policy-tls-only', type, vpceOnly),
        judge('s3-bucket-policy-tls-only', type, tlsOnly),
        judge('s3-bucket-policy-tls-only', type, noPolicy),
      ]);

      // Assess
      expectVerdict(vpce[0] as Verdict, 'COMPLIANT', seeded.prod.s3EndpointId);
      expectVerdict(vpce[1] as Verdict, 'NON_COMPLIANT', tlsOnly);
      expectVerdict(vpce[2] as Verdict, 'NON_COMPLIANT', 'no bucket policy');
      expectVerdict(vpce[3] as Verdict, 'NOT_APPLICABLE', 'data-classification');
      expectVerdict(tls[0] as Verdict, 'COMPLIANT');
      expectVerdict(tls[1] as Verdict, 'COMPLIANT');
      expectVerdict(tls[2] as Verdict, 'NON_COMPLIANT', noPolicy);
    });

    it('judges interface endpoints by private DNS and security groups', async () => {
      // Prepare
      const type = 'AWS::EC2::VPCEndpoint';

      // Act
      const dnsOn = await judge(
        'interface-endpoint-private-dns',
        type,
        seeded.prod.tightEndpointId,
      );
      const dnsOff = await judge(
        'interface-endpoint-private-dns',
        type,
        seeded.prod.openEndpointId,
      );
      const dnsGateway = await judge(
        'interface-endpoint-private-dns',
        type,
        seeded.prod.s3EndpointId,
      );
      const tight = await judge(
        'interface-endpoint-sg-restricted',
        type,
        seeded.prod.tightEndpointId,
      );
      const open = await judge(
        'interface-endpoint-sg-restricted',
        type,
        seeded.prod.openEndpointId,
      );

      // Assess
      expectVerdict(dnsOn, 'COMPLIANT', seeded.prod.tightEndpointId);
      expectVerdict(dnsOff, 'NON_COMPLIANT', seeded.prod.openEndpointId);
      expectVerdict(dnsGateway, 'NOT_APPLICABLE');
      expectVerdict(tight, 'COMPLIANT', seeded.prod.tightGroupId);
      expectVerdict(open, 'NON_COMPLIANT', seeded.prod.openGroupId, '0.0.0.0/0');
    });

    it('judges VPCs by their required endpoints and endpoint policies by their scope', async () => {
      // Prepare
      const vpcType = 'AWS::EC2::VPC';

      // Act
      const prod = await judge('vpc-required-endpoints', vpcType, seeded.prod.vpcId, {
        requiredServices: 's3,dynamodb,ssm',
      });
      const legacy = await judge('vpc-required-endpoints', vpcType, seeded.legacy.vpcId);
      const isolated = await judge('vpc-required-endpoints', vpcType, seeded.isolated.vpcId);
      const fullAccess = await judge(
        'vpc-endpoint-policy-restricted',
        'AWS::EC2::VPCEndpoint',
        seeded.prod.s3EndpointId,
      );

      // Assess
      expectVerdict(prod, 'COMPLIANT');
      expectVerdict(legacy, 'NON_COMPLIANT', 's3');
      expectVerdict(isolated, 'COMPLIANT');
      expectVerdict(fullAccess, 'NON_COMPLIANT', seeded.prod.s3EndpointId);
    });

    it('judges an endpoint service that auto-accepts everyone (endpoint-service-acceptance-required)', async () => {
      // Prepare
      const service = seeded.endpointService;
      if (!service) throw new Error('moto did not create the endpoint service');

      // Act
      const verdict = await judge(
        'endpoint-service-acceptance-required',
        'AWS::EC2::VPCEndpointService',
        service.serviceId,
      );

      // Assess
      expectVerdict(verdict, 'NON_COMPLIANT', service.serviceId);
    });
  },
  { resetEachTest: false },
);
