/** PutEvaluations rejects annotations outside 1..256 characters (aws-config-contract.md §2). */
const MAX_ANNOTATION_LENGTH = 256;
const TRUNCATION_MARKER = ' [truncated]';

/**
 * Fits an annotation to Config's limit, keeping the start (rules lead with what is wrong). Returns
 * `undefined` for blank text because an empty `Annotation` fails validation: the key is omitted.
 */
const fitAnnotation = (text: string | undefined): string | undefined => {
  const trimmed = text?.trim() ?? '';
  if (trimmed === '') return undefined;
  if (trimmed.length <= MAX_ANNOTATION_LENGTH) return trimmed;
  let cut = MAX_ANNOTATION_LENGTH - TRUNCATION_MARKER.length;
  // Config counts UTF-16 units; never leave half a surrogate pair at the cut.
  const last = trimmed.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return `${trimmed.slice(0, cut).trimEnd()}${TRUNCATION_MARKER}`;
};

export { fitAnnotation, MAX_ANNOTATION_LENGTH };
