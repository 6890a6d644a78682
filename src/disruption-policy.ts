/**
 * Whether a deployment may disconnect the WorkSpace's user to apply a change.
 *
 * A new compute type reboots the WorkSpace (the Administration Guide, "Modify a WorkSpace"),
 * which disconnects the user in the middle of their work; so does a protocol change. Tags, the
 * running mode, the auto-stop timeout and volume growth disturb no one and are applied at once
 * under every policy.
 */
export enum DisruptionPolicy {
  /**
   * A change that disconnects the user waits, poll by poll, until the user is not connected,
   * within the resource's `timeout`; the changes that disturb no one are applied first. If the
   * user is still connected when the time is up, the deployment fails with a message naming the
   * user and how long they have been connected, having disconnected no one (so the rollback has
   * nothing disruptive to undo). A connection state of UNKNOWN counts as connected, except on a
   * STOPPED WorkSpace (the service reports UNKNOWN for every stopped WorkSpace).
   */
  WAIT_FOR_DISCONNECT = 'WAIT_FOR_DISCONNECT',

  /**
   * Every change is applied as soon as the WorkSpace accepts it, whether or not the user is
   * connected (what CloudFormation's own `AWS::WorkSpaces::Workspace` does).
   */
  IMMEDIATE = 'IMMEDIATE',
}
