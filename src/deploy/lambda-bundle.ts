import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { BuildOptions, Plugin } from 'esbuild';

/**
 * How every Lambda function is bundled (serverless.ts through serverless-config.ts, and the
 * benchmarks, so they measure what ships). A rule function's cold start is mostly the AWS SDK's
 * code: parsing it and building its schema tables at load. These settings and plugins let esbuild
 * keep only the commands, schemas and credential sources the function can use.
 */

/** esbuild options of every function bundle (serverless-esbuild passes them through). */
const LAMBDA_BUNDLE_OPTIONS = {
  bundle: true,
  minify: true,
  sourcemap: false,
  target: 'node20',
  format: 'cjs',
  platform: 'node',
  // The SDK's ES module builds (dist-es) have a file per command that esbuild drops when unused;
  // its CommonJS builds (dist-cjs, `main`) hold every command of a client in one module (EC2: 1 MB).
  mainFields: ['module', 'main'],
} as const satisfies BuildOptions;

const SCHEMA_FILE =
  /[\\/]node_modules[\\/]@aws-sdk[\\/].+[\\/]dist-es[\\/](?:.+[\\/])?schemas[\\/]schemas_\d+\.js$/;
const STRING_CONSTANT = /^const ([\w$]+) = ("(?:[^"\\\n]|\\.)*");$/gm;
const COMPUTED_KEY = /\[([\w$]+)\]:/g;

/**
 * An SDK client's schemas (one array per shape, EC2 has ~3,000) name their member traits with
 * computed keys over file constants (`{ [_xN]: _m }`). esbuild cannot prove such a key free of
 * side effects, so it keeps every schema of the client. Spelling each key out as the string its
 * constant holds (same object, same keys) lets it drop the shapes no bundled command reaches.
 */
const literalSchemaKeys = (source: string): string => {
  const constants = new Map<string, string>();
  for (const [, name, value] of source.matchAll(STRING_CONSTANT)) {
    if (name && value) constants.set(name, value);
  }
  return source.replace(COMPUTED_KEY, (key, name: string) => {
    const value = constants.get(name);
    return value === undefined ? key : `${value}:`;
  });
};

const schemaKeysPlugin = (): Plugin => ({
  name: 'vpce-guard-sdk-schema-keys',
  setup(build) {
    build.onLoad({ filter: SCHEMA_FILE }, async (args) => ({
      contents: literalSchemaKeys(await readFile(args.path, 'utf8')),
      loader: 'js',
    }));
  },
});

/** The project's own code is TypeScript; the SDK ships JavaScript (and is skipped below anyway). */
const PROJECT_SOURCE = /\.[cm]?ts$/;
const IN_NODE_MODULES = /[\\/]node_modules[\\/]/;
const DYNAMIC_IMPORT = /\bawait\s+import\(\s*(['"])([^'"\n]+)\1\s*\)/g;
const DESTRUCTURED_IMPORT =
  /\bconst\s*\{([^{}]*)\}\s*=\s*await\s+import\(\s*(['"])([^'"\n]+)\2\s*\)/g;
const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

/** `a, b: c` of a destructuring pattern as [export, local] pairs; undefined for other shapes. */
const destructuredNames = (pattern: string): [string, string][] | undefined => {
  const pairs = pattern
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean)
    .map((part) => part.split(':').map((name) => name.trim()));
  const valid = pairs.every(
    (names) => names.length <= 2 && names.every((name) => IDENTIFIER.test(name)),
  );
  return valid ? pairs.map(([name = '', local]) => [name, local ?? name]) : undefined;
};

/**
 * `await import(x)` in the project's code as a static import. A function ships as one CommonJS
 * file, so a dynamic import saves no loading: the code is in the file either way. It only makes
 * esbuild wrap the imported module and everything below it in lazily run closures with complete
 * export objects, which keeps every command of a client the module imports (EC2: ~1 MB more).
 * `const { a, b: c } = await import(x)` becomes named imports (esbuild keeps only those); any
 * other form, a namespace import. The imported module now runs when the bundle loads, so the
 * load time includes it.
 */
const staticImports = (source: string): string | undefined => {
  const imports: string[] = [];
  const named = source.replace(
    DESTRUCTURED_IMPORT,
    (call, pattern: string, _quote, specifier: string) => {
      const names = destructuredNames(pattern);
      if (!names) return call;
      const prefix = `__vpceGuardImport${imports.length}_`;
      imports.push(
        `import { ${names.map(([name]) => `${name} as ${prefix}${name}`).join(', ')} } from ${JSON.stringify(specifier)};`,
      );
      return `const { ${names.map(([name, local]) => `${name}: ${local}`).join(', ')} } = { ${names.map(([name]) => `${name}: ${prefix}${name}`).join(', ')} }`;
    },
  );
  const body = named.replace(DYNAMIC_IMPORT, (_call, _quote, specifier: string) => {
    const local = `__vpceGuardImport${imports.length}`;
    imports.push(`import * as ${local} from ${JSON.stringify(specifier)};`);
    return `await Promise.resolve(${local})`;
  });
  return imports.length === 0 ? undefined : `${imports.join('\n')}\n${body}`;
};

const staticImportsPlugin = (): Plugin => ({
  name: 'vpce-guard-static-imports',
  setup(build) {
    build.onLoad({ filter: PROJECT_SOURCE }, async (args) => {
      if (IN_NODE_MODULES.test(args.path)) return undefined;
      const source = await readFile(args.path, 'utf8');
      const contents = staticImports(source);
      if (contents === undefined) return undefined;
      return { contents, loader: 'ts' };
    });
  },
});

const CREDENTIALS_NAMESPACE = 'vpce-guard-lambda-credentials';
const DEFAULT_CHAIN = '@aws-sdk/credential-provider-node';

/**
 * The SDK's default credential chain (profiles, SSO, web identity, processes, IMDS, with their
 * STS/SSO clients) in place of which a function bundles only the environment source: Lambda puts
 * the function role's credentials in AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
 * AWS_SESSION_TOKEN. Member-account roles are assumed with explicit STS calls (src/engine/
 * member-account.ts), which this does not touch.
 */
const ENV_ONLY_CHAIN = `
import { fromEnv } from '@aws-sdk/credential-provider-env';
export const defaultProvider = (init = {}) => fromEnv(init);
export const credentialsWillNeedRefresh = (credentials) => credentials?.expiration !== undefined;
export const credentialsTreatedAsExpired = (credentials) =>
  credentials?.expiration !== undefined && credentials.expiration.getTime() - Date.now() < 300000;
`;

const lambdaCredentialsPlugin = (): Plugin => ({
  name: 'vpce-guard-lambda-credentials',
  setup(build) {
    build.onResolve({ filter: /^@aws-sdk\/credential-provider-node$/ }, async (args) => {
      if (args.pluginData === CREDENTIALS_NAMESPACE) return undefined;
      // The real package's directory, from which its own dependency (the env source) resolves.
      const real = await build.resolve(DEFAULT_CHAIN, {
        kind: args.kind,
        resolveDir: args.resolveDir,
        pluginData: CREDENTIALS_NAMESPACE,
      });
      if (real.errors.length > 0) return { errors: real.errors };
      return { path: real.path, namespace: CREDENTIALS_NAMESPACE };
    });
    build.onLoad({ filter: /.*/, namespace: CREDENTIALS_NAMESPACE }, (args) => ({
      contents: ENV_ONLY_CHAIN,
      loader: 'js',
      resolveDir: dirname(args.path),
    }));
  },
});

/** The plugins every function bundle uses (esbuild-plugins.cjs adds the per-rule client stubs). */
const lambdaBundlePlugins = (): Plugin[] => [
  staticImportsPlugin(),
  schemaKeysPlugin(),
  lambdaCredentialsPlugin(),
];

export { LAMBDA_BUNDLE_OPTIONS, lambdaBundlePlugins, literalSchemaKeys, staticImports };
