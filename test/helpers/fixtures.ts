import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ComplianceType } from '../../src/model/compliance.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
const RULE_FIXTURES = join(FIXTURES, 'rules');

const FOLDERS: Record<string, ComplianceType> = {
  compliant: 'COMPLIANT',
  'non-compliant': 'NON_COMPLIANT',
  'not-applicable': 'NOT_APPLICABLE',
};

interface RuleCase {
  ruleId: string;
  file: string;
  expected: ComplianceType;
  description: string;
  params?: Record<string, unknown>;
  resourceId: string;
  annotationIncludes?: string[];
  configurationItems: unknown[];
}

/** Every fixture case of a rule, read from test/fixtures/rules/<rule-id>/<folder>/*.json. */
const ruleCases = (ruleId: string): RuleCase[] => {
  const root = join(RULE_FIXTURES, ruleId);
  if (!existsSync(root)) return [];
  return Object.entries(FOLDERS).flatMap(([folder, expected]) => {
    const dir = join(root, folder);
    if (!existsSync(dir)) return [];
    return readdirSync(dir)
      .filter((name) => name.endsWith('.json'))
      .sort()
      .map((name) => {
        const file = join(dir, name);
        const body = JSON.parse(readFileSync(file, 'utf8')) as Omit<
          RuleCase,
          'ruleId' | 'file' | 'expected'
        >;
        return { ...body, ruleId, file: `${ruleId}/${folder}/${name}`, expected };
      });
  });
};

const readFixture = (relative: string): unknown =>
  JSON.parse(readFileSync(join(FIXTURES, relative), 'utf8'));

export type { RuleCase };
export { FIXTURES, readFixture, ruleCases };
