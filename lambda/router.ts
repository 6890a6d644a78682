// The router: one Provider serves every resource type of the library, so each request goes to
// the module of its ResourceType. Nothing else lives here.
import { ON_EVENT_MAX_ATTEMPTS } from './api';
import {
  explainingTemporary,
  HandlerDeps,
  IsCompleteResult,
  OnEventResult,
  redact,
  ResolvedDeps,
  resolveDeps,
  WorkspaceIsCompleteEvent,
  WorkspaceResourceEvent,
} from './core/contract';
// Every failure leaves through here: bounded to fit CloudFormation's response (see response-limit.ts).
import { boundedError } from './core/response-limit';
import { ALIAS_ASSOCIATION_RESOURCE_TYPE } from './resources/alias-association/alias-association';
import { isAliasAssociationComplete, onAliasAssociationEvent } from './resources/alias-association/handler';
import { CUSTOM_BUNDLE_RESOURCE_TYPE } from './resources/custom-bundle/custom-bundle';
import { isCustomBundleComplete, onCustomBundleEvent } from './resources/custom-bundle/handler';
import { DIRECTORY_RESOURCE_TYPE } from './resources/directory/directory';
import { isDirectoryComplete, onDirectoryEvent } from './resources/directory/handler';
import { fleetIsComplete, fleetOnEvent } from './resources/fleet/fleet';
import { FLEET_RESOURCE_TYPE } from './resources/fleet/fleet-properties';
import { isImageComplete, onImageEvent } from './resources/image/handler';
import { IMAGE_RESOURCE_TYPE } from './resources/image/image';
import { lookupIsComplete, lookupOnEvent } from './resources/lookup/handler';
import { LOOKUP_RESOURCE_TYPE } from './resources/lookup/lookup';
import { isStandbyComplete, onStandbyEvent } from './resources/standby/handler';
import { STANDBY_RESOURCE_TYPE } from './resources/standby/standby';
import { workspaceIsComplete, workspaceOnEvent } from './resources/workspace';

/** onEvent: starts the request and returns the physical id. */
export async function onEvent(event: WorkspaceResourceEvent, deps: HandlerDeps = {}): Promise<OnEventResult> {
  const resolved = resolveDeps(deps, ON_EVENT_MAX_ATTEMPTS);
  try {
    return await routeOnEvent(event, resolved);
  } catch (e) {
    throw boundedError(e, resolved.log);
  }
}

async function routeOnEvent(event: WorkspaceResourceEvent, resolved: ResolvedDeps): Promise<OnEventResult> {
  resolved.log(`onEvent: ${JSON.stringify(redact(event))}`);
  const startedAt = resolved.now().toISOString();
  switch (event.ResourceType) {
    case LOOKUP_RESOURCE_TYPE:
      return lookupOnEvent(event, resolved, startedAt);
    case FLEET_RESOURCE_TYPE:
      return explainingTemporary(fleetOnEvent(event, resolved, startedAt));
    case DIRECTORY_RESOURCE_TYPE:
      return explainingTemporary(onDirectoryEvent(event, resolved, startedAt));
    case ALIAS_ASSOCIATION_RESOURCE_TYPE:
      return explainingTemporary(onAliasAssociationEvent(event, resolved, startedAt));
    case IMAGE_RESOURCE_TYPE:
      return explainingTemporary(onImageEvent(event, resolved, startedAt));
    case CUSTOM_BUNDLE_RESOURCE_TYPE:
      return explainingTemporary(onCustomBundleEvent(event, resolved, startedAt));
    case STANDBY_RESOURCE_TYPE:
      // A standby's Delete is a Workspace's: the same ownership rules terminate or release it.
      return explainingTemporary(event.RequestType === 'Delete'
        ? workspaceOnEvent(event, resolved, startedAt)
        : onStandbyEvent(event, resolved, startedAt));
    default:
      return explainingTemporary(workspaceOnEvent(event, resolved, startedAt));
  }
}

/** isComplete: observes, and reports done, waits, takes one step, or fails. */
export async function isComplete(event: WorkspaceIsCompleteEvent, deps: HandlerDeps = {}): Promise<IsCompleteResult> {
  const resolved = resolveDeps(deps);
  try {
    return await routeIsComplete(event, resolved);
  } catch (e) {
    throw boundedError(e, resolved.log);
  }
}

async function routeIsComplete(event: WorkspaceIsCompleteEvent, resolved: ResolvedDeps): Promise<IsCompleteResult> {
  resolved.log(`isComplete: ${JSON.stringify(redact(event))}`);
  switch (event.ResourceType) {
    case LOOKUP_RESOURCE_TYPE:
      return lookupIsComplete();
    case FLEET_RESOURCE_TYPE:
      return fleetIsComplete(event, resolved);
    case DIRECTORY_RESOURCE_TYPE:
      return isDirectoryComplete(event, resolved);
    case ALIAS_ASSOCIATION_RESOURCE_TYPE:
      return isAliasAssociationComplete(event, resolved);
    case IMAGE_RESOURCE_TYPE:
      return isImageComplete(event, resolved);
    case CUSTOM_BUNDLE_RESOURCE_TYPE:
      return isCustomBundleComplete(event, resolved);
    case STANDBY_RESOURCE_TYPE:
      return event.RequestType === 'Delete' ? workspaceIsComplete(event, resolved) : isStandbyComplete(event, resolved);
    default:
      return workspaceIsComplete(event, resolved);
  }
}
