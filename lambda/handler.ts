import type { Workspace } from '@aws-sdk/client-workspaces';
import { ownershipTagValue } from './ownership';
import { creationRequest, describeStep, isSettled, planDelete, planReconcile, Step } from './plan';
import { DesiredWorkspace, parseProperties, previousTagKeys, readTimeoutSeconds, replacementChanges } from './properties';
import { getDefaultApi, isRetryLater, WorkspacesApi } from './workspaces-api';
import { OWNERSHIP_TAG_KEY, WORKSPACE_ID_PATTERN } from '../src/private/rules';

/** The custom resource event, as the Provider framework passes it to onEvent. */
export interface WorkspaceResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly StackId: string;
  readonly LogicalResourceId: string;
  readonly RequestId?: string;
  readonly ResourceType?: string;
  readonly ResponseURL?: string;
  readonly ServiceToken?: string;
  /** Absent on Create. */
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, unknown>;
  /** Present on Update only. */
  readonly OldResourceProperties?: Record<string, unknown>;
}

/** The event isComplete receives: the onEvent event with onEvent's result merged in. */
export interface WorkspaceIsCompleteEvent extends WorkspaceResourceEvent {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, unknown>;
}

export interface OnEventResult {
  readonly PhysicalResourceId: string;
  /** When the request started, so that every poll can enforce the resource's timeout. */
  readonly Data: { readonly StartedAt: string };
}

export interface IsCompleteResult {
  readonly IsComplete: boolean;
  /** Only with IsComplete true: the framework fails a resource that returns Data otherwise. */
  readonly Data?: WorkspaceAttributes;
}

/** What the construct exposes with GetAtt. Never absent, so that a GetAtt never fails. */
export interface WorkspaceAttributes {
  readonly WorkspaceId: string;
  readonly IpAddress: string;
  readonly ComputerName: string;
  readonly SubnetId: string;
  readonly State: string;
}

/** What the handler needs from outside; the defaults are those of a Lambda container. */
export interface HandlerDeps {
  readonly api?: WorkspacesApi;
  readonly now?: () => Date;
  readonly log?: (message: string) => void;
}

/**
 * onEvent: starts the request and returns the WorkSpace id. Create and replacement request a
 * WorkSpace (or adopt the one an earlier attempt requested); Delete requests termination; an
 * in-place Update does nothing here, since isComplete reconciles.
 */
export async function onEvent(event: WorkspaceResourceEvent, deps: HandlerDeps = {}): Promise<OnEventResult> {
  const { api, now, log } = resolveDeps(deps);
  log(`onEvent: ${JSON.stringify(redact(event))}`);
  const startedAt = now().toISOString();

  let physicalResourceId: string;
  switch (event.RequestType) {
    case 'Create': {
      const desired = parseProperties(event.ResourceProperties);
      physicalResourceId = await createOrAdopt(api, desired, ownerOf(event), log);
      break;
    }
    case 'Update': {
      const current = requirePhysicalResourceId(event);
      const desired = parseProperties(event.ResourceProperties);
      const changes = replacementChanges(desired, event.OldResourceProperties);
      if (changes.length === 0) {
        physicalResourceId = current;
        log(`Update of ${current} is in place; isComplete applies the changes`);
        break;
      }
      if (!changes.includes('DirectoryId') && !changes.includes('UserName')) {
        throw new Error(sameUserReplacementMessage(current, desired, changes));
      }
      log(`Update of ${current} needs a new WorkSpace (${changes.join(', ')} changed)`);
      physicalResourceId = await createOrAdopt(api, desired, ownerOf(event), log);
      break;
    }
    case 'Delete': {
      physicalResourceId = requirePhysicalResourceId(event);
      await startDelete(api, physicalResourceId, log);
      break;
    }
    default:
      throw new Error(`Unknown RequestType ${JSON.stringify((event as { RequestType: unknown }).RequestType)}`);
  }
  return { PhysicalResourceId: physicalResourceId, Data: { StartedAt: startedAt } };
}

/**
 * isComplete: observes the WorkSpace, and either reports it done, waits, takes the one next
 * step towards the desired state, or fails with what went wrong.
 */
export async function isComplete(event: WorkspaceIsCompleteEvent, deps: HandlerDeps = {}): Promise<IsCompleteResult> {
  const { api, now, log } = resolveDeps(deps);
  log(`isComplete: ${JSON.stringify(redact(event))}`);
  const workspaceId = event.PhysicalResourceId;
  const elapsedSeconds = secondsSince(event.Data?.StartedAt, now(), log);

  if (event.RequestType === 'Delete') {
    return isDeleteComplete(api, event, elapsedSeconds, log);
  }

  const desired = parseProperties(event.ResourceProperties);
  const replaced = event.RequestType === 'Create' || replacementChanges(desired, event.OldResourceProperties).length > 0;
  const workspace = await api.describe(workspaceId);
  const tags = isSettled(workspace) ? await api.tags(workspaceId) : undefined;
  const decision = planReconcile({
    workspaceId,
    desired,
    previousTagKeys: event.RequestType === 'Update' && !replaced ? previousTagKeys(event.OldResourceProperties) : [],
    workspace,
    tags,
    mayBeInvisible: replaced,
    elapsedSeconds,
  });

  switch (decision.kind) {
    case 'complete':
      log(`${workspaceId} is ${workspace?.State} with the desired properties`);
      return { IsComplete: true, Data: attributesOf(workspaceId, workspace) };
    case 'wait':
      log(`${workspaceId}: waiting, ${decision.reason}`);
      return { IsComplete: false };
    case 'step':
      await takeStep(api, workspaceId, decision.step, log);
      return { IsComplete: false };
    case 'fail':
      throw new Error(decision.message);
  }
}

async function isDeleteComplete(
  api: WorkspacesApi,
  event: WorkspaceIsCompleteEvent,
  elapsedSeconds: number | undefined,
  log: (message: string) => void,
): Promise<IsCompleteResult> {
  const workspaceId = event.PhysicalResourceId;
  if (!WORKSPACE_ID_PATTERN.test(workspaceId)) {
    return { IsComplete: true };
  }
  const decision = planDelete({
    workspaceId,
    workspace: await api.describe(workspaceId),
    timeoutSeconds: readTimeoutSeconds(event.ResourceProperties),
    elapsedSeconds,
  });
  switch (decision.kind) {
    case 'complete':
      log(`${workspaceId} is gone`);
      return { IsComplete: true };
    case 'wait':
      log(`${workspaceId}: waiting, ${decision.reason}`);
      return { IsComplete: false };
    case 'terminate': {
      // Still there: the earlier request was refused while the WorkSpace was busy.
      const outcome = await api.terminate(workspaceId);
      log(`${workspaceId}: TerminateWorkspaces again: ${outcome}`);
      return { IsComplete: false };
    }
    case 'fail':
      throw new Error(decision.message);
  }
}

/** Requests a WorkSpace, unless an earlier attempt of this same resource already did. */
async function createOrAdopt(
  api: WorkspacesApi,
  desired: DesiredWorkspace,
  owner: string,
  log: (message: string) => void,
): Promise<string> {
  const existing = (await api.findByUser(desired.directoryId, desired.userName))
    .filter((w) => w.State !== 'TERMINATED' && w.WorkspaceId !== undefined);
  for (const workspace of existing) {
    const workspaceId = workspace.WorkspaceId!;
    const tags = await api.tags(workspaceId);
    const where = `WorkSpace ${workspaceId} of user "${desired.userName}" in directory ${desired.directoryId}`;
    if (tags[OWNERSHIP_TAG_KEY] !== owner) {
      const whose = tags[OWNERSHIP_TAG_KEY] === undefined
        ? 'it is not managed by this stack'
        : `it is managed by another cdk-workspaces resource (${OWNERSHIP_TAG_KEY} = "${tags[OWNERSHIP_TAG_KEY]}"), not by this stack`;
      throw new Error(`${where} already exists and ${whose}. A user can have only one WorkSpace per directory, `
        + 'so no WorkSpace was created and nothing was changed. Use another user or directory, '
        + 'or terminate the existing WorkSpace first.');
    }
    if (workspace.State === 'TERMINATING') {
      throw new Error(`${where} is still being terminated. A user can have only one WorkSpace per directory: `
        + 'deploy again once it is gone.');
    }
    log(`Adopting ${workspaceId}: it carries this resource's ownership tag, so an earlier attempt created it`);
    return workspaceId;
  }
  const workspaceId = await api.create(creationRequest(desired, owner));
  log(`Requested ${workspaceId}`);
  return workspaceId;
}

async function startDelete(api: WorkspacesApi, workspaceId: string, log: (message: string) => void): Promise<void> {
  if (!WORKSPACE_ID_PATTERN.test(workspaceId)) {
    log(`${workspaceId} is not a WorkSpace id (the Create failed): nothing to delete`);
    return;
  }
  const decision = planDelete({ workspaceId, workspace: await api.describe(workspaceId), timeoutSeconds: Infinity });
  switch (decision.kind) {
    case 'complete':
      log(`${workspaceId} is already gone`);
      return;
    case 'wait':
      log(`${workspaceId}: ${decision.reason}`);
      return;
    case 'terminate': {
      const outcome = await api.terminate(workspaceId);
      log(`${workspaceId}: TerminateWorkspaces: ${outcome}`);
      return;
    }
    case 'fail':
      throw new Error(decision.message);
  }
}

async function takeStep(api: WorkspacesApi, workspaceId: string, step: Step, log: (message: string) => void): Promise<void> {
  const what = describeStep(step);
  log(`${workspaceId}: ${what}`);
  try {
    switch (step.kind) {
      case 'deleteTags':
        return await api.deleteTags(workspaceId, step.keys);
      case 'createTags':
        return await api.createTags(workspaceId, step.tags);
      case 'modifyProperties':
        return await api.modifyProperties(workspaceId, step.properties);
    }
  } catch (e) {
    if (isRetryLater(e)) {
      log(`${workspaceId}: ${what} must wait: ${errorText(e)}`);
      return;
    }
    throw new Error(`${what} failed for WorkSpace ${workspaceId}: ${errorText(e)}`);
  }
}

function sameUserReplacementMessage(workspaceId: string, desired: DesiredWorkspace, changes: readonly string[]): string {
  const changed = changes.join(' and ');
  const bundleHint = changes.includes('BundleId')
    ? ' To move this user to another bundle and keep the user volume, use the service\'s MigrateWorkspace outside CloudFormation.'
    : '';
  return `Cannot change ${changed} of WorkSpace ${workspaceId} (user "${desired.userName}" in directory ${desired.directoryId}): `
    + `a change of ${changed} needs a new WorkSpace, and a user can have only one WorkSpace per directory. Nothing was changed. `
    + 'Either change UserName or DirectoryId as well, or remove the Workspace from the app and deploy '
    + '(this terminates it when its removal policy is DESTROY), then add it back with the new settings.'
    + bundleHint;
}

function attributesOf(workspaceId: string, workspace: Workspace | undefined): WorkspaceAttributes {
  return {
    WorkspaceId: workspace?.WorkspaceId ?? workspaceId,
    IpAddress: workspace?.IpAddress ?? '',
    ComputerName: workspace?.ComputerName ?? '',
    SubnetId: workspace?.SubnetId ?? '',
    State: workspace?.State ?? '',
  };
}

function ownerOf(event: WorkspaceResourceEvent): string {
  return ownershipTagValue(event.StackId, event.LogicalResourceId);
}

function requirePhysicalResourceId(event: WorkspaceResourceEvent): string {
  if (!event.PhysicalResourceId) {
    throw new Error(`${event.RequestType} request without a PhysicalResourceId`);
  }
  return event.PhysicalResourceId;
}

function secondsSince(startedAt: unknown, now: Date, log: (message: string) => void): number | undefined {
  const start = typeof startedAt === 'string' ? Date.parse(startedAt) : NaN;
  if (Number.isNaN(start)) {
    log('No valid Data.StartedAt in the event: the timeout is not enforced');
    return undefined;
  }
  return (now.getTime() - start) / 1000;
}

/** The ResponseURL is a presigned URL: anyone holding it can answer for the resource. */
function redact(event: WorkspaceResourceEvent): WorkspaceResourceEvent {
  return event.ResponseURL === undefined ? event : { ...event, ResponseURL: '(hidden)' };
}

function errorText(e: unknown): string {
  if (e instanceof Error) {
    return `${e.name}: ${e.message}`;
  }
  return String(e);
}

function resolveDeps(deps: HandlerDeps): Required<HandlerDeps> {
  return {
    api: deps.api ?? getDefaultApi(),
    now: deps.now ?? (() => new Date()),
    log: deps.log ?? ((message: string) => console.log(message)),
  };
}
