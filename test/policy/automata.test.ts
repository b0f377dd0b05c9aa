/* biome-ignore-all lint/suspicious/noTemplateCurlyInString: IAM policy variables and escapes are the subject here. */

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  atoms,
  compile,
  literalHead,
  matches,
  matchText,
  type Pattern,
  startsLike,
} from '../../src/policy/automata.js';
import { type Box, subtract } from '../../src/policy/boxes.js';

const patterns = (...specs: [string, 'literal' | 'glob' | 'arn', boolean?][]): Pattern[] =>
  specs.map(([text, mode, ignoreCase]) => compile(text, mode, ignoreCase) as Pattern);

const signature = (ps: readonly Pattern[], value: string) =>
  ps.map((p) =>
    matchText(
      p.source.split(':').slice(2).join(':'),
      value,
      p.source.split(':')[0] as 'glob',
      p.source.split(':')[1] === 'i',
    ),
  );

describe('matchText', () => {
  it('follows the documented case rules and wildcards', () => {
    expect(matchText('vpce-0a*', 'vpce-0a1', 'glob')).toBe(true);
    expect(matchText('vpce-0a*', 'VPCE-0A1', 'glob')).toBe(false);
    expect(matchText('VPCE-0A1', 'vpce-0a1', 'literal', true)).toBe(true);
    expect(matchText('vpce-*', 'vpce-*', 'literal')).toBe(true);
    expect(matchText('vpce-*', 'vpce-1', 'literal')).toBe(false);
    expect(matchText('a${*}b', 'a*b', 'glob')).toBe(true);
    expect(matchText('a${*}b', 'axb', 'glob')).toBe(false);
  });

  it('matches ARN patterns component by component', () => {
    expect(matchText('arn:aws:iam::*:role/x', 'arn:aws:iam::111122223333:role/x', 'arn')).toBe(
      true,
    );
    // A star before the sixth component never spans a colon.
    expect(matchText('arn:aws:iam::*:role/x', 'arn:aws:iam::1:2:role/x', 'arn')).toBe(false);
    expect(matchText('arn:aws:iam::1:*', 'arn:aws:iam::1:role/a:b', 'arn')).toBe(true);
    expect(matchText('arn:aws:iam', 'arn:aws:iam', 'arn')).toBe(false);
  });
});

describe('atoms', () => {
  it('finds one value for every Boolean combination of the patterns, and no more', () => {
    // Prepare
    const ps = patterns(
      ['vpce-0a*', 'glob'],
      ['*f*', 'glob'],
      ['vpce-0a1', 'literal'],
      ['VPCE-0A1', 'literal', true],
    );

    // Act
    const found = atoms(ps, []);

    // Assess
    const signatures = found.values.map((value) => JSON.stringify(signature(ps, value)));
    expect(new Set(signatures).size).toBe(found.values.length);
    expect(found.complete).toBe(true);
    // matches vpce-0a* and *f* but neither literal: e.g. vpce-0af
    expect(signatures).toContain(JSON.stringify([true, true, false, false]));
    // the exact lower-case id matches the literal and the IgnoreCase literal
    expect(signatures).toContain(JSON.stringify([true, false, true, true]));
    // upper-case variant: only the IgnoreCase literal
    expect(signatures).toContain(JSON.stringify([false, false, false, true]));
  });

  it('keeps seeds as the representatives of their classes', () => {
    const found = atoms(patterns(['vpce-0a*', 'glob']), [], ['vpce-1a2b3c4d5e6f70000']);
    expect(found.values).toContain('vpce-1a2b3c4d5e6f70000');
  });

  it('searches lower-case values only when asked', () => {
    const ps = patterns(['VPCE-1', 'literal', true], ['vpce-1', 'literal']);
    const found = atoms(ps, [], [], undefined, true);
    expect(found.values.every((value) => value === value.toLowerCase())).toBe(true);
  });
});

describe('subtract', () => {
  it('leaves exactly the part of a box no cut covers', () => {
    const whole: Box = [0b111n, 0b11n];
    const left = subtract(
      [whole],
      [
        [0b011n, 0b11n],
        [0b100n, 0b01n],
      ],
    );
    expect(left).toEqual([[0b100n, 0b10n]]);
    expect(subtract([whole], [[0b111n, 0b11n]])).toEqual([]);
  });
});

describe('literalHead and startsLike', () => {
  it('never turn away a value the pattern matches', () => {
    // Prepare: patterns and values over a small alphabet with case pairs and the characters
    // that fold to ASCII under case-insensitive Unicode matching (Kelvin sign, long s).
    const alphabet = fc.constantFrom(
      'a',
      'A',
      'k',
      'K',
      's',
      'S',
      '\u212a',
      '\u017f',
      ':',
      '-',
      '1',
      'é',
      'É',
    );
    const text = fc.array(alphabet, { maxLength: 8 }).map((chars) => chars.join(''));
    const pattern = fc.array(fc.oneof(alphabet, fc.constantFrom('*', '?')), { maxLength: 8 });
    fc.assert(
      fc.property(
        pattern.map((chars) => chars.join('')),
        text,
        fc.constantFrom('glob', 'arn', 'literal') as fc.Arbitrary<'glob' | 'arn' | 'literal'>,
        fc.boolean(),
        (source, value, mode, ignoreCase) => {
          const compiled = compile(
            mode === 'arn' ? `arn:${source}:s3:::x` : source,
            mode,
            ignoreCase,
          );
          if (compiled === undefined) return;
          const head = literalHead(compiled);
          const candidate = mode === 'arn' ? `arn:${value}:s3:::x` : value;

          // Act
          const may = startsLike(head, compiled.ignoreCase, candidate);

          // Assess
          if (!may) expect(matches(compiled, candidate)).toBe(false);
        },
      ),
      { numRuns: 3000 },
    );
  });

  it('turn away values whose start differs from the literal head', () => {
    // Prepare
    const pattern = compile('arn:aws:iam::111122223333:role/*', 'arn', false) as Pattern;
    const folded = compile('VPCE-0A*', 'glob', true) as Pattern;

    // Act + Assess
    expect(literalHead(pattern)).toBe('arn:aws:iam::111122223333:role/');
    expect(startsLike(literalHead(pattern), false, 'vpce-0a1b2c3d4e5f67890')).toBe(false);
    expect(literalHead(folded)).toBe('vpce-0a');
    expect(startsLike(literalHead(folded), true, 'VPCE-0a1')).toBe(true);
    expect(startsLike(literalHead(folded), true, 'vpce-0b1')).toBe(false);
  });
});
