// Custom::Workspace, onEvent: Create requests a WorkSpace (or takes the one an earlier attempt
// of the same request asked for), an Update that needs a new WorkSpace does the same, Delete
// requests termination; an in-place Update does nothing here, since isComplete reconciles.
import { createOrAdopt } from './create';
import { startDelete } from './delete';
import { followMigration, onlyBundleChanges } from './migration';
import { changesBundle, hasImmutableSettings, needsNewWorkspace, resolvedDesired, sameUserReplacementMessage } from './replacement';
import { OnEventResult, requirePhysicalResourceId, ResolvedDeps, WorkspaceResourceEvent } from '../../core/contract';
import { readerOf } from '../../core/ownership';
import { parseProperties, replacementChanges } from '../../parse';
import { migrationPreflight } from '../../preflight';

/** onEvent of a Custom::Workspace: starts the request and returns the WorkSpace id. */
export async function workspaceOnEvent(event: WorkspaceResourceEvent, resolved: ResolvedDeps, startedAt: string): Promise<OnEventResult> {
  const { api, log } = resolved;
  let physicalResourceId: string;
  switch (event.RequestType) {
    case 'Create': {
      const desired = parseProperties(event.ResourceProperties);
      physicalResourceId = await createOrAdopt(resolved, desired, readerOf(event));
      break;
    }
    case 'Update': {
      let current = requirePhysicalResourceId(event);
      const desired = parseProperties(event.ResourceProperties);
      const changes = replacementChanges(desired, event.OldResourceProperties);
      // Without a change of what only a new WorkSpace has, isComplete does the rest (and follows a
      // migrated WorkSpace); a change of user or directory looks up the user's WorkSpace itself.
      const inPlaceChange = changes.length > 0 && !needsNewWorkspace(changes);
      let workspace = inPlaceChange ? await api.describe(current) : undefined;
      if (inPlaceChange && (workspace === undefined || workspace.State === 'TERMINATED' || workspace.State === 'TERMINATING')) {
        // The WorkSpace may have been migrated: the rollback of the request that migrated it, or
        // the first request after a rollback that kept the migrated WorkSpace.
        const followed = await followMigration(resolved, event, desired, current);
        if (followed.rolledBack) {
          physicalResourceId = current;
          break;
        }
        if (followed.workspace !== undefined) {
          current = followed.workspace.WorkspaceId!;
          workspace = followed.workspace;
        }
      }
      if (changes.length === 0) {
        physicalResourceId = current;
        log(`Update of ${current} is in place; isComplete applies the changes`);
        break;
      }
      if (!needsNewWorkspace(changes)) {
        // The same user in the same directory cannot get a second WorkSpace. But this may be
        // CloudFormation rolling back a refused change (an Update with the old and the new
        // properties swapped): then the WorkSpace already is what the template asks for, and
        // the update is in place. isComplete decides the same way (needsNewWorkspace). A
        // bundle named by name is compared by the id it names now.
        const withBundle = workspace !== undefined && changesBundle(changes) ? await resolvedDesired(api, desired) : desired;
        if (workspace !== undefined && hasImmutableSettings(workspace, withBundle)) {
          physicalResourceId = current;
          log(`Update of ${current} is in place: the WorkSpace already has the ${changes.join(', ')} asked for `
            + '(a rollback to what it is); isComplete applies the other changes');
          break;
        }
        if (workspace !== undefined && desired.bundleChange === 'MIGRATE' && onlyBundleChanges(changes)) {
          // Before anything changes: the bundle exists, fits, and is one the service migrates to.
          const target = await migrationPreflight(api, workspace, desired);
          physicalResourceId = current;
          log(`Update of ${current} changes the bundle to ${target.BundleId}: isComplete migrates the WorkSpace once no one is `
            + 'connected and its newest snapshot is newer than the user\'s last connection');
          break;
        }
        throw new Error(sameUserReplacementMessage(current, desired, changes));
      }
      log(`Update of ${current} needs a new WorkSpace (${changes.join(', ')} changed)`);
      physicalResourceId = await createOrAdopt(resolved, desired, readerOf(event), current);
      break;
    }
    case 'Delete': {
      physicalResourceId = requirePhysicalResourceId(event);
      await startDelete(api, physicalResourceId, event, log);
      break;
    }
    default:
      throw new Error(`Unknown RequestType ${JSON.stringify((event as { RequestType: unknown }).RequestType)}`);
  }
  return { PhysicalResourceId: physicalResourceId, Data: { StartedAt: startedAt } };
}
