// The wording that every decision and handler shares: durations, and what happens after a failure.

/** "45 seconds", "12 minutes", "2 hours 5 minutes", "3 days 4 hours". */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const unit = (n: number, name: string) => `${n} ${name}${n === 1 ? '' : 's'}`;
  if (s < 60) {
    return unit(s, 'second');
  }
  const minutes = Math.floor(s / 60);
  if (minutes < 60) {
    return unit(minutes, 'minute');
  }
  const hours = Math.floor(minutes / 60);
  if (hours < 24) {
    return minutes % 60 === 0 ? unit(hours, 'hour') : `${unit(hours, 'hour')} ${unit(minutes % 60, 'minute')}`;
  }
  const days = Math.floor(hours / 24);
  return hours % 24 === 0 ? unit(days, 'day') : `${unit(days, 'day')} ${unit(hours % 24, 'hour')}`;
}

/** " The last refusal the service gave: ...", or nothing when none is known. */
export function lastRefusalNote(refusal: string | undefined): string {
  return refusal === undefined ? '' : ` The last refusal the service gave: ${refusal}${/[.!?]$/.test(refusal) ? '' : '.'}`;
}

/**
 * What happens to the WorkSpace after a Create or Update fails, for the message that says so.
 * A new WorkSpace is terminated by the rollback's Delete (the default removal policy,
 * RETAIN_ON_UPDATE_OR_DELETE, and DESTROY both let the rollback delete what the failed request
 * created; only RETAIN keeps it). A WorkSpace changed in place keeps the changes made so far,
 * and the rollback (an Update back to the previous properties) or the next deploy reconciles
 * from there.
 */
export function afterTimeout(newWorkspace: boolean): string {
  return newWorkspace
    ? 'CloudFormation\'s rollback now terminates this new WorkSpace (unless its removal policy is RETAIN or the rollback is '
      + 'disabled: then it stays, and a later deploy takes it over only with adoptExisting).'
    : 'The changes made so far stay on the WorkSpace; the rollback, or the next deploy, continues from its current state.';
}

/** "1 second", "90 seconds". */
export function formatSeconds(seconds: number): string {
  return `${seconds} ${seconds === 1 ? 'second' : 'seconds'}`;
}
