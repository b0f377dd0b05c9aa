/**
 * The AWS actions the rule engine itself calls in every rule Lambda (PutEvaluations, the oversized
 * item fallback, the cleanup of stale evaluations). The engine owns the list; the deployment only
 * adds it to every rule's role.
 */
export { ENGINE_IAM_ACTIONS } from '../engine/run-rule.js';
