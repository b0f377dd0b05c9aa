import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toYaml } from '../../src/deploy/yaml.js';
import { CAN_PARSE_YAML, parseYamlWithPython } from './tools.js';

describe('toYaml', () => {
  it('writes plain words bare and quotes what YAML would misread', () => {
    const text = toYaml({ a: 'plain', b: 'true', c: '012', d: 'a: b', e: '', f: '#x', g: [] });

    expect(text).toBe('a: plain\nb: "true"\nc: "012"\nd: "a: b"\ne: ""\nf: "#x"\ng: []\n');
  });

  it('puts the header in comments', () => {
    expect(toYaml({ a: 1 }, 'one\ntwo')).toBe('# one\n# two\na: 1\n');
  });

  it.runIf(CAN_PARSE_YAML)('round-trips arbitrary JSON data through an independent parser', () => {
    // Prepare: JSON values CloudFormation templates can hold (no NaN, no -0 distinction).
    const samples = fc.sample(
      fc.dictionary(
        fc.string(),
        fc
          .jsonValue({ maxDepth: 4, noUnicodeString: false })
          .map((v) => JSON.parse(JSON.stringify(v))),
      ),
      { numRuns: 300, seed: 20261128 },
    );

    // Act
    const parsed = parseYamlWithPython(samples.map((sample) => toYaml(sample)));

    // Assess
    expect(parsed).toEqual(samples);
  });
});
