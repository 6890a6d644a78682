/**
 * A small seeded PRNG (Park–Miller "minimal standard", multiplier 48271):
 * the same seed gives the same sequence. Plain arithmetic, exact in doubles
 * (the product stays below 2^53), and no bit operators (the lint forbids them).
 */
export class Prng {
  private static readonly M = 2147483647;
  private state: number;

  constructor(seed: number) {
    const s = Math.abs(Math.floor(seed)) % Prng.M;
    this.state = s === 0 ? 1 : s;
  }

  /** A number in [0, 1). */
  next(): number {
    this.state = (this.state * 48271) % Prng.M;
    return (this.state - 1) / (Prng.M - 1);
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.min(n - 1, Math.floor(this.next() * n));
  }

  /** `length` characters drawn from `alphabet`. */
  chars(alphabet: string, length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += alphabet[this.int(alphabet.length)];
    return out;
  }
}
