import { seededRandom } from '../../samples/gen/frames.js';

/** A small seeded PRNG (the generator's mulberry32), so fuzz and property tests are the same on every run. */
export class Rng {
  private readonly next: () => number;
  constructor(seed: number) {
    this.next = seededRandom(seed);
  }
  /** Uniform 32-bit unsigned integer (seededRandom's draw is a uint32 / 2^32, exactly). */
  u32(): number {
    return this.next() * 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.u32() / 4294967296) * n);
  }
  /** One element of `xs`. */
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }
  /** `n` random bytes. */
  bytes(n: number): Uint8Array {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = this.u32() & 0xff;
    return b;
  }
}
