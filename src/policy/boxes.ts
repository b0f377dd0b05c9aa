/**
 * Sets of requests as unions of boxes. A request space is a product of finite dimensions (the
 * principal, the action, the resource and one per condition key, each split into classes); a box
 * picks a subset of classes in every dimension (a bitset), and a statement of a policy denies or
 * allows exactly one box. Difference and emptiness are exact, so "is every outside request denied"
 * is `subtract(target, denies)` being empty.
 */

type Box = readonly bigint[];

const bit = (index: number): bigint => 1n << BigInt(index);

const full = (size: number): bigint => (1n << BigInt(size)) - 1n;

const isEmpty = (box: Box): boolean => box.some((set) => set === 0n);

const intersect = (a: Box, b: Box): Box => a.map((set, index) => set & (b[index] ?? 0n));

/**
 * `box` minus `cut`, as disjoint boxes: for each dimension in turn, the part outside `cut` there
 * with the earlier dimensions already narrowed to `cut`.
 */
const subtractOne = (box: Box, cut: Box): Box[] => {
  if (isEmpty(intersect(box, cut))) return [box];
  const result: Box[] = [];
  const rest = [...box];
  for (let index = 0; index < rest.length; index += 1) {
    const current = rest[index] as bigint;
    const inCut = cut[index] as bigint;
    const outside = current & ~inCut;
    if (outside !== 0n) {
      const piece = [...rest];
      piece[index] = outside;
      result.push(piece);
    }
    rest[index] = current & inCut;
  }
  return result;
};

/** What of `boxes` no box of `cuts` covers; stops early once `limit` boxes remain uncovered. */
const subtract = (boxes: readonly Box[], cuts: readonly Box[], limit = 10_000): Box[] => {
  let remaining = boxes.filter((box) => !isEmpty(box));
  for (const cut of cuts) {
    if (remaining.length === 0) break;
    remaining = remaining.flatMap((box) => subtractOne(box, cut));
    if (remaining.length > limit) break;
  }
  return remaining;
};

/** The lowest class index in a set (the preferred representative: seeds come first). */
const first = (set: bigint): number => {
  let index = 0;
  let rest = set;
  while (rest !== 0n && (rest & 1n) === 0n) {
    rest >>= 1n;
    index += 1;
  }
  return index;
};

/** Indices of the classes in a set. */
const members = (set: bigint): number[] => {
  const result: number[] = [];
  let rest = set;
  for (let index = 0; rest !== 0n; index += 1, rest >>= 1n) {
    if ((rest & 1n) === 1n) result.push(index);
  }
  return result;
};

export type { Box };
export { bit, first, full, intersect, isEmpty, members, subtract };
