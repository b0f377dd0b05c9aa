import { describe, expect, it } from 'vitest';
import { fitAnnotation, MAX_ANNOTATION_LENGTH } from '../../src/engine/annotation.js';

describe('fitAnnotation', () => {
  it('keeps an annotation that fits', () => {
    // Prepare
    const text = 'Bucket policy has no Deny for requests outside vpce-0abc.';

    // Act
    const fitted = fitAnnotation(text);

    // Assess
    expect(fitted).toBe(text);
  });

  it('keeps an annotation of exactly 256 characters whole', () => {
    // Prepare
    const text = 'x'.repeat(MAX_ANNOTATION_LENGTH);

    // Act
    const fitted = fitAnnotation(text);

    // Assess
    expect(fitted).toBe(text);
  });

  it('cuts a long annotation to 256 characters, keeping its start and marking the cut', () => {
    // Prepare
    const text = `Statement DenyOutsideVpce: ${'allows s3:GetObject without aws:SourceVpce; '.repeat(20)}`;

    // Act
    const fitted = fitAnnotation(text) ?? '';

    // Assess
    expect(fitted.length).toBeLessThanOrEqual(MAX_ANNOTATION_LENGTH);
    expect(fitted.length).toBeGreaterThan(MAX_ANNOTATION_LENGTH - 16);
    expect(fitted.startsWith('Statement DenyOutsideVpce: allows s3:GetObject')).toBe(true);
    expect(fitted.endsWith(' [truncated]')).toBe(true);
  });

  it('never leaves half of a surrogate pair at the cut', () => {
    // Prepare: the emoji straddles the cut point at 244 UTF-16 units.
    const text = `${'a'.repeat(243)}🔒${'b'.repeat(50)}`;

    // Act
    const fitted = fitAnnotation(text) ?? '';

    // Assess
    expect(fitted.length).toBeLessThanOrEqual(MAX_ANNOTATION_LENGTH);
    expect(fitted).toBe(`${'a'.repeat(243)} [truncated]`);
    expect(() => encodeURIComponent(fitted)).not.toThrow();
  });

  it('returns undefined for blank text, so the Annotation key is omitted', () => {
    // Act / Assess
    expect(fitAnnotation('')).toBeUndefined();
    expect(fitAnnotation('   ')).toBeUndefined();
    expect(fitAnnotation(undefined)).toBeUndefined();
  });
});
