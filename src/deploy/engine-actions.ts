/**
 * The AWS actions the rule engine itself calls in every rule Lambda (PutEvaluations, the oversized
 * item fallback and the cleanup of stale evaluations).
 *
 * TEMPORARY: src/engine will export ENGINE_IAM_ACTIONS; until it does, this copy stands in. Replace
 * the constant with a re-export (`export { ENGINE_IAM_ACTIONS } from '../engine/index.js'`) once it
 * lands so there is one source of truth.
 */
const ENGINE_IAM_ACTIONS: readonly string[] = [
  'config:PutEvaluations',
  'config:GetResourceConfigHistory',
  'config:GetComplianceDetailsByConfigRule',
];

export { ENGINE_IAM_ACTIONS };
