/**
 * Requirement titles (paraphrased) for the PCI DSS 4.0 / 4.0.1 and HIPAA Security Rule items the
 * rules cite. Sources and mapping rationale: docs/frameworks.md and
 * ../shared/reference/frameworks.md §3; not legal or QSA advice.
 */
const PCI_DSS_4: Record<string, string> = {
  '1.2.1': 'NSC ruleset configuration standards are defined, implemented and maintained',
  '1.2.5':
    'All allowed services, protocols and ports are identified, approved and have a business need',
  '1.2.8': 'NSC configuration files are secured and kept consistent with active configurations',
  '1.3.1': 'Inbound traffic to the CDE is restricted to what is necessary; all else is denied',
  '1.3.2': 'Outbound traffic from the CDE is restricted to what is necessary; all else is denied',
  '1.4.1': 'NSCs are implemented between trusted and untrusted networks',
  '1.4.2': 'Inbound traffic from untrusted to trusted networks is restricted',
  '1.4.4':
    'System components that store cardholder data are not directly accessible from untrusted networks',
  '1.5.1':
    'Security controls on devices connecting to untrusted networks and the CDE cannot be altered by users',
  '2.2.5':
    'Insecure services, protocols or daemons are justified and have additional security features',
  '2.2.7': 'All non-console administrative access is encrypted using strong cryptography',
  '4.2.1':
    'Strong cryptography and security protocols protect PAN during transmission over open, public networks',
  '7.2.1': 'An access control model grants access by business need and least privilege',
  '7.2.2': 'Access is assigned by job classification and function, with least privilege',
  '7.2.5': 'Application and system accounts are assigned least privilege',
  '7.3.1': 'An access control system restricts access based on need to know',
  '7.3.2': 'The access control system enforces permissions assigned by job function',
  '7.3.3': 'The access control system is set to "deny all" by default',
  '8.3.2':
    'Strong cryptography renders authentication factors unreadable in transmission and storage',
  'A1.1.2': 'Multi-tenant providers: each customer can access only its own data and CDE',
  'A1.1.3': 'Multi-tenant providers: each customer can access only the resources allocated to it',
};

const HIPAA: Record<string, string> = {
  '164.308(a)(1)(ii)(B)': 'Risk management: security measures reduce risks to a reasonable level',
  '164.308(a)(3)(i)': 'Workforce security: appropriate ePHI access, others prevented',
  '164.308(a)(4)(i)': 'Information access management: policies for authorizing access to ePHI',
  '164.308(a)(4)(ii)(B)': 'Access authorization: policies for granting access to ePHI',
  '164.308(a)(4)(ii)(C)': 'Access establishment and modification',
  '164.312(a)(1)': 'Access control: only authorized persons or software reach ePHI systems',
  '164.312(a)(2)(iv)': 'Encryption and decryption of ePHI',
  '164.312(c)(1)': 'Integrity: protect ePHI from improper alteration or destruction',
  '164.312(c)(2)': 'Mechanism to authenticate ePHI (corroborate it was not altered)',
  '164.312(e)(1)':
    'Transmission security: guard against unauthorized access to ePHI sent over a network',
  '164.312(e)(2)(i)': 'Integrity controls for ePHI in transit',
  '164.312(e)(2)(ii)': 'Encryption of ePHI in transit',
};

const requirementTitle = (framework: 'PCI-DSS-4.0' | 'HIPAA', id: string): string | undefined =>
  framework === 'PCI-DSS-4.0' ? PCI_DSS_4[id] : HIPAA[id];

export { HIPAA, PCI_DSS_4, requirementTitle };
