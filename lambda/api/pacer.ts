/**
 * The rate at which the handlers send the calls that change a WorkSpace one at a time
 * (ModifyWorkspaceProperties, TerminateWorkspaces, CreateTags, DeleteTags) when a fleet has many
 * to make, in requests per second. The service publishes no per-call limits; this leaves most of
 * an account's observed rate (a few requests per second) to the Describe calls, the console and
 * other tools. A fleet may be told another (`requestsPerSecond`).
 */
export const DEFAULT_REQUESTS_PER_SECOND = 2;

/**
 * Paces calls to a steady rate: each `take()` resolves no sooner than 1/rate seconds after the
 * previous one. A fleet's changes go through one pacer, so that a change for all its users
 * spreads out instead of meeting the account's rate limit all at once; the SDK's adaptive retry
 * remains for what throttling is left (other callers of the same account).
 */
export class Pacer {
  private next = 0;

  constructor(
    readonly requestsPerSecond: number,
    private readonly now: () => number = () => Date.now(),
    private readonly sleep: (ms: number) => Promise<void> = (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
  ) {
    if (!(requestsPerSecond > 0)) {
      throw new Error(`requestsPerSecond must be more than 0 (got ${requestsPerSecond})`);
    }
  }

  /** When the next call may go, in ms from now, without waiting: 0 when at once. */
  delayMs(): number {
    return Math.max(0, this.next - this.now());
  }

  /** Waits for the next call's turn and takes it. */
  async take(): Promise<void> {
    const wait = this.delayMs();
    this.next = Math.max(this.now(), this.next) + 1000 / this.requestsPerSecond;
    if (wait > 0) {
      await this.sleep(wait);
    }
  }
}
