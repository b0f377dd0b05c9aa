#!/usr/bin/env node
// Runs the compiled CLI (dist/, built by `npm ci` through the `prepare` script): no TypeScript
// loader at run time, and the AWS SDK is loaded only by `scan --live`.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
let cli;
try {
  cli = await import('../dist/cli/main.js');
} catch (error) {
  if (
    error?.code !== 'ERR_MODULE_NOT_FOUND' ||
    !String(error.message).includes('dist/cli/main.js')
  ) {
    throw error;
  }
  process.stderr.write(
    'vpce-guard: the compiled CLI is missing (dist/cli/main.js). Run `npm run build` (npm ci does it for you).\n',
  );
  process.exit(2);
}
process.exitCode = await cli.main(process.argv.slice(2));
