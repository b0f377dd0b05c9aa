import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGGREGATE_READ_ACTIONS, CONFIG_READ_ACTIONS } from '../../src/deploy/report-resources.js';

const SOURCES = join(import.meta.dirname, '../../src/report/sources');

/** Every Config command the report's readers import, as the IAM action it needs. */
const configActionsCalled = async (): Promise<string[]> => {
  const actions = new Set<string>();
  for (const file of await readdir(SOURCES)) {
    const text = await readFile(join(SOURCES, file), 'utf8');
    const block = /import\s*{([^}]*)}\s*from\s*'@aws-sdk\/client-config-service'/.exec(text)?.[1];
    for (const [, name] of (block ?? '').matchAll(/\b(\w+)Command\b/g)) {
      actions.add(`config:${name}`);
    }
  }
  return [...actions].sort();
};

describe('report function role', () => {
  it('grants every Config read the report calls, aggregate reads on the aggregator statement', async () => {
    const called = await configActionsCalled();
    // The coverage reads are among them, so a new read without its grant fails here, not in AWS.
    expect(called).toContain('config:GetAggregateDiscoveredResourceCounts');
    expect(called).toContain('config:GetDiscoveredResourceCounts');
    const granted = new Set<string>([...CONFIG_READ_ACTIONS, ...AGGREGATE_READ_ACTIONS]);
    expect(called.filter((action) => !granted.has(action))).toEqual([]);
    for (const action of called.filter((name) => /Aggregat/.test(name))) {
      expect(AGGREGATE_READ_ACTIONS as readonly string[]).toContain(action);
    }
    // Nothing granted that no reader calls.
    expect([...granted].sort()).toEqual(called);
  });
});
