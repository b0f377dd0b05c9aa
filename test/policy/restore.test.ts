import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Rename } from '../../src/policy/identifiers.js';
import {
  fill,
  filledLength,
  mentionsPlaceholder,
  planText,
  restoreText,
} from '../../src/policy/restore.js';

// Placeholders of the three kinds the renamer makes: plain Sid and name marks, the bucket's own
// mark, and value tokens that count only where they stand alone.
const PLACEHOLDERS: readonly Rename[] = [
  { placeholder: '__vpce_guard_bucket__', original: '', kind: 'plain' },
  { placeholder: '__vg_sid1__', original: '', kind: 'plain' },
  { placeholder: '__vg_name1__', original: '', kind: 'plain' },
  { placeholder: 'vpce-10000000000000001', original: '', kind: 'token' },
  { placeholder: 'vpce-100000000000000012', original: '', kind: 'token' },
  { placeholder: 'vpc-10000000000000002', original: '', kind: 'token' },
];

const fragment = fc.oneof(
  fc.constantFrom(...PLACEHOLDERS.map((r) => r.placeholder)),
  fc.constantFrom('-', '_', 'x', ' ', ':', '/', '1', 'arn:aws:s3:::', '"'),
  fc.string({ maxLength: 6 }),
);

describe('restore: planned pieces', () => {
  it('fills a planned text exactly as restoreText replaces it, for any originals', () => {
    fc.assert(
      fc.property(
        fc.array(fragment, { maxLength: 14 }).map((parts) => parts.join('')),
        fc.subarray([...PLACEHOLDERS], { minLength: 1 }),
        fc.array(fc.string({ maxLength: 12 }), { minLength: 6, maxLength: 6 }),
        (text, chosen, names) => {
          // Prepare: the plan is made with one policy's renames, filled with another's.
          const first = chosen.map((r, index) => ({ ...r, original: `first-${index}` }));
          const later = chosen.map((r, index) => ({ ...r, original: names[index] as string }));
          const originals = later.map((r) => r.original);

          // Act
          const plan = planText(text, first);

          // Assess
          expect(fill(plan, originals)).toBe(restoreText(text, later));
          expect(filledLength(plan, originals)).toBe(restoreText(text, later).length);
        },
      ),
      { numRuns: 1500 },
    );
  });

  it('puts a value back only where its placeholder stands alone', () => {
    // Prepare
    const renames: Rename[] = [
      { placeholder: 'vpce-10000000000000001', original: 'vpce-0a1b2c3d4e5f67890', kind: 'token' },
    ];
    const text = 'vpce-10000000000000001, xvpce-10000000000000001, vpce-100000000000000019';

    // Act
    const filled = fill(planText(text, renames), ['vpce-0a1b2c3d4e5f67890']);

    // Assess
    expect(filled).toBe('vpce-0a1b2c3d4e5f67890, xvpce-10000000000000001, vpce-100000000000000019');
  });

  it('plans from the start of a text after the shared expression found a placeholder elsewhere', () => {
    // Prepare: one set of placeholders, so one shared global expression.
    const renames: Rename[] = [
      { placeholder: '__vpce_guard_bucket__', original: 'acme-data', kind: 'plain' },
    ];
    const found = mentionsPlaceholder('Bucket __vpce_guard_bucket__ lets requests in.', renames);

    // Act: a shorter text, whose placeholder sits before where the search stopped.
    const plan = planText('arn:aws:s3:::__vpce_guard_bucket__', renames);

    // Assess
    expect(found).toBe(true);
    expect(fill(plan, ['acme-data'])).toBe('arn:aws:s3:::acme-data');
  });
});
