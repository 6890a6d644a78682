// Two local endpoints, one per Region, linked as Regions of one account, and a runner for each
// Region's stack with its own bundled handlers (their AWS_REGION and endpoint are their Region's),
// sharing one SSM store for aws-cdk-lib's cross-Region references. Test support.
import { LocalWorkspaces, startLocalWorkspaces } from './endpoint';
import { crossRegionReferences, nativeWorkspacesResources } from './native-resources';
import { FLEET_TYPE, LocalStack, loadBundledHandlers, WORKSPACE_TYPE } from './runner';
import { ALIAS_ASSOCIATION_RESOURCE_TYPE } from '../../lambda/resources/alias-association/alias-association';
import { DIRECTORY_RESOURCE_TYPE } from '../../lambda/resources/directory/directory';
import { STANDBY_RESOURCE_TYPE } from '../../lambda/resources/standby/standby';

export interface Region {
  readonly endpoint: LocalWorkspaces;
  readonly stack: LocalStack;
}

export interface RegionSpec {
  readonly region: string;
  readonly directoryId: string;
  readonly stackName: string;
}

/**
 * Both Regions' endpoints, linked, and a runner for each. The secondary directory is in Directory
 * Service but not yet registered with WorkSpaces (its stack registers it); the primary's is the
 * endpoint's default, registered.
 */
export async function twoRegions(primary: RegionSpec, secondary: RegionSpec): Promise<{ primary: Region; secondary: Region; stop(): Promise<void> }> {
  const timing = { pendingMs: 300 };
  const [a, b] = await Promise.all([
    startLocalWorkspaces({ timing, region: primary.region, seed: 1 }),
    startLocalWorkspaces({ timing, region: secondary.region, seed: 2 }),
  ]);
  a.linkRegion(b);
  b.addDirectory(secondary.directoryId, { State: 'DEREGISTERED' });
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const parameters = new Map<string, Map<string, string>>();
  const runner = (endpoint: LocalWorkspaces, name: string) => new LocalStack({
    stackName: name,
    region: endpoint.region,
    pollIntervalMs: 20,
    handlers: loadBundledHandlers(() => undefined, { env: endpoint.env() }),
    resourceTypes: [WORKSPACE_TYPE, FLEET_TYPE, DIRECTORY_RESOURCE_TYPE, ALIAS_ASSOCIATION_RESOURCE_TYPE, STANDBY_RESOURCE_TYPE],
    nativeResources: { ...nativeWorkspacesResources(endpoint), ...crossRegionReferences(parameters) },
  });
  return {
    primary: { endpoint: a, stack: runner(a, primary.stackName) },
    secondary: { endpoint: b, stack: runner(b, secondary.stackName) },
    stop: async () => {
      await Promise.all([a.stop(), b.stop()]);
    },
  };
}
