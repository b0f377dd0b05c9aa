/**
 * Epoch milliseconds of a capture time in any shape AWS tools write it: an ISO string (events,
 * snapshots, CLI v2), a number of epoch seconds (the API's JSON, CLI v1) or milliseconds, a
 * numeric string, or a Date. Seconds and milliseconds are told apart by size: 1e11 seconds is
 * the year 5138, 1e11 milliseconds is 1973. Undefined when it is no time at all.
 */
const EPOCH_SECONDS_LIMIT = 1e11;

const fromNumber = (value: number): number | undefined => {
  if (!Number.isFinite(value)) return undefined;
  const millis = Math.abs(value) < EPOCH_SECONDS_LIMIT ? value * 1000 : value;
  return Number.isNaN(new Date(millis).getTime()) ? undefined : millis;
};

const captureTimeMillis = (value: unknown): number | undefined => {
  if (value instanceof Date) {
    const millis = value.getTime();
    return Number.isNaN(millis) ? undefined : millis;
  }
  if (typeof value === 'number') return fromNumber(value);
  if (typeof value !== 'string' || value.trim() === '') return undefined;
  if (/^\s*-?\d+(\.\d+)?\s*$/.test(value)) return fromNumber(Number(value));
  const millis = Date.parse(value);
  return Number.isNaN(millis) ? undefined : millis;
};

export { captureTimeMillis };
