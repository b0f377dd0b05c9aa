import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Bucket, PolicySource } from '../../src/model/resources.js';
import { parsePolicy } from '../../src/policy/document.js';
import { parseParams } from '../../src/rules/params.js';
import { s3BucketPolicyVpceOnly as rule } from '../../src/rules/s3-bucket-policy-vpce-only.js';
import { SnapshotView } from '../../src/sources/snapshot.js';

const NAME = 'acme-cardholder-data';
const BUCKET_ARN = `arn:aws:s3:::${NAME}`;
const VPCE = 'vpce-0a1b2c3d4e5f67890';
const VPC = 'vpc-0f1e2d3c4b5a69788';

const bucketWith = (policy: PolicySource, extra: Partial<Bucket> = {}): Bucket => ({
  type: 'AWS::S3::Bucket',
  id: NAME,
  name: NAME,
  tags: {},
  policy,
  ...extra,
});

const present = (document: unknown): PolicySource => ({
  kind: 'present',
  text: JSON.stringify(document),
});

const evaluate = (bucket: Bucket, raw: Record<string, unknown> = {}) =>
  rule.evaluate(
    bucket,
    SnapshotView.fromResources([bucket]),
    parseParams(rule.id, rule.parameters, raw),
  );

const denyOutsideVpce = (extra: Record<string, unknown> = {}) => ({
  Sid: 'DenyOutsideVpce',
  Effect: 'Deny',
  Principal: '*',
  Action: 's3:*',
  Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`],
  Condition: { StringNotEquals: { 'aws:SourceVpce': VPCE } },
  ...extra,
});

/*
 * An independent oracle: IAM's decision for one request against a raw bucket policy, written from
 * the IAM documentation for the operators the generators below use. It shares no code with
 * src/policy, so a bug in the analyser's condition logic cannot make the soundness property pass.
 */

interface OracleRequest {
  /** `undefined` for an anonymous caller. */
  principalArn: string | undefined;
  action: string;
  resource: string;
  /** Lower-case condition keys; a missing key is absent from the request. */
  context: Record<string, string>;
}

type OracleDecision = 'explicit-deny' | 'allow' | 'implicit-deny';

const globCache = new Map<string, RegExp>();

/** IAM wildcards: `*` any run, `?` one character; everything else literal. */
const glob = (pattern: string, value: string, ignoreCase: boolean): boolean => {
  const cacheKey = `${ignoreCase ? 'i' : 's'}:${pattern}`;
  let regex = globCache.get(cacheKey);
  if (!regex) {
    const body = [...pattern]
      .map((char) => {
        if (char === '*') return '.*';
        if (char === '?') return '.';
        return char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
      })
      .join('');
    regex = new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
    globCache.set(cacheKey, regex);
  }
  return regex.test(value);
};

const listOf = (raw: unknown): string[] =>
  (Array.isArray(raw) ? raw : raw === undefined ? [] : [raw]).map(String);

const ipv4 = (text: string): number | undefined => {
  const parts = text.split('.').map(Number);
  if (parts.length !== 4 || parts.some((part) => !Number.isInteger(part))) return undefined;
  return parts.reduce((value, part) => value * 256 + part, 0);
};

const inIpv4Block = (address: string, block: string): boolean => {
  const [base = '', bits = '32'] = block.split('/');
  const a = ipv4(address);
  const b = ipv4(base);
  if (a === undefined || b === undefined) return false;
  const size = 2 ** (32 - Number(bits));
  return Math.floor(a / size) === Math.floor(b / size);
};

/** One request value against one policy value, positively (the "Not" is applied by the caller). */
const oracleCompare = (base: string, requestValue: string, policyValue: string): boolean => {
  switch (base) {
    case 'StringEquals':
    case 'StringNotEquals':
      return requestValue === policyValue;
    case 'StringEqualsIgnoreCase':
    case 'StringNotEqualsIgnoreCase':
      return requestValue.toLowerCase() === policyValue.toLowerCase();
    case 'StringLike':
    case 'StringNotLike':
    case 'ArnLike':
    case 'ArnNotLike':
      return glob(policyValue, requestValue, false);
    case 'Bool':
      return requestValue.toLowerCase() === policyValue.toLowerCase();
    case 'IpAddress':
    case 'NotIpAddress':
      return inIpv4Block(requestValue, policyValue);
    default:
      throw new Error(`the oracle does not know ${base}`);
  }
};

const oracleEntry = (
  operator: string,
  key: string,
  raw: unknown,
  context: Record<string, string>,
): boolean => {
  const values = listOf(raw);
  const forAny = operator.startsWith('ForAnyValue:');
  let base = forAny ? operator.slice('ForAnyValue:'.length) : operator;
  const ifExists = base.endsWith('IfExists');
  if (ifExists) base = base.slice(0, -'IfExists'.length);
  const requestValue = context[key.toLowerCase()];
  if (base === 'Null') {
    return values.some((value) => (value === 'true') === (requestValue === undefined));
  }
  const negated = base.includes('Not');
  if (requestValue === undefined) {
    // ForAnyValue needs a value to test; otherwise IfExists and "not equal to anything" match.
    if (forAny) return false;
    return ifExists || negated;
  }
  const hit = values.some((value) => oracleCompare(base, requestValue, value));
  return negated ? !hit : hit;
};

const oraclePrincipal = (statement: Record<string, unknown>, arn: string | undefined): boolean => {
  const matchesOne = (value: string): boolean => {
    if (value === '*') return true;
    if (arn === undefined) return false;
    const account = /^\d{12}$/.test(value)
      ? value
      : /^arn:aws:iam::(\d{12}):root$/.exec(value)?.[1];
    return account !== undefined ? arn.split(':')[4] === account : value === arn;
  };
  const named = (raw: unknown): string[] =>
    raw === '*' ? ['*'] : listOf((raw as { AWS?: unknown }).AWS);
  if (statement.Principal !== undefined) return named(statement.Principal).some(matchesOne);
  if (statement.NotPrincipal !== undefined) return !named(statement.NotPrincipal).some(matchesOne);
  return false;
};

const oracleApplies = (statement: Record<string, unknown>, request: OracleRequest): boolean => {
  const actionHit = listOf(statement.Action ?? statement.NotAction).some((pattern) =>
    glob(pattern, request.action, true),
  );
  const resourceHit = listOf(statement.Resource ?? statement.NotResource).some((pattern) =>
    glob(pattern, request.resource, false),
  );
  const condition = (statement.Condition ?? {}) as Record<string, Record<string, unknown>>;
  return (
    oraclePrincipal(statement, request.principalArn) &&
    (statement.Action !== undefined ? actionHit : !actionHit) &&
    (statement.Resource !== undefined ? resourceHit : !resourceHit) &&
    Object.entries(condition).every(([operator, block]) =>
      Object.entries(block).every(([key, raw]) => oracleEntry(operator, key, raw, request.context)),
    )
  );
};

const oracleDecision = (statements: unknown[], request: OracleRequest): OracleDecision => {
  const applicable = (statements as Record<string, unknown>[]).filter((statement) =>
    oracleApplies(statement, request),
  );
  if (applicable.some((statement) => statement.Effect === 'Deny')) return 'explicit-deny';
  return applicable.some((statement) => statement.Effect === 'Allow') ? 'allow' : 'implicit-deny';
};

const BREAK_GLASS = 'arn:aws:iam::111122223333:role/BreakGlass';
/** Another endpoint and VPC: outside only when an allow-list says which ones are allowed. */
const OTHER_VPCE = 'vpce-0bbbbbbbbbbbbbbbb';
const OTHER_VPC = 'vpc-0bbbbbbbbbbbbbbbb';

interface ConcreteRequest extends OracleRequest {
  name: string;
  network: 'internet' | 'foreign-vpce' | 'other-vpce' | 'allowed-vpce';
  breakGlass: boolean;
  viaService: boolean;
}

/** A fixed set of requests: every caller, network and target the generated policies can treat differently. */
const CONCRETE_REQUESTS: ConcreteRequest[] = (() => {
  const callers: [string, string | undefined][] = [
    ['app role', 'arn:aws:iam::111122223333:role/app'],
    ['foreign role', 'arn:aws:iam::999999999999:role/attacker'],
    ['partner role', 'arn:aws:iam::444455556666:role/partner'],
    ['break-glass role', BREAK_GLASS],
    ['anonymous', undefined],
  ];
  const networks: [ConcreteRequest['network'], Record<string, string>][] = [
    ['internet', { 'aws:sourceip': '198.51.100.10' }],
    [
      'foreign-vpce',
      {
        'aws:sourcevpce': 'vpce-0fedcba9876543210',
        'aws:sourcevpc': 'vpc-0999999999999999a',
        'aws:sourcevpcarn': 'arn:aws:ec2:eu-west-1:999999999999:vpc/vpc-0999999999999999a',
      },
    ],
    [
      'other-vpce',
      {
        'aws:sourcevpce': OTHER_VPCE,
        'aws:sourcevpc': OTHER_VPC,
        'aws:sourcevpcarn': `arn:aws:ec2:eu-west-1:111122223333:vpc/${OTHER_VPC}`,
      },
    ],
    [
      'allowed-vpce',
      {
        'aws:sourcevpce': VPCE,
        'aws:sourcevpc': VPC,
        'aws:sourcevpcarn': `arn:aws:ec2:eu-west-1:111122223333:vpc/${VPC}`,
      },
    ],
  ];
  const targets: [string, string][] = [
    ['s3:GetObject', `${BUCKET_ARN}/cardholder/2026.csv`],
    ['s3:DeleteObject', `${BUCKET_ARN}/private/keys.pem`],
    ['s3:ListBucket', BUCKET_ARN],
    ['s3:PutBucketPolicy', BUCKET_ARN],
  ];
  const requests: ConcreteRequest[] = [];
  for (const [callerName, arn] of callers) {
    for (const [network, networkContext] of networks) {
      for (const viaService of [false, true]) {
        for (const secure of ['true', 'false']) {
          for (const [action, resource] of targets) {
            requests.push({
              name: `${callerName} ${action} from ${network}${viaService ? ' via an AWS service' : ''} (TLS ${secure})`,
              principalArn: arn,
              action,
              resource,
              network,
              breakGlass: arn === BREAK_GLASS,
              viaService,
              context: {
                ...networkContext,
                ...(arn === undefined
                  ? {}
                  : { 'aws:principalarn': arn, 'aws:principaltag/team': 'analytics' }),
                'aws:viaawsservice': String(viaService),
                'aws:securetransport': secure,
              },
            });
          }
        }
      }
    }
  }
  return requests;
})();

interface OracleParams {
  exemptionConditionKeys: string;
  allowedVpceIds: string;
  allowedVpcIds: string;
}

/**
 * Requests from outside the allowed endpoint that the parameters do not exempt. Without an
 * allow-list the policy's own values say which endpoints are allowed, so the other endpoint (which
 * generated policies may name) counts as outside only when a list is set.
 */
const mustBeDenied = (params: OracleParams): ConcreteRequest[] => {
  const keys = params.exemptionConditionKeys.toLowerCase().split(',');
  const pinned = params.allowedVpceIds !== '' || params.allowedVpcIds !== '';
  return CONCRETE_REQUESTS.filter(
    (request) =>
      request.network !== 'allowed-vpce' &&
      (request.network !== 'other-vpce' || pinned) &&
      !(request.breakGlass && keys.includes('aws:principalarn')) &&
      !(request.viaService && keys.includes('aws:viaawsservice')),
  );
};

describe('s3-bucket-policy-vpce-only', () => {
  describe('metadata', () => {
    it('declares the read APIs it needs and framework references', () => {
      // Assess
      expect(rule.title).toMatch(/^S3 buckets should /);
      expect(rule.iamActions).toEqual(
        expect.arrayContaining([
          's3:GetBucketPolicy',
          's3:GetBucketTagging',
          's3:ListAllMyBuckets',
        ]),
      );
      expect(rule.frameworks).toContainEqual({
        framework: 'PCI-DSS-4.0',
        id: '1.3.1',
        strength: 'evidence',
      });
      expect(rule.frameworks).toContainEqual({
        framework: 'PCI-DSS-4.0',
        id: '7.3.3',
        strength: 'supporting',
      });
      expect(() => parsePolicy(rule.remediationExample)).not.toThrow();
    });

    it('accepts its own remediation example when the break-glass key is exempted', async () => {
      // Prepare
      const example = (rule.remediationExample ?? '').replaceAll('amzn-s3-demo-bucket', NAME);

      // Act
      const strict = await evaluate(bucketWith({ kind: 'present', text: example }));
      const exempted = await evaluate(bucketWith({ kind: 'present', text: example }), {
        exemptionConditionKeys: 'aws:PrincipalArn',
      });

      // Assess
      expect(strict.compliance).toBe('NON_COMPLIANT');
      expect(exempted.compliance).toBe('COMPLIANT');
    });
  });

  describe('evaluate', () => {
    it('returns an unverifiable NON_COMPLIANT when the policy could not be read', async () => {
      // Prepare
      const bucket = bucketWith({
        kind: 'unreadable',
        reason: 'AccessDenied on s3:GetBucketPolicy',
      });

      // Act
      const verdict = await evaluate(bucket);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.unverifiable).toBe(true);
      expect(verdict.annotation).toMatch(/^Could not verify/);
      expect(verdict.annotation).toContain('inside the VPC');
      expect(verdict.annotation).toContain('exemptionConditionKeys');
    });

    it('returns NOT_APPLICABLE for exempt buckets before reading the policy', async () => {
      // Prepare
      const bucket = bucketWith({ kind: 'unreadable', reason: 'AccessDenied' });

      // Act
      const verdict = await evaluate(bucket, { exemptBuckets: 'acme-*' });

      // Assess
      expect(verdict.compliance).toBe('NOT_APPLICABLE');
    });

    it('returns COMPLIANT when a bucket tag matches the scope and the Deny is complete', async () => {
      // Prepare
      const bucket = bucketWith(present({ Statement: [denyOutsideVpce()] }), {
        tags: { 'data-class': 'pci' },
      });

      // Act
      const verdict = await evaluate(bucket, { bucketTagKey: 'data-class', bucketTagValue: 'pci' });

      // Assess
      expect(verdict.compliance).toBe('COMPLIANT');
    });

    it('accepts NotPrincipal as a break-glass exception only when aws:PrincipalArn is exempt', async () => {
      // Prepare
      const bucket = bucketWith(
        present({
          Statement: [
            denyOutsideVpce({
              Principal: undefined,
              NotPrincipal: { AWS: 'arn:aws:iam::111122223333:role/BreakGlass' },
            }),
          ],
        }),
      );

      // Act
      const strict = await evaluate(bucket);
      const exempted = await evaluate(bucket, { exemptionConditionKeys: 'aws:PrincipalArn' });

      // Assess
      expect(strict.compliance).toBe('NON_COMPLIANT');
      expect(strict.annotation).toContain('uses NotPrincipal');
      expect(exempted.compliance).toBe('COMPLIANT');
      expect(exempted.annotation).toContain('NotPrincipal in statement "DenyOutsideVpce"');
    });

    it('returns COMPLIANT for a NotResource Deny that excludes only other buckets', async () => {
      // Prepare
      const bucket = bucketWith(
        present({
          Statement: [
            denyOutsideVpce({ Resource: undefined, NotResource: 'arn:aws:s3:::other-bucket/*' }),
          ],
        }),
      );

      // Act
      const verdict = await evaluate(bucket);

      // Assess
      expect(verdict.compliance).toBe('COMPLIANT');
    });

    it('returns NON_COMPLIANT for a NotResource Deny that spares a prefix of this bucket', async () => {
      // Prepare
      const bucket = bucketWith(
        present({
          Statement: [
            denyOutsideVpce({ Resource: undefined, NotResource: `${BUCKET_ARN}/public/*` }),
          ],
        }),
      );

      // Act
      const verdict = await evaluate(bucket);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain('its objects');
    });

    it('names the partial resource when the Deny reaches only a prefix of the objects', async () => {
      // Prepare
      const bucket = bucketWith(
        present({
          Statement: [denyOutsideVpce({ Resource: [BUCKET_ARN, `${BUCKET_ARN}/cardholder/*`] })],
        }),
      );

      // Act
      const verdict = await evaluate(bucket);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain(
        `reaches only ${BUCKET_ARN}, ${BUCKET_ARN}/cardholder/* of its objects`,
      );
    });

    it('uses the partition of the bucket ARN', async () => {
      // Prepare
      const arn = `arn:aws-cn:s3:::${NAME}`;
      const bucket = bucketWith(
        present({ Statement: [denyOutsideVpce({ Resource: [arn, `${arn}/*`] })] }),
        {
          arn,
          region: 'cn-north-1',
        },
      );

      // Act
      const verdict = await evaluate(bucket);

      // Assess
      expect(verdict.compliance).toBe('COMPLIANT');
    });

    it('checks aws:SourceVpcArn values against allowedVpcIds', async () => {
      // Prepare
      const arnOf = (vpc: string) => `arn:aws:ec2:eu-west-1:111122223333:vpc/${vpc}`;
      const bucket = bucketWith(
        present({
          Statement: [
            denyOutsideVpce({
              Condition: {
                ArnNotEquals: { 'aws:SourceVpcArn': [arnOf(VPC), arnOf('vpc-0aaaaaaaaaaaaaaaa')] },
              },
            }),
          ],
        }),
      );

      // Act
      const verdict = await evaluate(bucket, { allowedVpcIds: VPC });

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain('vpc-0aaaaaaaaaaaaaaaa');
      expect(verdict.annotation).toContain('not in allowedVpcIds');
    });

    it('rejects a Null test that denies only requests without an endpoint', async () => {
      // Prepare
      const bucket = bucketWith(
        present({
          Statement: [denyOutsideVpce({ Condition: { Null: { 'aws:SourceVpce': 'true' } } })],
        }),
      );

      // Act
      const verdict = await evaluate(bucket);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain('other VPC endpoints');
    });

    it('notes wildcard values when no allow-list pins them', async () => {
      // Prepare
      const bucket = bucketWith(
        present({
          Statement: [
            denyOutsideVpce({ Condition: { StringNotLike: { 'aws:SourceVpce': 'vpce-0a1b*' } } }),
          ],
        }),
      );

      // Act
      const verdict = await evaluate(bucket);

      // Assess
      expect(verdict.compliance).toBe('COMPLIANT');
      expect(verdict.annotation).toContain('set allowedVpceIds/allowedVpcIds to pin them');
    });

    describe('exempted condition keys', () => {
      const EXEMPT = { exemptionConditionKeys: 'aws:PrincipalArn,aws:ViaAWSService' };
      const withExemption = (condition: Record<string, unknown>) =>
        [
          denyOutsideVpce({
            Condition: { StringNotEquals: { 'aws:SourceVpce': VPCE }, ...condition },
          }),
        ] as unknown[];

      it.each([
        ['StringEquals', 'aws:PrincipalArn', 'arn:aws:iam::111122223333:role/OnlyThisRole'],
        ['Bool', 'aws:ViaAWSService', 'true'],
        ['StringNotLike', 'aws:PrincipalArn', '*'],
      ])(
        'returns NON_COMPLIANT when %s %s %s restricts the Deny instead of excepting from it',
        async (op, key, value) => {
          // Prepare
          const statements = withExemption({ [op]: { [key]: value } });

          // Act
          const verdict = await evaluate(bucketWith(present({ Statement: statements })), EXEMPT);

          // Assess: the rule and the independent oracle agree that outsiders get through.
          expect(verdict.compliance).toBe('NON_COMPLIANT');
          expect(verdict.annotation).toContain('restricts the Deny to a few principals');
          expect(verdict.annotation).toContain('instead of excepting them');
          const escaping = mustBeDenied({
            ...EXEMPT,
            allowedVpceIds: '',
            allowedVpcIds: '',
          }).filter((request) => oracleDecision(statements, request) !== 'explicit-deny');
          expect(escaping.length).toBeGreaterThan(0);
        },
      );

      it.each([
        ['ArnNotLike', 'aws:PrincipalArn', 'arn:aws:iam::111122223333:role/break-glass-*'],
        ['Bool', 'aws:ViaAWSService', 'false'],
        ['BoolIfExists', 'aws:ViaAWSService', 'false'],
      ])(
        'returns COMPLIANT when %s %s %s carves an exception out of the Deny',
        async (op, key, value) => {
          // Act
          const verdict = await evaluate(
            bucketWith(present({ Statement: withExemption({ [op]: { [key]: value } }) })),
            EXEMPT,
          );

          // Assess
          expect(verdict.compliance).toBe('COMPLIANT');
          expect(verdict.annotation).toContain(`Accepted exceptions: ${key}`);
        },
      );

      it('says a Deny with only an exempted key applies from every network, not unconditionally', async () => {
        // Prepare
        const bucket = bucketWith(
          present({
            Statement: [
              denyOutsideVpce({ Condition: { ArnNotLike: { 'aws:PrincipalArn': BREAK_GLASS } } }),
            ],
          }),
        );

        // Act
        const verdict = await evaluate(bucket, EXEMPT);

        // Assess
        expect(verdict.compliance).toBe('COMPLIANT');
        expect(verdict.annotation).toContain(
          'from every network, except for the accepted exceptions',
        );
        expect(verdict.annotation).not.toContain('unconditionally');
      });
    });

    it('says a Deny for Principal {"Service": "*"} applies only to AWS service principals', async () => {
      // Prepare
      const bucket = bucketWith(
        present({ Statement: [denyOutsideVpce({ Principal: { Service: '*' } })] }),
      );

      // Act
      const verdict = await evaluate(bucket);

      // Assess
      expect(verdict.compliance).toBe('NON_COMPLIANT');
      expect(verdict.annotation).toContain('applies only to AWS service principals');
      expect(verdict.annotation).not.toContain('applies only to *');
    });

    it.each(['*', 'vpce-*', 'vpce-0*'])(
      'returns NON_COMPLIANT for StringNotLike aws:SourceVpce "%s", which matches every endpoint id',
      async (pattern) => {
        // Prepare
        const bucket = bucketWith(
          present({
            Statement: [
              denyOutsideVpce({ Condition: { StringNotLike: { 'aws:SourceVpce': pattern } } }),
            ],
          }),
        );

        // Act
        const verdict = await evaluate(bucket);

        // Assess
        expect(verdict.compliance).toBe('NON_COMPLIANT');
        expect(verdict.annotation).toContain('matches every endpoint or VPC id');
      },
    );

    describe('allow-lists', () => {
      const vpcArn = (vpc: string) => `arn:aws:ec2:eu-west-1:111122223333:vpc/${vpc}`;
      const verdictFor = (condition: Record<string, unknown>, raw: Record<string, unknown>) =>
        evaluate(
          bucketWith(present({ Statement: [denyOutsideVpce({ Condition: condition })] })),
          raw,
        );

      it('returns NON_COMPLIANT for aws:SourceVpc when only allowedVpceIds is set', async () => {
        // Act
        const verdict = await verdictFor(
          { StringNotEquals: { 'aws:SourceVpc': 'vpc-0ffffffffffffffff' } },
          { allowedVpceIds: VPCE },
        );

        // Assess
        expect(verdict.compliance).toBe('NON_COMPLIANT');
        expect(verdict.annotation).toContain('allowedVpcIds is empty');
      });

      it('returns NON_COMPLIANT when an unlisted VPC is ANDed with the allowed endpoint', async () => {
        // Prepare
        const condition = {
          StringNotEquals: { 'aws:SourceVpce': VPCE, 'aws:SourceVpc': 'vpc-0ffffffffffffffff' },
        };

        // Act
        const onlyEndpoints = await verdictFor(condition, { allowedVpceIds: VPCE });
        const bothLists = await verdictFor(condition, { allowedVpceIds: VPCE, allowedVpcIds: VPC });

        // Assess
        expect(onlyEndpoints.compliance).toBe('NON_COMPLIANT');
        expect(bothLists.compliance).toBe('NON_COMPLIANT');
        expect(bothLists.annotation).toContain('"vpc-0ffffffffffffffff" is not in allowedVpcIds');
      });

      it('returns NON_COMPLIANT for aws:SourceVpce when only allowedVpcIds is set', async () => {
        // Act
        const verdict = await verdictFor(
          { StringNotEquals: { 'aws:SourceVpce': VPCE } },
          { allowedVpcIds: VPC },
        );

        // Assess
        expect(verdict.compliance).toBe('NON_COMPLIANT');
        expect(verdict.annotation).toContain('allowedVpceIds is empty');
      });

      it('checks aws:SourceVpcArn by its VPC id and rejects values that are not VPC ARNs', async () => {
        // Act
        const listed = await verdictFor(
          { ArnNotEquals: { 'aws:SourceVpcArn': vpcArn(VPC) } },
          { allowedVpcIds: VPC },
        );
        const notAVpc = await verdictFor(
          {
            ArnNotEquals: {
              'aws:SourceVpcArn': `arn:aws:ec2:eu-west-1:111122223333:subnet/${VPC}`,
            },
          },
          { allowedVpcIds: VPC },
        );

        // Assess
        expect(listed.compliance).toBe('COMPLIANT');
        expect(notAVpc.compliance).toBe('NON_COMPLIANT');
        expect(notAVpc.annotation).toContain('is not a VPC ARN');
      });

      it('compares without case only for IgnoreCase operators', async () => {
        // Act
        const ignoreCase = await verdictFor(
          { StringNotEqualsIgnoreCase: { 'aws:SourceVpce': VPCE.toUpperCase() } },
          { allowedVpceIds: VPCE },
        );
        const caseSensitive = await verdictFor(
          { StringNotEquals: { 'aws:SourceVpce': VPCE.toUpperCase() } },
          { allowedVpceIds: VPCE },
        );

        // Assess
        expect(ignoreCase.compliance).toBe('COMPLIANT');
        expect(caseSensitive.compliance).toBe('NON_COMPLIANT');
        expect(caseSensitive.annotation).toContain('is not in allowedVpceIds');
      });
    });

    it('rejects invalid allow-list parameters', () => {
      // Act
      const act = () =>
        parseParams(rule.id, rule.parameters, { allowedVpceIds: 'vpc-0f1e2d3c4b5a69788' });

      // Assess
      expect(act).toThrow(/allowedVpceIds has invalid value/);
    });
  });

  describe('properties', () => {
    const principals = fc.constantFrom<unknown>(
      '*',
      { AWS: '*' },
      { AWS: 'arn:aws:iam::111122223333:root' },
      { AWS: ['111122223333', 'arn:aws:iam::444455556666:role/partner'] },
    );
    const actionPatterns = fc.constantFrom<string | string[]>(
      's3:*',
      '*',
      's3:GetObject',
      ['s3:Get*', 's3:Put*'],
      ['s3:List*', 's3:*Policy'],
    );
    const resources = fc.constantFrom<string | string[]>(
      [BUCKET_ARN, `${BUCKET_ARN}/*`],
      BUCKET_ARN,
      `${BUCKET_ARN}/*`,
      'arn:aws:s3:::acme-*',
      '*',
      `${BUCKET_ARN}/private/*`,
    );
    const networkEntries = fc.constantFrom<[string, string, string | string[]]>(
      ['StringNotEquals', 'aws:SourceVpce', VPCE],
      ['StringNotEqualsIfExists', 'aws:sourcevpce', [VPCE, 'vpce-0b2c3d4e5f6789012']],
      ['StringNotLike', 'aws:SourceVpce', 'vpce-*'],
      ['StringEquals', 'aws:SourceVpce', VPCE],
      ['ForAnyValue:StringNotEquals', 'aws:SourceVpce', VPCE],
      ['StringNotEquals', 'aws:SourceVpc', VPC],
      ['StringNotEquals', 'aws:SourceVpc', OTHER_VPC],
      ['StringNotEqualsIfExists', 'aws:SourceVpce', [VPCE, OTHER_VPCE]],
      ['StringNotEqualsIgnoreCase', 'aws:SourceVpce', VPCE.toUpperCase()],
      ['ArnNotLike', 'aws:SourceVpcArn', `arn:aws:ec2:*:111122223333:vpc/${VPC}`],
      ['StringNotLike', 'aws:SourceVpce', '*'],
      ['Null', 'aws:SourceVpce', 'true'],
    );
    const otherEntries = fc.constantFrom<[string, string, string | string[]]>(
      ['ArnNotLike', 'aws:PrincipalArn', 'arn:aws:iam::111122223333:role/BreakGlass'],
      ['StringEquals', 'aws:PrincipalTag/team', 'payments'],
      ['Bool', 'aws:ViaAWSService', 'false'],
      ['Bool', 'aws:SecureTransport', 'false'],
      ['NotIpAddress', 'aws:SourceIp', '203.0.113.0/24'],
    );
    const conditionOf = (entries: [string, string, string | string[]][]) => {
      const condition: Record<string, Record<string, string | string[]>> = {};
      for (const [operator, key, value] of entries) {
        condition[operator] = { ...condition[operator], [key]: value };
      }
      return condition;
    };
    const statement = fc.record({
      Effect: fc.constantFrom('Allow', 'Deny'),
      Principal: principals,
      actions: actionPatterns,
      notAction: fc.boolean(),
      Resource: resources,
      entries: fc.array(fc.oneof(networkEntries, networkEntries, otherEntries), { maxLength: 3 }),
    });
    const toStatement = (s: {
      Effect: string;
      Principal: unknown;
      actions: string | string[];
      notAction: boolean;
      Resource: string | string[];
      entries: [string, string, string | string[]][];
    }) => ({
      Effect: s.Effect,
      Principal: s.Principal,
      ...(s.notAction ? { NotAction: s.actions } : { Action: s.actions }),
      Resource: s.Resource,
      ...(s.entries.length > 0 ? { Condition: conditionOf(s.entries) } : {}),
    });
    const policies = fc.array(statement.map(toStatement), { minLength: 0, maxLength: 4 });
    // Deny statements built from the blocks that can make a policy compliant, so the soundness
    // property sees many COMPLIANT policies instead of skipping most runs.
    // Exemption entries both ways round: carve-outs (ArnNotLike, ViaAWSService "false") and entries
    // that restrict the Deny to a few principals or to AWS-service calls.
    const exemptionEntries = fc.constantFrom<[string, string, string | string[]]>(
      ['ArnNotLike', 'aws:PrincipalArn', BREAK_GLASS],
      ['StringNotEquals', 'aws:PrincipalArn', BREAK_GLASS],
      ['StringEquals', 'aws:PrincipalArn', BREAK_GLASS],
      ['StringNotLike', 'aws:PrincipalArn', '*'],
      ['ArnLike', 'aws:PrincipalArn', 'arn:aws:iam::111122223333:*'],
      ['Bool', 'aws:ViaAWSService', 'false'],
      ['BoolIfExists', 'aws:ViaAWSService', 'false'],
      ['Bool', 'aws:ViaAWSService', 'true'],
    );
    const likelyGuard = fc
      .record({
        Effect: fc.constant('Deny'),
        Principal: fc.constantFrom<unknown>('*', { AWS: '*' }),
        actions: fc.constantFrom<string | string[]>('s3:*', '*', ['s3:Get*', 's3:Put*']),
        notAction: fc.boolean(),
        Resource: resources,
        network: fc.array(networkEntries, { minLength: 1, maxLength: 2 }),
        exemptions: fc.array(exemptionEntries, { maxLength: 2 }),
      })
      .map(({ network, exemptions, ...rest }) =>
        toStatement({ ...rest, entries: [...network, ...exemptions] }),
      );
    const likelyCompliant = fc
      .tuple(fc.array(likelyGuard, { minLength: 1, maxLength: 2 }), policies)
      .map(([guards, rest]) => [...guards, ...rest]);
    const params = fc.record({
      exemptionConditionKeys: fc.constantFrom(
        '',
        'aws:PrincipalArn',
        'aws:PrincipalArn,aws:ViaAWSService',
      ),
      allowedVpceIds: fc.constantFrom('', VPCE),
      allowedVpcIds: fc.constantFrom('', '', VPC),
    });
    const verdictOf = (statements: unknown[], raw: Record<string, unknown>) =>
      evaluate(bucketWith(present({ Version: '2012-10-17', Statement: statements })), raw);

    it('adding an Allow statement never changes the verdict', async () => {
      await fc.assert(
        fc.asyncProperty(policies, statement.map(toStatement), params, async (base, extra, raw) => {
          // Prepare
          const allow = { ...extra, Effect: 'Allow' };

          // Act
          const before = await verdictOf(base, raw);
          const after = await verdictOf([...base, allow], raw);

          // Assess
          expect(after.compliance).toBe(before.compliance);
        }),
        { numRuns: 300 },
      );
    });

    it('adding an ANDed condition key to a Deny never turns NON_COMPLIANT into COMPLIANT', async () => {
      await fc.assert(
        fc.asyncProperty(
          policies,
          fc.nat(),
          fc.oneof(otherEntries, networkEntries),
          params,
          async (base, pick, [operator, key, value], raw) => {
            // Prepare
            const denies = base.flatMap((s, index) => (s.Effect === 'Deny' ? [index] : []));
            fc.pre(denies.length > 0);
            const index = denies[pick % denies.length] ?? 0;
            const target = base[index] as { Condition?: Record<string, Record<string, unknown>> };
            fc.pre(target.Condition?.[operator]?.[key] === undefined);
            const narrowed = {
              ...target,
              Condition: {
                ...target.Condition,
                [operator]: { ...target.Condition?.[operator], [key]: value },
              },
            };
            const after = base.map((s, i) => (i === index ? narrowed : s));

            // Act
            const beforeVerdict = await verdictOf(base, raw);
            const afterVerdict = await verdictOf(after, raw);

            // Assess
            if (beforeVerdict.compliance === 'NON_COMPLIANT') {
              expect(afterVerdict.compliance).toBe('NON_COMPLIANT');
            }
          },
        ),
        { numRuns: 300 },
      );
    });

    it('COMPLIANT means the independent oracle explicitly denies every unexempted outside request', async () => {
      let compliantPolicies = 0;
      let compliantWithExemptions = 0;
      await fc.assert(
        fc.asyncProperty(likelyCompliant, params, async (statements, raw) => {
          // Prepare
          const verdict = await verdictOf(statements, raw);
          fc.pre(verdict.compliance === 'COMPLIANT');
          compliantPolicies += 1;
          if (raw.exemptionConditionKeys !== '') compliantWithExemptions += 1;

          for (const request of mustBeDenied(raw)) {
            // Act
            const decision = oracleDecision(statements, request);

            // Assess
            expect({ request: request.name, decision }).toEqual({
              request: request.name,
              decision: 'explicit-deny',
            });
          }
        }),
        { numRuns: 300, maxSkipsPerRun: 100 },
      );

      // The property must not pass vacuously, with and without exemptions.
      expect(compliantPolicies).toBeGreaterThanOrEqual(300);
      expect(compliantWithExemptions).toBeGreaterThanOrEqual(50);
    }, 60_000);

    it('the oracle lets the allowed endpoint through, so its denials are not blanket', () => {
      // Prepare
      const statements = [
        denyOutsideVpce({
          Condition: {
            StringNotEquals: { 'aws:SourceVpce': VPCE },
            ArnNotLike: { 'aws:PrincipalArn': BREAK_GLASS },
          },
        }),
        { Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `${BUCKET_ARN}/*` },
      ];
      const decide = (network: ConcreteRequest['network'], breakGlass: boolean) =>
        CONCRETE_REQUESTS.filter(
          (r) =>
            r.network === network && r.breakGlass === breakGlass && r.action === 's3:GetObject',
        ).map((r) => oracleDecision(statements, r));

      // Act & Assess
      expect(new Set(decide('internet', false))).toEqual(new Set(['explicit-deny']));
      expect(new Set(decide('foreign-vpce', false))).toEqual(new Set(['explicit-deny']));
      expect(new Set(decide('allowed-vpce', false))).toEqual(new Set(['allow']));
      expect(new Set(decide('internet', true))).toEqual(new Set(['allow']));
    });
  });
});
