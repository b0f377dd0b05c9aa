import { compliant, nonCompliant, notApplicable } from '../model/compliance.js';
import type { Resource, ResourceRef } from '../model/resources.js';
import { isLiveEndpoint } from '../network/gateway-endpoints.js';
import { matchesService } from '../network/service-name.js';
import type { AccountView } from '../sources/view.js';
import { defineRule } from './rule.js';

const RULE_ID = 'vpc-required-endpoints';

const vpcRequiredEndpoints = defineRule({
  id: RULE_ID,
  title: 'VPCs should have an endpoint for every required AWS service',
  description:
    'Evaluates each VPC (optionally only those carrying vpcTagKey, with vpcTagValue when given) and checks that it has a VPC endpoint of any type, in state available or pending, for each service in requiredServices. Services are given as short names (s3, ecr.dkr, sts) or full service names.',
  rationale:
    'A VPC without an endpoint for a service it uses reaches that service over NAT or an internet gateway: the egress path cannot be closed, endpoint policies cannot restrict which accounts and resources are reachable, and aws:SourceVpce conditions on data stores cannot be satisfied.',
  severity: 'medium',
  resourceType: 'AWS::EC2::VPC',
  triggerTypes: ['AWS::EC2::VPCEndpoint'],
  frameworks: [
    { framework: 'PCI-DSS-4.0', id: '1.3.1', strength: 'evidence' },
    { framework: 'PCI-DSS-4.0', id: '1.3.2', strength: 'evidence' },
    { framework: 'PCI-DSS-4.0', id: '1.4.2', strength: 'evidence' },
    { framework: 'PCI-DSS-4.0', id: '1.2.8', strength: 'supporting' },
    { framework: 'PCI-DSS-4.0', id: '1.5.1', strength: 'supporting' },
    { framework: 'PCI-DSS-4.0', id: 'A1.1.3', strength: 'supporting' },
    { framework: 'HIPAA', id: '164.312(e)(1)', strength: 'supporting' },
  ],
  parameters: {
    requiredServices: {
      type: 'list',
      description: 'Services every VPC in scope must have an endpoint for (short or full names).',
      default: ['s3'],
      pattern: /^[a-z0-9][a-z0-9.-]*$/,
    },
    vpcTagKey: {
      type: 'string',
      description: 'Only VPCs with this tag are in scope; others are NOT_APPLICABLE.',
    },
    vpcTagValue: {
      type: 'string',
      description: 'With vpcTagKey: only VPCs whose tag has this value are in scope.',
      requires: 'vpcTagKey',
    },
  },
  remediation:
    'Create the missing endpoints: a Gateway endpoint for s3 and dynamodb (associated with the private route tables), an Interface endpoint with private DNS for other services.',
  remediationExample:
    'aws ec2 create-vpc-endpoint --vpc-id vpc-0123456789abcdef0 --vpc-endpoint-type Interface --service-name com.amazonaws.us-east-1.sts --subnet-ids subnet-0123456789abcdef0 --security-group-ids sg-0123456789abcdef0 --private-dns-enabled',
  iamActions: ['ec2:DescribeVpcs', 'ec2:DescribeVpcEndpoints'],
  async evaluate(vpc, view, params) {
    const { requiredServices, vpcTagKey, vpcTagValue } = params;
    if (vpcTagKey !== undefined) {
      // Own properties only: a tag key such as `constructor` must not read the object prototype.
      const value = Object.hasOwn(vpc.tags, vpcTagKey) ? vpc.tags[vpcTagKey] : undefined;
      if (value === undefined || (vpcTagValue !== undefined && value !== vpcTagValue)) {
        return notApplicable(
          `${vpc.id} is out of scope: it has no tag ${vpcTagKey}${vpcTagValue !== undefined ? `=${vpcTagValue}` : ''}.`,
        );
      }
    }
    const endpoints = (await view.endpointsOfVpc(vpc.id)).filter((e) => e.vpcId === vpc.id);
    const found: string[] = [];
    const missing: string[] = [];
    for (const service of requiredServices) {
      const ofService = endpoints.filter((e) => matchesService(e.serviceName, service));
      const live = ofService.find(isLiveEndpoint);
      if (live) {
        found.push(`${service} (${live.id})`);
        continue;
      }
      const dead = ofService[0];
      missing.push(dead ? `${service} (${dead.id} is ${dead.state})` : service);
    }
    if (missing.length > 0) {
      return nonCompliant(
        `${vpc.id} has no usable endpoint for ${missing.join(', ')}${found.length > 0 ? `; present: ${found.join(', ')}` : ''}.`,
      );
    }
    return compliant(
      found.length > 0
        ? `${vpc.id} has endpoints for every required service: ${found.join(', ')}.`
        : `${vpc.id}: requiredServices lists no service.`,
    );
  },
  async dependents(changed: Resource, _view: AccountView): Promise<ResourceRef[]> {
    if (changed.type === 'AWS::EC2::VPCEndpoint')
      return [{ type: 'AWS::EC2::VPC', id: changed.vpcId }];
    if (changed.type === 'AWS::EC2::VPC') return [{ type: 'AWS::EC2::VPC', id: changed.id }];
    return [];
  },
});

export { vpcRequiredEndpoints };
