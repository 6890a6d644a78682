// What one poll of a fleet may spend, and what it hands on to the next poll of the same request.
//
// A poll's cost must follow the fleet and fit its invocation: the per-user reads (DescribeTags,
// one call per WorkSpace) and the steps share one budget of time, each begins only while the
// invocation has time left for it and for the answer, and what does not fit waits for the next
// poll (30 s later). The tags a poll read are remembered in the container for the next poll of
// the same request, with the place where the reads stopped, so that the next poll goes on from
// there instead of starting over.
import type { ResolvedDeps } from '../../core/contract';

/**
 * What a poll spends on per-user reads and steps together, from its first read: a quarter of
 * an hour's deployment of a 1,000-user fleet is then a few polls of two minutes each, well
 * inside the 5-minute Lambda timeout with the observation and the answer.
 */
export const WORK_BUDGET_MS = 120_000;
/** What a poll keeps of its invocation's time for its last calls and its answer. */
export const ANSWER_RESERVE_MS = 60_000;

/** Why a poll stopped reading or stepping: its own budget, or its invocation's remaining time. */
export type Stop = 'budget' | 'deadline';

/**
 * The time a poll may still spend. `check(waitMs)` says whether a call that first waits
 * `waitMs` (a pacer's turn) may begin: undefined when it may, else why not.
 */
export class PollBudget {
  private readonly remainingAtStart: number;
  private readonly startedAt: number;
  /** Why the poll stopped, once it has. */
  public stopped?: Stop;

  constructor(private readonly deps: Pick<ResolvedDeps, 'remainingMs' | 'now'>) {
    this.remainingAtStart = deps.remainingMs();
    this.startedAt = deps.now().getTime();
  }

  /** Whether a call that first waits `waitMs` may begin; remembers why not. */
  public allows(waitMs: number): boolean {
    const remaining = this.deps.remainingMs();
    // The invocation's own deadline first: a poll that began late (a slow observation, the SDK's
    // retries under throttling) stops in time to answer, whatever its budget says.
    if (remaining - waitMs < ANSWER_RESERVE_MS) {
      this.stopped = 'deadline';
      return false;
    }
    // By either clock: outside Lambda (a script, a test) there is no context to run down.
    const spent = Math.max(this.remainingAtStart - remaining, this.deps.now().getTime() - this.startedAt);
    if (spent + waitMs > WORK_BUDGET_MS) {
      this.stopped ??= 'budget';
      return false;
    }
    return true;
  }

  /** The invocation's remaining time, for the log. */
  public remainingMs(): number {
    return this.deps.remainingMs();
  }
}

/** What the polls of one request hand on to each other in a warm container. */
export interface RequestMemory {
  /** Each WorkSpace's tags as a poll of this request read them, until this request changes them. */
  readonly tags: Map<string, Readonly<Record<string, string>>>;
  /** Where the last poll's reads stopped, as an index into the declared users. */
  cursor: number;
}

/**
 * The requests' memories, by stack, resource and request. The event is the same at every poll,
 * so the only place for it is the container: a warm isComplete container (polled every 30 s)
 * keeps it; a new one reads again from the start, which one poll's budget covers for the largest
 * fleet (1,000 reads at 10 a second: 100 s). A WorkSpace's tags change only through tag calls;
 * the ones this request makes forget what was read, and a change made outside the stack during
 * the deployment is what `cdk-workspaces drift` reports.
 */
const memories = new Map<string, RequestMemory>();
const MAX_REMEMBERED_REQUESTS = 20;

export function requestMemory(key: string): RequestMemory {
  let memory = memories.get(key);
  if (memory === undefined) {
    memory = { tags: new Map(), cursor: 0 };
  }
  // Most recently used last: the oldest request is the one forgotten.
  memories.delete(key);
  memories.set(key, memory);
  if (memories.size > MAX_REMEMBERED_REQUESTS) {
    memories.delete(memories.keys().next().value!);
  }
  return memory;
}

/** A request that has answered needs no memory. */
export function forgetRequest(key: string): void {
  memories.delete(key);
}

/** The indexes 0..n-1 starting at `from`, wrapping around. */
export function rotated(n: number, from: number): number[] {
  const start = n === 0 ? 0 : ((from % n) + n) % n;
  return Array.from({ length: n }, (_, i) => (start + i) % n);
}
