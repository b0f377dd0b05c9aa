import {
  compliant,
  nonCompliant,
  notApplicable,
  unverifiable,
  type Verdict,
} from '../model/compliance.js';
import type { VpcEndpointService } from '../model/resources.js';
import { defineRule } from './rule.js';

const INACTIVE_STATES: ReadonlySet<string> = new Set(['deleted', 'deleting', 'failed']);

/** `*` alone, or an ARN with a wildcard (`arn:aws:iam::*:root`): anyone matching may connect. */
const isWildcardPrincipal = (principal: string): boolean => principal.includes('*');

const judgeService = (
  recorded: VpcEndpointService,
  allowedPrincipals: string[] | undefined,
): Verdict => {
  // Provider service names embed the id; repeat the name only when it says something new.
  const name =
    recorded.serviceName && !recorded.serviceName.endsWith(recorded.id)
      ? `${recorded.id} (${recorded.serviceName})`
      : recorded.id;
  const state = recorded.state?.toLowerCase();
  if (state !== undefined && INACTIVE_STATES.has(state)) {
    return notApplicable(`${name} is ${state}.`);
  }
  const problems: string[] = [];
  if (!recorded.acceptanceRequired) {
    problems.push('accepts connection requests automatically (acceptance not required)');
  }
  const wildcards = (allowedPrincipals ?? []).filter(isWildcardPrincipal);
  if (wildcards.length > 0) {
    problems.push(`allows principal ${wildcards.join(', ')}, so any AWS account may connect`);
  }
  if (problems.length > 0) {
    const unknown =
      allowedPrincipals === undefined ? ' (its allowed principals could not be read)' : '';
    return nonCompliant(`${name} ${problems.join(' and ')}${unknown}.`);
  }
  if (allowedPrincipals === undefined) {
    return unverifiable(
      `Could not verify who may connect to ${name}: it requires acceptance, but its allowed principals could not be read (AWS Config does not record them). Run the rule with ec2:DescribeVpcEndpointServicePermissions, or vpce-guard scan --live.`,
    );
  }
  return compliant(
    `${name} requires acceptance and allows ${allowedPrincipals.length} principal(s), none a wildcard.`,
  );
};

const endpointServiceAcceptanceRequired = defineRule({
  id: 'endpoint-service-acceptance-required',
  title: 'VPC endpoint services should require acceptance and not allow every principal',
  description:
    'Evaluates each VPC endpoint service (PrivateLink provider side). It is non-compliant when connection requests are accepted automatically or when the allowed principals include "*". AWS Config does not record allowed principals, so the rule reads them from EC2 (DescribeVpcEndpointServicePermissions); where they cannot be read, a service that requires acceptance is reported as unverified, never as compliant.',
  rationale:
    'A service that auto-accepts, or that allows "*", lets any AWS account that learns its name create an endpoint and open a private network path into the service, bypassing the provider\'s review of who its consumers are.',
  severity: 'high',
  resourceType: 'AWS::EC2::VPCEndpointService',
  triggerTypes: [],
  frameworks: [
    { framework: 'PCI-DSS-4.0', id: '1.3.1', strength: 'evidence' },
    { framework: 'PCI-DSS-4.0', id: '1.4.2', strength: 'evidence' },
    { framework: 'PCI-DSS-4.0', id: 'A1.1.3', strength: 'evidence' },
    { framework: 'PCI-DSS-4.0', id: '7.2.1', strength: 'supporting' },
    { framework: 'PCI-DSS-4.0', id: 'A1.1.2', strength: 'supporting' },
    { framework: 'PCI-DSS-4.0', id: '1.2.8', strength: 'supporting' },
    { framework: 'HIPAA', id: '164.312(a)(1)', strength: 'supporting' },
    { framework: 'HIPAA', id: '164.308(a)(4)(ii)(B)', strength: 'supporting' },
    { framework: 'HIPAA', id: '164.312(e)(1)', strength: 'supporting' },
  ],
  parameters: {},
  remediation:
    'Turn on acceptance for the endpoint service and replace "*" in its allowed principals with the account, role or organisation principals of the known consumers.',
  remediationExample:
    'aws ec2 modify-vpc-endpoint-service-configuration --service-id vpce-svc-0123456789abcdef0 --acceptance-required\n' +
    'aws ec2 modify-vpc-endpoint-service-permissions --service-id vpce-svc-0123456789abcdef0 --remove-allowed-principals "*" --add-allowed-principals arn:aws:iam::111122223333:root',
  iamActions: [
    'ec2:DescribeVpcEndpointServiceConfigurations',
    'ec2:DescribeVpcEndpointServicePermissions',
  ],
  async evaluate(recorded, view) {
    // Config items carry no allowed principals; the account view (EC2) does.
    const allowedPrincipals =
      recorded.allowedPrincipals ?? (await view.get(recorded.type, recorded.id))?.allowedPrincipals;
    return judgeService(recorded, allowedPrincipals);
  },
  evaluateSync(recorded, reads) {
    const allowedPrincipals =
      recorded.allowedPrincipals ?? reads.get(recorded.type, recorded.id)?.allowedPrincipals;
    return judgeService(recorded, allowedPrincipals);
  },
});

export { endpointServiceAcceptanceRequired };
