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

/**
 * When each user was last seen connected by a poll of this container (by WorkSpace id), for a
 * migration: the service's LastKnownUserConnectionTimestamp says when a session began, and a user
 * seen connected later may have written after any snapshot older than that sighting. A new
 * container has none, and the service's timestamp alone decides (a migration never starts while
 * the user is connected, whatever this map holds).
 */
const lastSeenConnected = new Map<string, Date>();
const MAX_REMEMBERED_SIGHTINGS = 1000;

/** The later of the service's last connection and this container's last sighting of the user connected, noting a sighting now. */
export function lastConnectionSeen(workspaceId: string, state: string | undefined, serviceTimestamp: Date | undefined, now: Date): Date | undefined {
  if (state === 'CONNECTED') {
    lastSeenConnected.delete(workspaceId);
    lastSeenConnected.set(workspaceId, now);
    if (lastSeenConnected.size > MAX_REMEMBERED_SIGHTINGS) {
      lastSeenConnected.delete(lastSeenConnected.keys().next().value!);
    }
  }
  const seen = lastSeenConnected.get(workspaceId);
  return seen === undefined || (serviceTimestamp !== undefined && serviceTimestamp > seen) ? serviceTimestamp : seen;
}
