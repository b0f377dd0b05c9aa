import { describe, expect, it } from 'vitest';
import { LruCache } from '../../src/policy/lru.js';

describe('LruCache', () => {
  it('never holds more entries than its limit', () => {
    // Prepare
    const cache = new LruCache<number, number>(100);

    // Act
    for (let key = 0; key < 10_000; key++) cache.set(key, key);

    // Assess
    expect(cache.size).toBeLessThanOrEqual(100);
    expect(cache.get(9_999)).toBe(9_999);
    expect(cache.get(0)).toBeUndefined();
  });

  it('keeps an entry that is read while a sweep of other keys passes through', () => {
    // Prepare
    const cache = new LruCache<string, string>(100);
    cache.set('hot', 'value');

    // Act: ten times the limit of one-off keys, the hot key read every few insertions.
    let lost = 0;
    for (let key = 0; key < 1_000; key++) {
      cache.set(`cold-${key}`, 'x');
      if (key % 10 === 0 && cache.get('hot') === undefined) lost++;
    }

    // Assess
    expect(lost).toBe(0);
    expect(cache.get('hot')).toBe('value');
  });

  it('answers the newest value of a key set twice', () => {
    // Prepare
    const cache = new LruCache<string, number>(4);
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 3);

    // Act
    const value = cache.get('a');

    // Assess
    expect(value).toBe(3);
  });
});
