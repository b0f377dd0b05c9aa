// Module hooks for test/bin/build.test.ts: appends every resolved module URL to the file named by
// VPCE_GUARD_LOAD_LOG, so a test sees what a CLI command really loads.
import { appendFileSync } from 'node:fs';

export const resolve = async (specifier, context, next) => {
  const result = await next(specifier, context);
  appendFileSync(process.env.VPCE_GUARD_LOAD_LOG, `${result.url}\n`);
  return result;
};
