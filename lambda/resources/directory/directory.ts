// Custom::WorkspacesDirectory: registers an existing Directory Service directory (AWS Managed
// Microsoft AD or AD Connector) with WorkSpaces. CloudFormation's AWS::WorkSpaces::Directory has
// no property that names an existing directory by id, so it cannot do this registration.
import {
  AssociateIpGroupsCommand,
  CreateTagsCommand,
  DeleteTagsCommand,
  DeregisterWorkspaceDirectoryCommand,
  DescribeTagsCommand,
  DescribeTagsCommandOutput,
  DisassociateIpGroupsCommand,
  ModifySelfservicePermissionsCommand,
  ModifyWorkspaceAccessPropertiesCommand,
  ModifyWorkspaceCreationPropertiesCommand,
  RegisterWorkspaceDirectoryCommand,
  WorkspaceDirectory,
} from '@aws-sdk/client-workspaces';
import { isTemporary, WorkspacesApi, WorkspacesCallError } from '../../api';
import {
  DIRECTORY_RESOURCE_TYPE,
  DirectoryRegistrationSpec,
  KEPT_ONCE_SET,
  parseDirectoryRegistration,
  PreviousDirectoryDeclaration,
  readPreviousDirectoryDeclaration,
  removedSettings,
  withServiceDefaults,
} from '../../parse';

export { DIRECTORY_RESOURCE_TYPE };

/**
 * The physical id of a registration this resource did not make (the directory was already
 * registered, or being registered, when the Create came): its Delete never deregisters it.
 */
const ADOPTED_SUFFIX = '/adopted';
const DIRECTORY_ID = /^d-[0-9a-f]{8,63}$/;

/** How long a registration or a deregistration may take before the request fails. */
export const DIRECTORY_TIMEOUT_SECONDS = 30 * 60;

/** The declared registration, as the construct writes it (API names): the parse layer's reading. */
export type DesiredDirectory = DirectoryRegistrationSpec;

/** Which registration a physical id names, and whether this resource made it. */
export function parsePhysicalId(physicalId: string | undefined): { directoryId: string; registeredHere: boolean } | undefined {
  if (physicalId === undefined) {
    return undefined;
  }
  const adopted = physicalId.endsWith(ADOPTED_SUFFIX);
  const directoryId = adopted ? physicalId.slice(0, -ADOPTED_SUFFIX.length) : physicalId;
  return DIRECTORY_ID.test(directoryId) ? { directoryId, registeredHere: !adopted } : undefined;
}

/**
 * Reads and validates the properties through the parse layer's strict rules (those of every
 * resource type): nothing is registered or modified on a value the service would not take.
 */
export function parseDirectoryProperties(properties: Record<string, unknown>): DesiredDirectory {
  return parseDirectoryRegistration(properties);
}

/** The settings that only a new registration can change, which differ between two declarations. */
function registrationChanges(desired: DesiredDirectory, old: PreviousDirectoryDeclaration): string[] {
  const changes: string[] = [];
  if (desired.directoryId !== old.directoryId) changes.push('DirectoryId');
  if (!sameSet(desired.subnetIds, old.subnetIds)) changes.push('SubnetIds');
  if ((desired.tenancy ?? 'SHARED') !== (old.tenancy ?? 'SHARED')) changes.push('Tenancy');
  return changes;
}

/** Whether the registration already has what only a new registration could change (an Update back). */
function hasRegistration(directory: WorkspaceDirectory | undefined, desired: DesiredDirectory): boolean {
  return directory !== undefined && directory.DirectoryId === desired.directoryId
    && (desired.subnetIds === undefined || sameSet(desired.subnetIds, directory.SubnetIds))
    && (desired.tenancy ?? 'SHARED') === (directory.Tenancy ?? 'SHARED');
}

function sameSet(a: readonly string[] | undefined, b: readonly string[] | undefined): boolean {
  return [...a ?? []].sort().join(',') === [...b ?? []].sort().join(',');
}

/**
 * A registration that exists already is adopted only with the subnets and tenancy declared:
 * only a new registration could change them, and this resource would never make it (it does
 * not deregister what it adopted). Refused before anything is changed; undeclared subnets mean
 * the directory's own, which any registration has.
 */
function refuseOtherRegistration(name: string, desired: DesiredDirectory, directory: WorkspaceDirectory): void {
  const subnetsDiffer = desired.subnetIds !== undefined && !sameSet(desired.subnetIds, directory.SubnetIds);
  const declaredTenancy = desired.tenancy ?? 'SHARED';
  const tenancyDiffers = directory.Tenancy !== undefined && directory.Tenancy !== declaredTenancy;
  if (!subnetsDiffer && !tenancyDiffers) {
    return;
  }
  const list = (ids: readonly string[] | undefined) => (ids && ids.length > 0 ? [...ids].sort().join(', ') : 'none');
  const differences = [
    subnetsDiffer && `vpcSubnets (SubnetIds) declares ${list(desired.subnetIds)}, but the registration has ${list(directory.SubnetIds)}`,
    tenancyDiffers && `tenancy (Tenancy) declares ${declaredTenancy}${desired.tenancy === undefined ? ' (the default)' : ''}, `
      + `but the registration has ${directory.Tenancy}`,
  ].filter(Boolean).join('; and ');
  throw new Error(`${name}: directory ${desired.directoryId} is ${directory.State} with WorkSpaces already, and ${differences}. `
    + 'A registration\'s subnets and tenancy change only with a new registration, which this resource does not make for a '
    + 'directory registered before it: nothing was changed, and the directory stays registered as it is. Declare what the '
    + 'registration has to adopt it, or deregister the directory first (once it has no WorkSpaces) to register it with these.');
}

/**
 * A removed default OU, custom security group or instance role cannot go back to none: the service
 * keeps such a creation property when it is not given one, and refuses an empty one. Refused
 * before anything is changed, unless the registration no longer has it (an Update back).
 */
function refuseRemovalOfKeptSettings(name: string, directoryId: string, removed: readonly string[], directory: WorkspaceDirectory | undefined): void {
  const creation = (directory?.WorkspaceCreationProperties ?? {}) as Record<string, unknown>;
  const kept = removed.filter((key) => creation[key] !== undefined && creation[key] !== '');
  if (kept.length === 0) {
    return;
  }
  const what = kept.map((key) => `${KEPT_ONCE_SET[key]} (WorkspaceCreationProperties.${key}, now ${JSON.stringify(creation[key])})`).join(' and ');
  throw new Error(`${name}: ${what} ${kept.length > 1 ? 'were' : 'was'} removed from the declaration, but directory ${directoryId} `
    + 'cannot go back to none: ModifyWorkspaceCreationProperties keeps a creation property it is not given, and refuses an empty '
    + 'one. Nothing was changed. Declare it again (or another value); only a new registration of the directory starts without one.');
}

async function send<T>(api: WorkspacesApi, call: string, directoryId: string, command: any): Promise<T> {
  try {
    return await api.client.send(command) as T;
  } catch (e) {
    throw new WorkspacesCallError(call, `directory ${directoryId}`, e);
  }
}

/**
 * Create registers the directory, unless DescribeWorkspaceDirectories shows it registered or
 * being registered already (a Create tried again, or a registration made elsewhere): then it is
 * adopted, only with the declared subnets and tenancy, and its physical id says so. Update changes
 * the settings in place (isComplete applies them, a removed one at the service's default); a new
 * directory, new subnets or a new tenancy would need a new registration, and a removed default OU,
 * custom security group or instance role cannot be cleared: both are refused before anything
 * changes, unless the registration already has what is declared (an Update back).
 * Delete deregisters only what this resource registered; isComplete waits for it.
 */
export async function directoryOnEvent(
  api: WorkspacesApi,
  event: {
    RequestType: 'Create' | 'Update' | 'Delete';
    LogicalResourceId?: string;
    PhysicalResourceId?: string;
    ResourceProperties: Record<string, unknown>;
    OldResourceProperties?: Record<string, unknown>;
  },
  log: (message: string) => void,
): Promise<string> {
  if (event.RequestType === 'Delete') {
    const registration = parsePhysicalId(event.PhysicalResourceId);
    if (registration === undefined) {
      log(`Delete of ${event.PhysicalResourceId}: not a registration (a Create that failed before it registered); nothing to do`);
    } else if (!registration.registeredHere) {
      log(`Delete of ${registration.directoryId}: registered before this resource adopted it; it stays registered`);
    } else {
      const directory = await api.directory(registration.directoryId);
      if (directory?.State === 'REGISTERED' || directory?.State === 'ERROR') {
        await send(api, 'DeregisterWorkspaceDirectory', registration.directoryId,
          new DeregisterWorkspaceDirectoryCommand({ DirectoryId: registration.directoryId }));
        log(`DeregisterWorkspaceDirectory ${registration.directoryId} requested`);
      } else {
        log(`Delete of ${registration.directoryId}: its state is ${directory?.State ?? 'not registered'}; isComplete waits until it is gone`);
      }
    }
    return event.PhysicalResourceId ?? 'none';
  }

  const desired = parseDirectoryProperties(event.ResourceProperties);
  const name = `WorkspacesDirectory ${event.LogicalResourceId ?? desired.directoryId}`;
  if (event.RequestType === 'Update') {
    const current = parsePhysicalId(event.PhysicalResourceId);
    const old = readPreviousDirectoryDeclaration(event.OldResourceProperties);
    const changes = registrationChanges(desired, old);
    const keptOnceSet = removedSettings(desired, old).keptOnceSet;
    const directory = (changes.length > 0 || keptOnceSet.length > 0) && current ? await api.directory(current.directoryId) : undefined;
    refuseRemovalOfKeptSettings(name, desired.directoryId, keptOnceSet, directory);
    if (changes.length === 0 && current !== undefined) {
      return event.PhysicalResourceId!;
    }
    if (current !== undefined && hasRegistration(directory, desired)) {
      log(`Update of ${current.directoryId}: the registration already has the ${changes.join(', ')} asked for (an Update back); in place`);
      return event.PhysicalResourceId!;
    }
    throw new Error(`WorkspacesDirectory: changing ${changes.join(', ')} of directory ${old.directoryId} needs a new registration, `
      + 'which this resource does not make in place. Nothing was changed. To change it, remove the WorkspacesDirectory '
      + '(with removalPolicy DESTROY, after its WorkSpaces are gone) in one deployment and declare the new one in the next, '
      + 'or give the new declaration a new construct id.');
  }

  const directory = await api.directory(desired.directoryId);
  if (directory?.State === 'REGISTERED' || directory?.State === 'REGISTERING') {
    refuseOtherRegistration(name, desired, directory);
    log(`Directory ${desired.directoryId} is ${directory.State} already, with the declared subnets and tenancy: adopted, `
      + 'and never deregistered by this resource');
    return `${desired.directoryId}${ADOPTED_SUFFIX}`;
  }
  await send(api, 'RegisterWorkspaceDirectory', desired.directoryId, new RegisterWorkspaceDirectoryCommand({
    DirectoryId: desired.directoryId,
    SubnetIds: desired.subnetIds,
    EnableSelfService: desired.enableSelfService,
    Tenancy: desired.tenancy as any,
  }));
  log(`RegisterWorkspaceDirectory ${desired.directoryId} requested`);
  return desired.directoryId;
}

/** What the construct could read with GetAtt. */
export interface DirectoryAttributes {
  readonly [key: string]: string;
}

/**
 * isComplete: waits for the registration (or the deregistration), then brings the settings to
 * what is declared, calling a Modify action only for what differs.
 */
export async function directoryIsComplete(
  api: WorkspacesApi,
  event: {
    RequestType: 'Create' | 'Update' | 'Delete';
    PhysicalResourceId: string;
    ResourceProperties: Record<string, unknown>;
    OldResourceProperties?: Record<string, unknown>;
  },
  elapsed: number | undefined,
  log: (message: string) => void,
): Promise<{ IsComplete: boolean; Data?: DirectoryAttributes }> {
  const elapsedSeconds = elapsed ?? 0;
  const registration = parsePhysicalId(event.PhysicalResourceId);
  const overdue = elapsedSeconds > DIRECTORY_TIMEOUT_SECONDS;
  try {
    if (event.RequestType === 'Delete') {
      if (registration === undefined || !registration.registeredHere) {
        return { IsComplete: true };
      }
      const directory = await api.directory(registration.directoryId);
      if (directory === undefined || directory.State === 'DEREGISTERED') {
        return { IsComplete: true };
      }
      if (directory.State === 'REGISTERED' || directory.State === 'ERROR') {
        // A registration that was still under way when the Delete came: deregister it now.
        await send(api, 'DeregisterWorkspaceDirectory', registration.directoryId,
          new DeregisterWorkspaceDirectoryCommand({ DirectoryId: registration.directoryId }));
      }
      if (overdue) {
        throw new Error(`Directory ${registration.directoryId} is still ${directory.State} after ${elapsedSeconds} s; `
          + 'see it in the WorkSpaces console');
      }
      return { IsComplete: false };
    }

    const desired = parseDirectoryProperties(event.ResourceProperties);
    const directory = await api.directory(desired.directoryId);
    const state = directory?.State;
    if (state === 'REGISTERING' || (state === undefined && event.RequestType === 'Create' && elapsedSeconds < 60)) {
      // A new registration may not be listed at once.
      if (overdue) {
        throw new Error(`Directory ${desired.directoryId} is still ${state ?? 'not listed'} after ${elapsedSeconds} s; `
          + 'RegisterWorkspaceDirectory did not finish in time');
      }
      return { IsComplete: false };
    }
    if (state !== 'REGISTERED') {
      throw new Error(`Directory ${desired.directoryId} is ${state ?? 'not registered with WorkSpaces'} `
        + `(DescribeWorkspaceDirectories${directory?.ErrorMessage ? `: ${directory.ErrorMessage}` : ''}). `
        + 'Check that the directory exists in Directory Service in this account and region, is Active, and that its '
        + 'subnets are in two Availability Zones that WorkSpaces supports.');
    }
    const previous = readPreviousDirectoryDeclaration(event.OldResourceProperties);
    // A setting the previous declaration named and this one does not goes back to the service's default.
    const effective = event.RequestType === 'Update' ? withServiceDefaults(desired, removedSettings(desired, previous)) : desired;
    await applySettings(api, directory!, effective, previous, log);
    await applyTags(api, desired, previous, log);
    return { IsComplete: true, Data: attributesOf(directory!) };
  } catch (e) {
    if (isTemporary(e) && !overdue) {
      log(`Temporary error, trying again at the next poll: ${(e as Error).message}`);
      return { IsComplete: false };
    }
    throw e;
  }
}

async function applySettings(
  api: WorkspacesApi,
  directory: WorkspaceDirectory,
  desired: DesiredDirectory,
  previous: PreviousDirectoryDeclaration,
  log: (message: string) => void,
): Promise<void> {
  const id = desired.directoryId;
  if (desired.selfservicePermissions && differs(desired.selfservicePermissions, directory.SelfservicePermissions)) {
    await send(api, 'ModifySelfservicePermissions', id,
      new ModifySelfservicePermissionsCommand({ ResourceId: id, SelfservicePermissions: desired.selfservicePermissions as any }));
    log(`ModifySelfservicePermissions ${id}`);
  }
  const creation = desired.workspaceCreationProperties;
  if (creation && differs(creation, directory.WorkspaceCreationProperties)) {
    await send(api, 'ModifyWorkspaceCreationProperties', id,
      new ModifyWorkspaceCreationPropertiesCommand({ ResourceId: id, WorkspaceCreationProperties: creation as any }));
    log(`ModifyWorkspaceCreationProperties ${id}`);
  }
  if (desired.workspaceAccessProperties && differs(desired.workspaceAccessProperties, directory.WorkspaceAccessProperties)) {
    await send(api, 'ModifyWorkspaceAccessProperties', id,
      new ModifyWorkspaceAccessPropertiesCommand({ ResourceId: id, WorkspaceAccessProperties: desired.workspaceAccessProperties as any }));
    log(`ModifyWorkspaceAccessProperties ${id}`);
  }
  const associated = directory.ipGroupIds ?? [];
  const toAssociate = desired.ipGroupIds.filter((g) => !associated.includes(g));
  if (toAssociate.length > 0) {
    await send(api, 'AssociateIpGroups', id, new AssociateIpGroupsCommand({ DirectoryId: id, GroupIds: toAssociate }));
    log(`AssociateIpGroups ${id}: ${toAssociate.join(', ')}`);
  }
  // Only the groups that an earlier declaration asked for: one associated elsewhere stays.
  const declaredBefore = previous.ipGroupIds;
  const toDisassociate = declaredBefore.filter((g) => !desired.ipGroupIds.includes(g) && associated.includes(g));
  if (toDisassociate.length > 0) {
    await send(api, 'DisassociateIpGroups', id, new DisassociateIpGroupsCommand({ DirectoryId: id, GroupIds: toDisassociate }));
    log(`DisassociateIpGroups ${id}: ${toDisassociate.join(', ')}`);
  }
}

/**
 * The registration's tags: the declared ones are created or changed, and a key the previous
 * declaration had is deleted once no longer declared; a tag set elsewhere stays.
 */
async function applyTags(
  api: WorkspacesApi,
  desired: DesiredDirectory,
  previous: PreviousDirectoryDeclaration,
  log: (message: string) => void,
): Promise<void> {
  const id = desired.directoryId;
  if (desired.tags.length === 0 && previous.tagKeys.length === 0) {
    return;
  }
  const described = await send<DescribeTagsCommandOutput>(api, 'DescribeTags', id, new DescribeTagsCommand({ ResourceId: id }));
  const tags = new Map((described.TagList ?? []).map((t) => [t.Key ?? '', t.Value ?? '']));
  const declared = new Set(desired.tags.map((t) => t.Key));
  const removed = previous.tagKeys.filter((key) => !declared.has(key) && tags.has(key));
  if (removed.length > 0) {
    await send(api, 'DeleteTags', id, new DeleteTagsCommand({ ResourceId: id, TagKeys: removed }));
    log(`DeleteTags ${id}: ${removed.join(', ')}`);
  }
  const missing = desired.tags.filter((t) => tags.get(t.Key) !== t.Value);
  if (missing.length > 0) {
    await send(api, 'CreateTags', id, new CreateTagsCommand({ ResourceId: id, Tags: missing }));
    log(`CreateTags ${id}: ${missing.map((t) => t.Key).join(', ')}`);
  }
}

/** Whether any declared setting differs from what the service describes. */
function differs(declared: Record<string, unknown>, described: object | undefined): boolean {
  const actual = (described ?? {}) as Record<string, unknown>;
  return Object.entries(declared).some(([key, value]) => value !== undefined && actual[key] !== value);
}

function attributesOf(d: WorkspaceDirectory): DirectoryAttributes {
  return {
    DirectoryId: d.DirectoryId ?? '',
    RegistrationCode: d.RegistrationCode ?? '',
    State: d.State ?? '',
    DirectoryName: d.DirectoryName ?? '',
    DirectoryType: d.DirectoryType ?? '',
    WorkspaceSecurityGroupId: d.WorkspaceSecurityGroupId ?? '',
  };
}
