/**
 * A bounded cache that keeps what is used: two generations, the young one taking every insertion
 * and every hit found in the old one. When the young generation reaches half the limit it becomes
 * the old one and the previous old one is dropped, so a sweep over more distinct keys than the
 * cache holds keeps its hot entries (each hit moves an entry forward) instead of losing everything
 * at once, and a hit costs one or two Map lookups — no re-insertion on every read as a strict LRU
 * needs, which dominated the analyser's profile.
 */
class LruCache<K, V> {
  private young = new Map<K, V>();
  private old = new Map<K, V>();
  private readonly half: number;

  constructor(limit: number) {
    this.half = Math.max(1, Math.floor(limit / 2));
  }

  get(key: K): V | undefined {
    const value = this.young.get(key);
    if (value !== undefined) return value;
    const aged = this.old.get(key);
    if (aged !== undefined) this.promote(key, aged);
    return aged;
  }

  set(key: K, value: V): void {
    this.promote(key, value);
  }

  private promote(key: K, value: V): void {
    this.young.set(key, value);
    if (this.young.size >= this.half) {
      this.old = this.young;
      this.young = new Map();
    }
  }

  /** Entries held: never more than the limit (young and old may share a key). */
  get size(): number {
    return this.young.size + this.old.size;
  }
}

export { LruCache };
