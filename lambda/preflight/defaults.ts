import type { Workspace } from '@aws-sdk/client-workspaces';
import type { WorkspacesApi } from '../api';
import { DesiredWorkspace, removedWorkspaceProperties } from '../parse';

/**
 * The desired state with the service's default for each WorkspaceProperties setting that the
 * previous deployment declared and this one removed: the bundle's compute type (removing
 * `computeType` must stop paying for the larger one). Volumes and protocols have no such
 * default to go back to (a volume cannot shrink; a protocol stays as it is), so they stay.
 */
export async function withRemovedDefaults(
  api: Pick<WorkspacesApi, 'bundleComputeType'>,
  workspace: Workspace | undefined,
  desired: DesiredWorkspace,
  oldProperties: unknown,
  log: (message: string) => void,
): Promise<DesiredWorkspace> {
  if (!removedWorkspaceProperties(desired, oldProperties).includes('ComputeTypeName')) {
    return desired;
  }
  // The WorkSpace's own bundle: a bundle declared by name has its id only there.
  const bundleId = workspace?.BundleId ?? desired.bundleId;
  const computeTypeName = bundleId === undefined ? undefined : await api.bundleComputeType(bundleId);
  if (computeTypeName === undefined) {
    log(`computeType was removed, but bundle ${bundleId} is not described: the compute type stays as it is`);
    return desired;
  }
  log(`computeType was removed: the WorkSpace goes back to its bundle's compute type, ${computeTypeName}`);
  return { ...desired, properties: { ...desired.properties, computeTypeName } };
}
