import type { Leg } from './service-path.js';

/** Merging the legs of one service path that name the same route and kind. */

/**
 * Collapses legs that name the same route and kind, keeping the first order. The legs are the
 * caller's own fresh ones: the first of each kept one takes the others' facts in place.
 */
const distinctLegs = (legs: Leg[]): Leg[] => {
  if (legs.length < 2) return legs;
  // A path has a handful of legs: compare them in place. Only a `|` inside a destination or
  // target id could make two different legs spell one key; such legs take the keyed way.
  if (legs.length > 16 || legs.some(spellsSeparator)) return distinctLegsByKey(legs);
  const kept: Leg[] = [];
  for (const leg of legs) {
    const known = kept.find(
      (other) =>
        other.kind === leg.kind &&
        other.destination === leg.destination &&
        (other.route?.target.id ?? '') === (leg.route?.target.id ?? ''),
    );
    if (known) mergeLeg(known, leg);
    else kept.push(leg);
  }
  return kept;
};

const spellsSeparator = (leg: Leg): boolean =>
  leg.destination.includes('|') || (leg.route?.target.id.includes('|') ?? false);

/** `known` takes the facts of `leg`, a leg of the same route and kind. */
const mergeLeg = (known: Leg, leg: Leg): void => {
  known.alsoPossible = [...new Set([...known.alsoPossible, ...leg.alsoPossible])];
  // Merged legs are NAT64-only, or tie with the endpoint, only if every part is.
  known.nat64 = known.nat64 === true && leg.nat64 === true;
  if (known.versusEndpoint !== leg.versusEndpoint) {
    known.versusEndpoint =
      known.versusEndpoint === 'outranks' || leg.versusEndpoint === 'outranks'
        ? 'outranks'
        : (known.versusEndpoint ?? leg.versusEndpoint);
  }
};

const distinctLegsByKey = (legs: Leg[]): Leg[] => {
  const seen = new Map<string, Leg>();
  for (const leg of legs) {
    const key = `${leg.kind}|${leg.destination}|${leg.route?.target.id ?? ''}`;
    const known = seen.get(key);
    if (known) mergeLeg(known, leg);
    else seen.set(key, leg);
  }
  return [...seen.values()];
};

export { distinctLegs };
