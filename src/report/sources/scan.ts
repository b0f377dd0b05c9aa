import { readFile } from 'node:fs/promises';
import { ReportError } from '../../errors.js';
import type { ComplianceType, Counterexample, Evaluation } from '../../model/compliance.js';
import { isRecord } from '../../util/json.js';
import { type ReportEvaluation, UNKNOWN_ACCOUNT, UNKNOWN_REGION } from '../model.js';
import type { SuppressionMark } from '../suppressions.js';

const VERDICTS = new Set(['COMPLIANT', 'NON_COMPLIANT', 'NOT_APPLICABLE']);

interface Location {
  accountId?: string | undefined;
  region?: string | undefined;
}

/** A scan's evaluations (CLI `scan`) as report input; `where` names the account and region. */
const fromEvaluations = (
  evaluations: readonly Evaluation[],
  where: (evaluation: Evaluation) => Location = () => ({}),
): ReportEvaluation[] =>
  evaluations.map((evaluation) => {
    const location = where(evaluation);
    return {
      accountId: location.accountId ?? UNKNOWN_ACCOUNT,
      region: evaluation.region ?? location.region ?? UNKNOWN_REGION,
      ruleId: evaluation.ruleId,
      resourceType: evaluation.resource.type,
      resourceId: evaluation.resource.id,
      complianceType: evaluation.compliance,
      annotation: evaluation.annotation,
      detail: evaluation.detail ?? evaluation.annotation,
      ...(evaluation.counterexample ? { counterexample: evaluation.counterexample } : {}),
      ...(evaluation.unverifiable ? { unverifiable: true } : {}),
    };
  });

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/**
 * Reads the JSON output of `vpce-guard scan --format json` (schemaVersion 1). Optional fields a
 * scan may carry (accountId, detail, counterexample, suppressed) are kept when present.
 */
const fromScanJson = (document: unknown, source: string): ReportEvaluation[] => {
  if (!isRecord(document) || !Array.isArray(document.evaluations)) {
    throw new ReportError(
      `${source} is not the JSON output of vpce-guard scan (expected { "schemaVersion": 1, "evaluations": [...] })`,
    );
  }
  if (document.schemaVersion !== 1) {
    throw new ReportError(
      `${source} has scan schema version ${String(document.schemaVersion)}; this version reads 1`,
    );
  }
  return document.evaluations.map((raw, index): ReportEvaluation => {
    if (
      !isRecord(raw) ||
      !text(raw.ruleId) ||
      !text(raw.resourceType) ||
      !text(raw.resourceId) ||
      !VERDICTS.has(raw.complianceType as string)
    ) {
      throw new ReportError(
        `${source}: evaluation ${index + 1} lacks ruleId, resourceType, resourceId or a complianceType of COMPLIANT, NON_COMPLIANT, NOT_APPLICABLE`,
      );
    }
    const annotation = typeof raw.annotation === 'string' ? raw.annotation : '';
    return {
      accountId: text(raw.accountId) ?? UNKNOWN_ACCOUNT,
      region: text(raw.region) ?? UNKNOWN_REGION,
      ruleId: raw.ruleId as string,
      resourceType: raw.resourceType as string,
      resourceId: raw.resourceId as string,
      complianceType: raw.complianceType as ComplianceType,
      annotation,
      detail: text(raw.detail) ?? annotation,
      ...(isRecord(raw.counterexample)
        ? { counterexample: raw.counterexample as unknown as Counterexample }
        : {}),
      ...(raw.unverifiable === true ? { unverifiable: true } : {}),
      ...(text(raw.evaluatedAt) ? { evaluatedAt: raw.evaluatedAt as string } : {}),
      ...(isRecord(raw.suppressed)
        ? { suppressed: raw.suppressed as unknown as SuppressionMark }
        : {}),
    };
  });
};

/** Reads a JSON file for the report CLI, naming it in every error. */
const readJsonFile = async (path: string, what: string): Promise<unknown> => {
  let content: string;
  try {
    content = await readFile(path, 'utf8');
  } catch (error) {
    throw new ReportError(`cannot read ${what} ${path}: ${(error as Error).message}`, {
      cause: error,
    });
  }
  try {
    return JSON.parse(content);
  } catch (error) {
    throw new ReportError(`${what} ${path} is not valid JSON: ${(error as Error).message}`, {
      cause: error,
    });
  }
};

export { fromEvaluations, fromScanJson, readJsonFile };
