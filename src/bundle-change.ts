/**
 * What a deployment does when a WorkSpace's bundle changes for the same user and directory.
 *
 * A user has one WorkSpace per directory, so a new bundle cannot be a new WorkSpace next to the
 * old one. The service can migrate a WorkSpace to another bundle (MigrateWorkspace): the root
 * volume is rebuilt from the new bundle's image, the user volume is restored from the WorkSpace's
 * last snapshot, tags and the running mode carry over, and the WorkSpace gets a new id, computer
 * name and IP address. See "Changing bundles" in the README for what is kept and what is not.
 */
export enum BundleChange {
  /**
   * The WorkSpace is migrated in place to the new bundle, and the resource follows its new id.
   *
   * The migration starts only when no one is connected and the WorkSpace's newest snapshot is
   * newer than the user's last connection, so nothing the user wrote is lost; otherwise it waits
   * within the resource's `timeout` (the service takes a snapshot about every 12 hours) and then
   * fails, changing nothing, with the time of the last snapshot. A pair of bundles the service
   * does not migrate (the same bundle, Windows 11 to Windows 10, Windows to Linux, a Windows 7
   * target) fails within seconds, before anything changes. A rollback never migrates back: the
   * WorkSpace stays on the new bundle, with the user's data, and the rollback reports it.
   */
  MIGRATE = 'MIGRATE',

  /**
   * A bundle change for the same user and directory fails before anything changes, saying what
   * to do (the behaviour of earlier versions of this library).
   */
  REFUSE = 'REFUSE',
}
