import { DeploymentConfigError } from '../errors.js';

/**
 * `npm run deploy` ships the package `npm run package` built, not a fresh one: what was linted and
 * reviewed is what reaches AWS. osls restores a package's state whatever `--stage`/`--region` the
 * deploy names, so a package built for another stage or region would land under the wrong names;
 * this check refuses that before anything is uploaded.
 */

/** osls's own defaults when the command line names neither. */
const DEFAULT_STAGE = 'dev';
const DEFAULT_REGION = 'us-east-1';

interface Target {
  stage: string;
  region: string;
}

/** `--stage S`, `--stage=S`, `-s S` (and the same for region / `-r`). */
const optionOf = (args: readonly string[], long: string, short: string): string | undefined => {
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] ?? '';
    if (arg === `--${long}` || arg === `-${short}`) return args[i + 1];
    if (arg.startsWith(`--${long}=`)) return arg.slice(long.length + 3);
  }
  return undefined;
};

const TARGET_FLAGS = ['--stage', '-s', '--region', '-r'];

/** The command line without its stage and region options (the deploy passes its own). */
const withoutTarget = (args: readonly string[]): string[] =>
  args.filter((arg, i) => {
    const previous = args[i - 1] ?? '';
    const isFlag = TARGET_FLAGS.includes(arg) || /^--(?:stage|region)=/.test(arg);
    return !isFlag && !TARGET_FLAGS.includes(previous);
  });

/** The stage and region a command line targets. */
const targetOf = (args: readonly string[]): Target => ({
  stage: optionOf(args, 'stage', 's') ?? DEFAULT_STAGE,
  region: optionOf(args, 'region', 'r') ?? DEFAULT_REGION,
});

/**
 * The stage and region recorded in a package's `serverless-state.json`. The provider's `stage`
 * there is the configured default, not the `--stage` packaged for; osls builds the artifact
 * directory (`serverless/<service>/<stage>/<time>`) from the real one.
 */
const packagedTargetOf = (state: unknown): Target => {
  const recorded = state as {
    service?: { provider?: { region?: unknown } };
    package?: { artifactDirectoryName?: unknown };
  };
  const directory = recorded?.package?.artifactDirectoryName;
  const stage = typeof directory === 'string' ? directory.split('/')[2] : undefined;
  const region = recorded?.service?.provider?.region;
  if (!stage || typeof region !== 'string') {
    throw new DeploymentConfigError('The package records no stage and region: package again');
  }
  return { stage, region };
};

/** Throws unless the package was built for the stage and region the deploy names. */
const assertPackagedFor = (packaged: Target, wanted: Target): void => {
  if (packaged.stage === wanted.stage && packaged.region === wanted.region) return;
  throw new DeploymentConfigError(
    `.serverless/ was packaged for stage ${packaged.stage} in ${packaged.region}, not ${wanted.stage} in ${wanted.region}: run npm run package -- --stage ${wanted.stage} --region ${wanted.region} first`,
  );
};

export type { Target };
export {
  assertPackagedFor,
  DEFAULT_REGION,
  DEFAULT_STAGE,
  packagedTargetOf,
  targetOf,
  withoutTarget,
};
