/** A seeded generator (mulberry32): the same seed gives the same account on every machine. */
interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Integer in [min, max]. */
  between(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** `digits` lowercase hex digits. */
  hex(digits: number): string;
}

const createRng = (seed: number): Rng => {
  let state = seed >>> 0;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number): number => Math.floor(next() * n);
  return {
    next,
    int,
    between: (min, max) => min + int(max - min + 1),
    chance: (p) => next() < p,
    pick: (items) => items[int(items.length)] as (typeof items)[number],
    hex: (digits) => {
      let out = '';
      while (out.length < digits) out += int(0x10000).toString(16).padStart(4, '0');
      return out.slice(0, digits);
    },
  };
};

export type { Rng };
export { createRng };
