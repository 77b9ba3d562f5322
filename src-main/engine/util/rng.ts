/**
 * A small seeded pseudo-random generator (mulberry32), so datasets, augmentations and
 * initialisations are reproducible from a run's seed without touching Math.random.
 */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /**
   * A generator that continues exactly where the one whose `position` this was left off (a checkpoint
   * restores the data order and the augmentation stream this way). Not the same as `new Rng(position)`:
   * the constructor maps seed 0 to another state, while 0 is an ordinary position of the stream.
   */
  static at(position: number): Rng {
    const rng = new Rng(1);
    rng.position = position;
    return rng;
  }

  /** The generator's whole state, a 32-bit unsigned integer: what a checkpoint saves to continue the stream. */
  get position(): number {
    return this.state;
  }

  set position(value: number) {
    if (!(Number.isInteger(value) && value >= 0 && value <= 0xffffffff)) {
      throw new RangeError(`Rng: a position is a 32-bit unsigned integer, got ${value}`);
    }
    this.state = value;
  }

  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Uniform in [lo, hi). */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }

  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** True with probability p. */
  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  /** A new 32-bit seed derived from this stream, for child generators. */
  nextSeed(): number {
    return Math.floor(this.next() * 4294967296);
  }

  /** A child generator seeded from this stream. */
  fork(): Rng {
    return new Rng(this.nextSeed());
  }

  /** Fisher–Yates shuffle of [0, n). */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    for (let i = n - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = p[i]!;
      p[i] = p[j]!;
      p[j] = t;
    }
    return p;
  }
}
