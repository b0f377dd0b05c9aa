import { describe, expect, it } from 'vitest';
import type { VpcEndpointService } from '../../src/model/resources.js';
import { endpointServiceAcceptanceRequired as rule } from '../../src/rules/endpoint-service-acceptance-required.js';
import { parseParams } from '../../src/rules/params.js';
import { SnapshotView } from '../../src/sources/snapshot.js';
import { endpointService } from '../network/model-builders.js';

const evaluate = (target: VpcEndpointService) =>
  rule.evaluate(
    target,
    SnapshotView.fromResources([target]),
    parseParams(rule.id, rule.parameters, {}),
  );

describe('endpoint-service-acceptance-required', () => {
  it('returns COMPLIANT when acceptance is required and principals are named accounts', async () => {
    // Act
    const verdict = await evaluate(
      endpointService('vpce-svc-1', { allowedPrincipals: ['arn:aws:iam::111122223333:root'] }),
    );

    // Assess
    expect(verdict.compliance).toBe('COMPLIANT');
    expect(verdict.annotation).toContain('1 principal(s), none a wildcard');
  });

  it('returns NON_COMPLIANT when acceptance is off', async () => {
    // Act
    const verdict = await evaluate(endpointService('vpce-svc-1', { acceptanceRequired: false }));

    // Assess
    expect(verdict.compliance).toBe('NON_COMPLIANT');
    expect(verdict.annotation).toContain('acceptance not required');
  });

  it('returns NON_COMPLIANT when the principals include *', async () => {
    // Act
    const verdict = await evaluate(
      endpointService('vpce-svc-1', { allowedPrincipals: ['arn:aws:iam::111122223333:root', '*'] }),
    );

    // Assess
    expect(verdict.compliance).toBe('NON_COMPLIANT');
    expect(verdict.annotation).toContain('allows principal *');
  });

  it('names both problems when acceptance is off and * is allowed', async () => {
    // Act
    const verdict = await evaluate(
      endpointService('vpce-svc-1', { acceptanceRequired: false, allowedPrincipals: ['*'] }),
    );

    // Assess
    expect(verdict.annotation).toMatch(/acceptance not required\) and allows principal \*/);
  });

  it('reads the allowed principals through the view when the Config item lacks them', async () => {
    // Prepare: the event's copy (as Config records it) has no principals; EC2 knows them.
    const recorded = endpointService('vpce-svc-1', { allowedPrincipals: undefined });
    const live = endpointService('vpce-svc-1', { allowedPrincipals: ['*'] });

    // Act
    const verdict = await rule.evaluate(
      recorded,
      SnapshotView.fromResources([live]),
      parseParams(rule.id, rule.parameters, {}),
    );

    // Assess
    expect(verdict.compliance).toBe('NON_COMPLIANT');
    expect(verdict.annotation).toContain('allows principal *');
  });

  it('never calls a service compliant when nobody can say who may connect', async () => {
    // Act
    const unknown = await evaluate(endpointService('vpce-svc-1', { allowedPrincipals: undefined }));
    const autoAccept = await evaluate(
      endpointService('vpce-svc-1', { allowedPrincipals: undefined, acceptanceRequired: false }),
    );

    // Assess
    expect(unknown).toMatchObject({ compliance: 'NON_COMPLIANT', unverifiable: true });
    expect(unknown.annotation).toMatch(/^Could not verify who may connect to vpce-svc-1/);
    expect(autoAccept.compliance).toBe('NON_COMPLIANT');
    expect(autoAccept.unverifiable).toBeUndefined();
    expect(autoAccept.annotation).toContain('its allowed principals could not be read');
  });

  it('returns NOT_APPLICABLE for a deleted service', async () => {
    // Act
    const verdict = await evaluate(
      endpointService('vpce-svc-1', { state: 'Deleted', acceptanceRequired: false }),
    );

    // Assess
    expect(verdict.compliance).toBe('NOT_APPLICABLE');
  });

  it('declares no dependents: only a changed service itself is evaluated again', () => {
    // Assess
    expect(rule.triggerTypes).toEqual([]);
    expect(rule.dependents).toBeUndefined();
  });
});
