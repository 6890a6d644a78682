/**
 * When a WorkSpace runs, and so how it is billed.
 */
export enum RunningMode {
  /**
   * Billed by the hour; the WorkSpace stops after the user has been disconnected for the
   * auto-stop timeout and starts again when the user connects.
   */
  AUTO_STOP = 'AUTO_STOP',

  /**
   * Billed by the month; the WorkSpace keeps running.
   */
  ALWAYS_ON = 'ALWAYS_ON',

  /**
   * Billed by the hour; the WorkSpace is started and stopped by an administrator or by the
   * user, never automatically.
   */
  MANUAL = 'MANUAL',
}
