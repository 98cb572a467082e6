// A small seeded generator (mulberry32): the same seed gives the same inputs, so a failing
// fuzz run is replayed exactly with its printed seed.

export class Prng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    let t = (this.state = (this.state + 0x6d2b79f5) >>> 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)];
  }

  bytes(n: number): Buffer {
    const out = Buffer.alloc(n);
    for (let i = 0; i < n; i++) out[i] = this.int(0, 255);
    return out;
  }

  /** A value that breaks length arithmetic: 0, odd, near the 16/32-bit limits, or random. */
  awkwardLength(): number {
    return this.pick([0, 1, 3, 0xfffe, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff, this.int(0, 0xffffffff)]);
  }
}

/** Returns a copy of `input` with 1–4 random byte-level mutations (flip, set, insert, delete, truncate). */
export function mutateBytes(rng: Prng, input: Buffer, from = 0): Buffer {
  let out = Buffer.from(input);
  const edits = rng.int(1, 4);
  for (let e = 0; e < edits && out.length > from; e++) {
    const at = rng.int(from, out.length - 1);
    switch (rng.int(0, 4)) {
      case 0:
        out[at] ^= 1 << rng.int(0, 7);
        break;
      case 1:
        out[at] = rng.pick([0x00, 0xff, 0x7f, 0x80, rng.int(0, 255)]);
        break;
      case 2:
        out = Buffer.concat([out.subarray(0, at), rng.bytes(rng.int(1, 8)), out.subarray(at)]);
        break;
      case 3:
        out = Buffer.concat([out.subarray(0, at), out.subarray(Math.min(out.length, at + rng.int(1, 8)))]);
        break;
      default:
        out = out.subarray(0, at);
    }
  }
  return out;
}
