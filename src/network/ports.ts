/**
 * Port ranges as security-group rules and rule parameters write them (`443`, `8000-8100`).
 */

interface PortRange {
  from: number;
  to: number;
}

const PORT_SPEC = /^(\d{1,5})(?:-(\d{1,5}))?$/;

/** Parses `443` or `8000-8100`; `undefined` for anything else or ports beyond 65535. */
const parsePortRange = (text: string): PortRange | undefined => {
  const match = PORT_SPEC.exec(text.trim());
  if (!match) return undefined;
  const from = Number(match[1]);
  const to = match[2] === undefined ? from : Number(match[2]);
  return from <= to && to <= 65535 ? { from, to } : undefined;
};

/** Whether every port of `range` is inside the union of `allowed`. */
const isRangeCovered = (range: PortRange, allowed: readonly PortRange[]): boolean => {
  const sorted = [...allowed].sort((a, b) => a.from - b.from);
  let next = range.from;
  for (const piece of sorted) {
    if (piece.from > next) break;
    if (piece.to >= next) next = piece.to + 1;
    if (next > range.to) return true;
  }
  return next > range.to;
};

const formatPortRange = (range: PortRange): string =>
  range.from === range.to ? `${range.from}` : `${range.from}-${range.to}`;

export type { PortRange };
export { formatPortRange, isRangeCovered, parsePortRange };
