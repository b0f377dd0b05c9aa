/**
 * Per-string results remembered for as long as the process runs (a whole scan and more), bounded:
 * past `limit` entries the oldest one makes room, so a long sweep keeps its working set instead of
 * starting over from an emptied cache. Results are shared: callers must not change them.
 */
const memoize = <V>(limit: number, compute: (key: string) => V): ((key: string) => V) => {
  const results = new Map<string, V>();
  return (key: string): V => {
    const known = results.get(key);
    if (known !== undefined || results.has(key)) return known as V;
    const value = compute(key);
    if (results.size >= limit) {
      const oldest = results.keys().next();
      if (!oldest.done) results.delete(oldest.value);
    }
    results.set(key, value);
    return value;
  };
};

export { memoize };
