/** The live AWS source: what the CLI (`scan --live`) and the Lambda handlers import. */
export type {
  AwsClientOptions,
  AwsClients,
  CredentialsOption,
  StaticCredentials,
} from './clients.js';
export { createClients, resolvedRegion } from './clients.js';
export type { ApiCallTally } from './counter.js';
export { ApiCallCounter, countCalls } from './counter.js';
export { iamActionFor } from './iam.js';
export type { LiveViewOptions } from './live-view.js';
export { bucketTagsNeeded, createLiveView, LiveAccountView } from './live-view.js';
