import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ANNOTATION_LIMIT, firstThatFits, firstThatFitsOf } from '../../src/network/text.js';

describe('firstThatFitsOf', () => {
  it('picks what firstThatFits picks from the same versions, writing none after it', () => {
    const length = fc.integer({ min: 0, max: ANNOTATION_LIMIT * 2 });
    fc.assert(
      fc.property(fc.array(length, { maxLength: 6 }), (lengths) => {
        const versions = lengths.map((size, index) => `${index}`.padEnd(Math.max(size, 1), '.'));
        const written: number[] = [];

        const picked = firstThatFitsOf(
          ...versions.map((text, index) => () => {
            written.push(index);
            return text;
          }),
        );

        expect(picked).toBe(firstThatFits(versions));
        const fitting = versions.findIndex((text) => text.length <= ANNOTATION_LIMIT);
        expect(written.length).toBe(fitting < 0 ? versions.length : fitting + 1);
      }),
      { numRuns: 300 },
    );
  });
});
