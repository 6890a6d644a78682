// The physical id of a Custom::WorkspaceLookup, which the handler writes and `cdk-workspaces
// drift` reads back from CloudFormation: the WorkSpace found, and the directory and user it was
// found for (so that an Update can tell whether it goes back to what the stack already holds).

/** What a lookup's physical id says. */
export interface LookupId {
  readonly workspaceId: string;
  /** Absent in an id of an earlier version, which is the WorkSpace's id alone. */
  readonly directoryId?: string;
  readonly userName?: string;
}

const LOOKUP_ID = /^(ws-[0-9a-z]{8,63})(?::(d-[0-9a-f]{8,63}):(.+))?$/;

export function formatLookupId(workspaceId: string, directoryId: string, userName: string): string {
  return `${workspaceId}:${directoryId}:${userName}`;
}

/** undefined for an id that names no WorkSpace (a Create that failed). */
export function parseLookupId(physicalResourceId: string): LookupId | undefined {
  const m = LOOKUP_ID.exec(physicalResourceId);
  if (m === null) {
    return undefined;
  }
  return m[2] === undefined ? { workspaceId: m[1] } : { workspaceId: m[1], directoryId: m[2], userName: m[3] };
}
