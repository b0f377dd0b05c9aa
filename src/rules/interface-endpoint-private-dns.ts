import { compliant, nonCompliant, notApplicable, type Verdict } from '../model/compliance.js';
import type { VpcEndpoint } from '../model/resources.js';
import { matchesService, parseServiceName } from '../network/service-name.js';
import { isInactiveEndpointState } from './endpoint-state.js';
import { defineRule } from './rule.js';

/** The verdict reads nothing beyond the endpoint itself. */
const judgePrivateDns = (endpoint: VpcEndpoint, exemptServices: readonly string[]): Verdict => {
  if (endpoint.endpointType !== 'Interface') {
    return notApplicable(
      `${endpoint.id} is a ${endpoint.endpointType} endpoint; private DNS applies to Interface endpoints.`,
    );
  }
  const state = endpoint.state.toLowerCase();
  if (isInactiveEndpointState(state)) {
    return notApplicable(`${endpoint.id} is ${state} and carries no traffic.`);
  }
  const service = parseServiceName(endpoint.serviceName);
  if (service.origin === 'customer') {
    return notApplicable(
      `${endpoint.id} connects to the PrivateLink service ${endpoint.serviceName}, not an AWS service; its DNS is the provider's choice.`,
    );
  }
  if (service.origin === 'unknown') {
    return notApplicable(
      `${endpoint.id}: ${endpoint.serviceName} is not recognised as an AWS service name.`,
    );
  }
  const exemption = exemptServices.find((exempt) => matchesService(endpoint.serviceName, exempt));
  if (exemption !== undefined) {
    return notApplicable(
      `${endpoint.id} (${endpoint.serviceName}) is exempt through exemptServices entry ${exemption}.`,
    );
  }
  return endpoint.privateDnsEnabled
    ? compliant(`${endpoint.id} (${endpoint.serviceName}) has private DNS enabled.`)
    : nonCompliant(
        `${endpoint.id} (${endpoint.serviceName}) has private DNS disabled: clients in ${endpoint.vpcId} resolve the public ${service.service} hostname and bypass the endpoint.`,
      );
};

const interfaceEndpointPrivateDns = defineRule({
  id: 'interface-endpoint-private-dns',
  title: 'Interface endpoints of AWS services should have private DNS enabled',
  description:
    'Evaluates each Interface endpoint of an AWS service (com.amazonaws.<region>.<service>, aws.<…>, and global services without a region such as com.amazonaws.iam and com.amazonaws.route53) and requires private DNS to be enabled, so that the public service hostname resolves to the endpoint inside the VPC. Gateway endpoints, customer PrivateLink services (com.amazonaws.vpce.<region>.vpce-svc-…), services listed in exemptServices and endpoints that are deleted, rejected or failed are not applicable.',
  rationale:
    'Without private DNS, SDKs and CLIs resolve the public regional hostname and send traffic around the endpoint, through NAT or an internet gateway: the endpoint policy and its security group never apply, and aws:SourceVpce conditions fail or, worse, are relaxed to let the traffic through.',
  severity: 'medium',
  resourceType: 'AWS::EC2::VPCEndpoint',
  triggerTypes: [],
  frameworks: [
    { framework: 'PCI-DSS-4.0', id: '1.3.2', strength: 'supporting' },
    { framework: 'PCI-DSS-4.0', id: '1.4.1', strength: 'supporting' },
    { framework: 'HIPAA', id: '164.312(e)(1)', strength: 'supporting' },
  ],
  parameters: {
    exemptServices: {
      type: 'list',
      description:
        'Services whose Interface endpoints may run without private DNS (for example when a Route 53 private hosted zone is managed separately), as short names (s3) or full service names.',
      default: [],
      pattern: /^[a-z0-9][a-z0-9.-]*$/,
    },
  },
  remediation:
    'Enable private DNS on the endpoint. The VPC needs enableDnsSupport and enableDnsHostnames, and no other private hosted zone may already claim the service hostname.',
  remediationExample:
    'aws ec2 modify-vpc-endpoint --vpc-endpoint-id vpce-0123456789abcdef0 --private-dns-enabled',
  iamActions: ['ec2:DescribeVpcEndpoints'],
  async evaluate(endpoint, _view, params) {
    return judgePrivateDns(endpoint, params.exemptServices);
  },
  evaluateSync(endpoint, _reads, params) {
    return judgePrivateDns(endpoint, params.exemptServices);
  },
});

export { interfaceEndpointPrivateDns };
