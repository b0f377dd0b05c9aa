import type { Plugin } from 'esbuild';
import type { AnyRule } from '../rules/rule.js';

/**
 * Which AWS SDK clients a rule function bundles. Every function needs Config (the engine's calls),
 * STS (organization mode) and S3 (evidence in the report bucket); EC2 only when the rule's declared
 * IAM actions name the service. A function whose role may not call a service gains nothing from its client but load
 * time (EC2's client alone is ~1 MB of code), so the bundler swaps it for a stub that says why if
 * anything ever reaches it.
 */

/** IAM service prefix → the SDK client package a rule needs for it. */
const OPTIONAL_CLIENTS: Readonly<Record<string, string>> = {
  ec2: '@aws-sdk/client-ec2',
  s3: '@aws-sdk/client-s3',
};

const HANDLER_ENTRY = /(?:^|[/\\])handlers[/\\]rules[/\\]([a-z0-9-]+)\.[cm]?[jt]s$/;

/** Every rule function writes evidence to the report bucket (src/report/evidence-sink.ts). */
const REPORT_BUCKET_CLIENT = '@aws-sdk/client-s3';

/** The optional client packages a rule needs, from the services its IAM actions name. */
const clientPackagesOf = (rule: Pick<AnyRule, 'iamActions'>): string[] => {
  const services = new Set(rule.iamActions.map((action) => action.split(':')[0]));
  const named = Object.entries(OPTIONAL_CLIENTS)
    .filter(([service]) => services.has(service))
    .map(([, name]) => name);
  return [...new Set([...named, REPORT_BUCKET_CLIENT])];
};

/** The optional client packages a rule does not need (stubbed in its bundle). */
const unusedClientPackagesOf = (rule: Pick<AnyRule, 'iamActions'>): string[] => {
  const used = new Set(clientPackagesOf(rule));
  return Object.values(OPTIONAL_CLIENTS).filter((name) => !used.has(name));
};

/** The rule id of a handler entry point (`handlers/rules/<id>.ts`), if it is one. */
const ruleIdOfEntry = (entry: string): string | undefined => HANDLER_ENTRY.exec(entry)?.[1];

const entriesOf = (entryPoints: unknown): string[] => {
  if (Array.isArray(entryPoints)) {
    return entryPoints.map((entry) =>
      typeof entry === 'string' ? entry : String((entry as { in?: unknown }).in ?? ''),
    );
  }
  return entryPoints && typeof entryPoints === 'object' ? Object.values(entryPoints) : [];
};

/**
 * A CommonJS module whose every export throws a clear error when read. Its exports live on the
 * prototype (a Proxy), so esbuild's CommonJS interop finds no own names to copy and each named
 * import resolves through the Proxy at the moment the code uses it, not when the bundle loads.
 */
const stubSource = (packageName: string, ruleId: string): string => `
const message = (name) =>
  ${JSON.stringify(`${packageName} is not bundled into the ${ruleId} function: the rule declares no IAM action of that service. Add the action to the rule's iamActions and package again (tried to use `)} + String(name) + ')';
const missing = new Proxy({}, {
  get(_target, name) {
    if (typeof name !== 'string' || name === '__esModule' || name === 'then') return undefined;
    throw new Error(message(name));
  },
});
module.exports = Object.create(missing);
`;

const STUB_NAMESPACE = 'vpce-guard-unused-sdk-client';

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/** The esbuild plugin: per rule handler build, stubs the SDK clients that rule does not need. */
const sdkClientsPlugin = (rules: readonly Pick<AnyRule, 'id' | 'iamActions'>[]): Plugin => ({
  name: 'vpce-guard-sdk-clients',
  setup(build) {
    // serverless-esbuild runs one build per function (package.individually).
    const ruleIds = entriesOf(build.initialOptions.entryPoints).map(ruleIdOfEntry);
    const rule = ruleIds.length === 1 ? rules.find((r) => r.id === ruleIds[0]) : undefined;
    if (!rule) return;
    const unused = unusedClientPackagesOf(rule);
    if (unused.length === 0) return;
    const filter = new RegExp(`^(?:${unused.map(escapeRegExp).join('|')})$`);
    build.onResolve({ filter }, (args) => ({ path: args.path, namespace: STUB_NAMESPACE }));
    build.onLoad({ filter: /.*/, namespace: STUB_NAMESPACE }, (args) => ({
      contents: stubSource(args.path, rule.id),
      loader: 'js',
    }));
  },
});

export {
  clientPackagesOf,
  OPTIONAL_CLIENTS,
  ruleIdOfEntry,
  sdkClientsPlugin,
  unusedClientPackagesOf,
};
