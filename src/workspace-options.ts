import { Duration, RemovalPolicy, Size } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import { BundleChange } from './bundle-change';
import { ComputeType } from './compute-type';
import { DisruptionPolicy } from './disruption-policy';
import { Protocol } from './protocol';
import { RunningMode } from './running-mode';

/**
 * The settings that a `Workspace` and every WorkSpace of a `WorkspaceFleet` share: how it runs,
 * its hardware and volumes, their encryption, and how the stack changes and removes it.
 *
 * `WorkspaceProps` and `WorkspaceFleetProps` both extend it. On a fleet, each setting applies to
 * every user's WorkSpace (`WorkspaceFleetUserOptions` overrides some of them for one user).
 */
export interface WorkspaceOptions {
  /**
   * When the WorkSpace runs, and so how it is billed.
   *
   * @default RunningMode.AUTO_STOP
   */
  readonly runningMode?: RunningMode;

  /**
   * How long after the user disconnects an AUTO_STOP WorkSpace stops.
   *
   * Whole hours only, and only with `RunningMode.AUTO_STOP`.
   *
   * @default - 1 hour with AUTO_STOP; none with the other running modes
   */
  readonly autoStopTimeout?: Duration;

  /**
   * The compute type. Changing it is an in-place update.
   *
   * @default - the bundle's compute type
   */
  readonly computeType?: ComputeType;

  /**
   * The size of the root volume (drive C: on Windows).
   *
   * 80 or 100 GiB, or 175 to 2000 GiB. Changing it is an in-place update; the service only
   * grows volumes.
   *
   * @default - the bundle's root volume size
   */
  readonly rootVolumeSize?: Size;

  /**
   * The size of the user volume (drive D: on Windows).
   *
   * 10 or 50 GiB, or 100 to 2000 GiB; at least 100 GiB when the root volume is 175 GiB or
   * more. Changing it is an in-place update.
   *
   * @default - the bundle's user volume size
   */
  readonly userVolumeSize?: Size;

  /**
   * The streaming protocols.
   *
   * @default - the bundle's protocol
   */
  readonly protocols?: Protocol[];

  /**
   * Whether the root volume is encrypted. Chosen only when a WorkSpace is created; changing it
   * replaces a `Workspace`.
   *
   * @default false
   */
  readonly rootVolumeEncrypted?: boolean;

  /**
   * Whether the user volume is encrypted. Chosen only when a WorkSpace is created; changing it
   * replaces a `Workspace`.
   *
   * @default false
   */
  readonly userVolumeEncrypted?: boolean;

  /**
   * The symmetric KMS key that encrypts the volumes. Only with an encrypted volume.
   *
   * The provider's onEvent handler, which calls CreateWorkspaces, is granted `kms:CreateGrant`
   * and `kms:DescribeKey` on this key and nothing else: WorkSpaces creates a grant on the key
   * for the new WorkSpace's volumes, as the caller. (`kms:ListAliases`, which the console also
   * needs, is not used by the API.) The key's policy must let IAM policies of this account
   * grant the key (the default key policy does), or allow those two actions to the handler's
   * role itself; otherwise creating the WorkSpace fails with an access error. Changing the key
   * replaces a `Workspace`.
   *
   * @default - the AWS managed key for WorkSpaces (`aws/workspaces`) when a volume is encrypted
   */
  readonly volumeEncryptionKey?: kms.IKey;

  /**
   * Whether to take over the user's existing WorkSpace in this directory.
   *
   * A user has one WorkSpace per directory, so a create (or a replacement) that finds one
   * fails, naming it, unless this is true. With it, a WorkSpace that no other cdk-workspaces
   * resource manages (one left behind by an earlier lifetime of this construct counts) is
   * taken over when its bundle and volume encryption are the declared ones (otherwise the
   * deployment fails before any change, naming each difference): it is marked as this stack's
   * and brought to the declared properties and tags; tags that others put on it stay. An
   * adopted WorkSpace existed before the stack, so the stack never terminates it: the rollback
   * of the deployment that adopted it, and any later delete, release it (remove the marking and
   * leave it running).
   *
   * @default false
   */
  readonly adoptExisting?: boolean;

  /**
   * What happens to the WorkSpace when it is removed from the stack, or replaced; for a fleet,
   * also to the WorkSpace of a user removed from the fleet.
   *
   * `RemovalPolicy.DESTROY`, `RemovalPolicy.RETAIN` or `RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE`;
   * `SNAPSHOT` is refused, since CloudFormation cannot snapshot a custom resource.
   *
   * A WorkSpace holds a person's data, so by default it outlives the stack and any
   * replacement. The default differs from `RETAIN` in one case only: when the deployment that
   * creates the WorkSpace fails and rolls back, the new WorkSpace (which holds no data yet) is
   * terminated rather than left behind, where it would block the user's next attempt (a user
   * has one WorkSpace per directory). `RETAIN` keeps even that one. `DESTROY` terminates only
   * what the stack created: an adopted WorkSpace is released, never terminated. A fleet keeps
   * the WorkSpace of a removed user under the retaining policies, still marked as the fleet's,
   * so that adding the user back takes it back.
   *
   * @default RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE
   */
  readonly removalPolicy?: RemovalPolicy;

  /**
   * How long a create, update or delete may take before it fails.
   *
   * From 1 to 55 minutes. CloudFormation fails a custom resource one hour after its request
   * (its `ServiceTimeout`, which is set to this timeout plus 5 minutes), and then without the
   * resource's id, so that its rollback could not terminate a new WorkSpace. The 5 minutes let
   * the handler fail first, with its own message and the WorkSpace's id. An update with
   * several steps that takes longer (volumes and a compute type, each taking up to an hour)
   * fails at the timeout with what is left to do; deploying again continues from where the
   * WorkSpace is. A fleet's WorkSpaces are requested within seconds (25 per call) and
   * provisioned by the service in parallel, so a fleet of hundreds takes about as long as one
   * WorkSpace.
   *
   * @default Duration.minutes(55)
   */
  readonly timeout?: Duration;

  /**
   * Whether an update may disconnect the user to apply a change.
   *
   * With `WAIT_FOR_DISCONNECT`, a new compute type or protocol (which disconnect the user) waits
   * until the user is not connected, within `timeout`; tags, the running mode, the auto-stop
   * timeout and volume growth are applied at once. With `IMMEDIATE`, every change is applied
   * at once. A grown volume takes effect at the WorkSpace's next restart; no policy reboots it.
   *
   * @default DisruptionPolicy.WAIT_FOR_DISCONNECT
   */
  readonly disruptionPolicy?: DisruptionPolicy;

  /**
   * What a change of `bundle` does for the same user and directory.
   *
   * With `MIGRATE`, the WorkSpace is migrated to the new bundle (MigrateWorkspace): the root
   * volume comes from the new bundle, the user volume is restored from the last snapshot, and the
   * WorkSpace gets a new id. It starts only when no one is connected and the newest snapshot is
   * newer than the user's last connection; otherwise it waits within `timeout` and then fails,
   * changing nothing. With `REFUSE`, such a change fails before anything changes.
   *
   * @default BundleChange.MIGRATE
   */
  readonly bundleChange?: BundleChange;
}
