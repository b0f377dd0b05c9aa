// serverless-esbuild loads its plugins with a plain require() (osls deep-copies the configuration,
// so plugin objects cannot be passed inline); tsx loads the TypeScript they are written in.
const { require: tsxRequire } = require('tsx/cjs/api');

const { sdkClientsPlugin } = tsxRequire('./sdk-clients.ts', __filename);
const { lambdaBundlePlugins } = tsxRequire('./lambda-bundle.ts', __filename);
const { RULES } = tsxRequire('../rules/index.ts', __filename);

module.exports = [sdkClientsPlugin(RULES), ...lambdaBundlePlugins()];
