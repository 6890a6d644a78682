// The refusals the service gave, remembered per container for the message of a later timeout.

/**
 * The last refusal the service gave each request (by stack, resource, request and WorkSpace),
 * for the message of a later timeout. The event is the same at every poll and a WorkSpace's
 * tags are the user's, so the only place for it is the container: a warm isComplete container
 * (polled every 30 seconds) keeps it; a new one has none, and the message then has none. No
 * decision depends on it: a refusal that persists is recognised within the poll that got it.
 */
export const lastRefusals = new Map<string, string>();
const MAX_REMEMBERED_REFUSALS = 100;

export function rememberRefusal(key: string, refusal: string): void {
  lastRefusals.delete(key);
  lastRefusals.set(key, refusal);
  if (lastRefusals.size > MAX_REMEMBERED_REFUSALS) {
    lastRefusals.delete(lastRefusals.keys().next().value!);
  }
}
