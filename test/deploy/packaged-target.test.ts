import { describe, expect, it } from 'vitest';
import {
  assertPackagedFor,
  packagedTargetOf,
  targetOf,
  withoutTarget,
} from '../../src/deploy/packaged-target.js';
import { DeploymentConfigError } from '../../src/errors.js';

/** What osls writes: the configured default stage, the artifact directory of the real one. */
const state = (stage: string, region: string) => ({
  service: { service: 'vpce-guard', provider: { name: 'aws', stage: 'dev', region } },
  package: {
    individually: true,
    artifactDirectoryName: `serverless/vpce-guard/${stage}/1795962730090-2026-11-29T14:32:10.090Z`,
  },
});

describe('npm run deploy', () => {
  it.each([
    [['--stage', 'prod', '--region', 'eu-west-1'], { stage: 'prod', region: 'eu-west-1' }],
    [['--stage=prod', '--region=eu-west-1'], { stage: 'prod', region: 'eu-west-1' }],
    [['-s', 'prod', '-r', 'eu-west-1', '--verbose'], { stage: 'prod', region: 'eu-west-1' }],
    [['--verbose'], { stage: 'dev', region: 'us-east-1' }],
  ])('reads the target of %j as osls does', (args, target) => {
    expect(targetOf(args)).toEqual(target);
  });

  it('ships the package built for the stage and region it names', () => {
    expect(() =>
      assertPackagedFor(packagedTargetOf(state('prod', 'eu-west-1')), {
        stage: 'prod',
        region: 'eu-west-1',
      }),
    ).not.toThrow();
  });

  it.each([
    [state('dev', 'us-east-1'), /packaged for stage dev in us-east-1, not prod in eu-west-1/],
    [state('staging', 'eu-west-1'), /packaged for stage staging in eu-west-1/],
    [state('prod', 'us-east-1'), /run npm run package -- --stage prod --region eu-west-1/],
  ])('refuses a package built for another stage or region', (packaged, message) => {
    expect(() =>
      assertPackagedFor(packagedTargetOf(packaged), { stage: 'prod', region: 'eu-west-1' }),
    ).toThrow(message);
  });

  it('refuses a package that records no target', () => {
    expect(() => packagedTargetOf({ service: {} })).toThrow(DeploymentConfigError);
  });

  it('passes every other option through to osls', () => {
    expect(
      withoutTarget(['--stage', 'prod', '--verbose', '--region=eu-west-1', '--aws-profile', 'ops']),
    ).toEqual(['--verbose', '--aws-profile', 'ops']);
  });
});
