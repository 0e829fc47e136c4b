// The one seeded random generator (mulberry32): tiny, fast and the same on every machine, so the fixture
// model weights and the bootstrap intervals are reproducible bit for bit. Not for anything secret.

/** A generator of uniform numbers in [0, 1), deterministic for a given 32-bit seed. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
