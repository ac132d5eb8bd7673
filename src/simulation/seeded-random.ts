/**
 * Deterministic randomness for the simulator: mulberry32 (Tommy Ettinger's 32-bit generator, public
 * domain; small, fast and well studied for simulation use) seeded from the run's seed and a label, so
 * each part of the market draws from its own stream and the same seed always gives the same market.
 */

/** FNV-1a over the text: turns a seed and labels into a 32-bit seed for one stream. */
export function streamSeed(seed: number, ...labels: readonly (string | number)[]): number {
  const text = [seed, ...labels].join(":");
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A stream of its own for `labels` under `seed`. */
  static stream(seed: number, ...labels: readonly (string | number)[]): SeededRandom {
    return new SeededRandom(streamSeed(seed, ...labels));
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  between(min: number, max: number): number {
    return min + (max - min) * this.next();
  }

  /** An integer in [min, max], both included. */
  integer(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** Standard normal (Box–Muller). */
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  logNormal(mu: number, sigma: number): number {
    return Math.exp(mu + sigma * this.normal());
  }

  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** Poisson-distributed count (Knuth's method; fine for the small means used here). */
  poisson(mean: number): number {
    const limit = Math.exp(-mean);
    let count = 0;
    let product = this.next();
    while (product > limit) {
      count++;
      product *= this.next();
    }
    return count;
  }

  /** `count` distinct items of `items`, in a random order (partial Fisher–Yates). */
  sample<T>(items: readonly T[], count: number): T[] {
    const pool = [...items];
    const taken = Math.min(count, pool.length);
    for (let index = 0; index < taken; index++) {
      const swap = index + Math.floor(this.next() * (pool.length - index));
      [pool[index], pool[swap]] = [pool[swap] as T, pool[index] as T];
    }
    return pool.slice(0, taken);
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.next() * items.length)];
    if (item === undefined) throw new Error("pick from an empty list");
    return item;
  }
}
