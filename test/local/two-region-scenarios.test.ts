// Two Regions, one local endpoint each (linked, as Regions of one account): a primary stack with a
// fleet, its directory and a connection alias, and a secondary stack with a directory, the fleet's
// standby WorkSpaces and an alias of the same connection string, each deployed through its own
// runner with its own bundled handlers (their AWS_REGION and endpoint are their Region's). The
// primary ids cross Regions as aws-cdk-lib's cross-Region references, which the runners do as
// its custom resources would (native-resources.ts). Needs the bundle: `npx projen bundle` first.
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { BUNDLE_ID } from './scenario-helpers';
import { Region, twoRegions } from './two-region-helpers';
import { stackUuid, parseOwnership } from '../../lambda/core/ownership';
import { STANDBY_RESOURCE_TYPE } from '../../lambda/resources/standby/standby';
import { ConnectionAlias, DataReplication, StandbyWorkspace, WorkspaceBundle, WorkspaceFleet, WorkspacesDirectory } from '../../src';
import { OWNERSHIP_TAG_KEY } from '../../src/private/rules';

type Json = any;

const PRIMARY = { region: 'us-east-1', directoryId: 'd-1234567890' };
const SECONDARY = { region: 'us-west-2', directoryId: 'd-2234567890' };
const USERS = ['alice', 'bob'];
const CONNECTION_STRING = 'desktop.example.com';

let stop: (() => Promise<void>) | undefined;

afterEach(async () => {
  await stop?.();
  stop = undefined;
});

async function start() {
  const regions = await twoRegions({ ...PRIMARY, stackName: 'DesktopsPrimary' }, { ...SECONDARY, stackName: 'DesktopsSecondary' });
  stop = regions.stop;
  return regions;
}

/** The app: a fleet with an alias in the primary Region, its standbys and an alias of the same connection string in the secondary. */
function app(): { primary: Json; secondary: Json } {
  const cdkApp = new App();
  const env = (region: string) => ({ account: '123456789012', region });
  const primaryStack = new Stack(cdkApp, 'DesktopsPrimary', { env: env(PRIMARY.region), crossRegionReferences: true });
  const secondaryStack = new Stack(cdkApp, 'DesktopsSecondary', { env: env(SECONDARY.region), crossRegionReferences: true });

  const primaryDirectory = new WorkspacesDirectory(primaryStack, 'Directory', { directoryId: PRIMARY.directoryId });
  const fleet = new WorkspaceFleet(primaryStack, 'Fleet', {
    directory: primaryDirectory,
    bundle: WorkspaceBundle.fromBundleId(BUNDLE_ID),
    users: USERS,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  new ConnectionAlias(primaryStack, 'Alias', { connectionString: CONNECTION_STRING }).associate(primaryDirectory);

  const secondaryDirectory = new WorkspacesDirectory(secondaryStack, 'Directory', {
    directoryId: SECONDARY.directoryId,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  StandbyWorkspace.forFleet(secondaryStack, 'Standbys', {
    fleet,
    directory: secondaryDirectory,
    dataReplication: DataReplication.PRIMARY_AS_SOURCE,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  new ConnectionAlias(secondaryStack, 'Alias', { connectionString: CONNECTION_STRING }).associate(secondaryDirectory);
  return { primary: Template.fromStack(primaryStack).toJSON(), secondary: Template.fromStack(secondaryStack).toJSON() };
}

/** The inventory check of a Region: its WorkSpaces are exactly the stack's (primaries or standbys), settled and marked by it. */
function expectRegionInventory(region: Region, expected: { primaries?: number; standbys?: number }): void {
  const workspaces = region.endpoint.inventory();
  const standbys = region.endpoint.standbyInventory();
  expect(standbys).toHaveLength(expected.standbys ?? 0);
  expect(workspaces).toHaveLength((expected.primaries ?? 0) + (expected.standbys ?? 0));
  for (const w of workspaces) {
    expect({ id: w.WorkspaceId, state: w.State }).toEqual({ id: w.WorkspaceId, state: 'AVAILABLE' });
    expect(parseOwnership(w.Tags[OWNERSHIP_TAG_KEY])?.stack).toBe(stackUuid(region.stack.stackId));
  }
}

test('two Regions: primaries, their standbys and an alias association in each Region deploy, and are destroyed cleanly', async () => {
  const { primary, secondary } = await start();
  const templates = app();

  expect(await primary.stack.deploy(templates.primary)).toMatchObject({ ok: true });
  expect(await secondary.stack.deploy(templates.secondary)).toMatchObject({ ok: true });

  // One standby per user, in the secondary directory, related to that user's primary.
  const primaries = primary.endpoint.inventory();
  const standbys = secondary.endpoint.standbyInventory();
  expect(standbys.map((s) => s.UserName).sort()).toEqual(USERS);
  for (const standby of standbys) {
    const own = primaries.find((p) => p.UserName === standby.UserName)!;
    expect(standby).toMatchObject({
      PrimaryWorkspaceId: own.WorkspaceId,
      PrimaryRegion: PRIMARY.region,
      DirectoryId: SECONDARY.directoryId,
      DataReplication: 'PRIMARY_AS_SOURCE',
      State: 'AVAILABLE',
    });
  }
  // The stack's standby resources hold the standbys' ids.
  const standbyResources = [...secondary.stack.resources.values()].filter((r) => r.type === STANDBY_RESOURCE_TYPE);
  expect(standbyResources.map((r) => r.physicalId).sort()).toEqual(standbys.map((s) => s.WorkspaceId).sort());
  expectRegionInventory(primary, { primaries: USERS.length });
  expectRegionInventory(secondary, { standbys: USERS.length });

  // An alias with the same connection string in each Region, associated with that Region's directory.
  for (const [region, directoryId] of [[primary, PRIMARY.directoryId], [secondary, SECONDARY.directoryId]] as const) {
    expect(region.endpoint.aliasInventory()).toEqual([expect.objectContaining({
      ConnectionString: CONNECTION_STRING,
      Associations: [expect.objectContaining({ ResourceId: directoryId, AssociationStatus: 'ASSOCIATED_WITH_OWNER_ACCOUNT' })],
    })]);
  }

  // Deleted in the reverse order: the secondary stack (it refers to the primary's ids), then the primary.
  expect(await secondary.stack.destroy()).toMatchObject({ ok: true });
  expect(await primary.stack.destroy()).toMatchObject({ ok: true });
  expectRegionInventory(secondary, {});
  expect(secondary.endpoint.aliasInventory()).toEqual([]);
  // The primary Region's directory was registered before: adopted, it stays; the fleet is gone.
  expectRegionInventory(primary, {});
  expect(primary.endpoint.aliasInventory()).toEqual([]);
}, 120_000);

test('a standby that fails to be built rolls the secondary deployment back: no standby is left, the primaries stay as they were', async () => {
  const { primary, secondary } = await start();
  const templates = app();
  expect(await primary.stack.deploy(templates.primary)).toMatchObject({ ok: true });
  const before = primary.endpoint.inventory().map((w) => [w.WorkspaceId, w.State]);

  // Bob's standby goes to ERROR in the secondary Region (his primary is fine).
  secondary.endpoint.faults.forceErrorForUser = 'bob';
  const deployed = await secondary.stack.deploy(templates.secondary);
  expect(deployed).toMatchObject({ ok: false, rolledBack: true });
  expect(deployed.reason).toMatch(/is ERROR: InternalError/);
  // The rollback terminated both standbys this deployment made (alice's too) and disassociated the alias.
  const terminated = deployed.operations.filter((o) => o.operation === 'Delete' && o.physicalId?.startsWith('ws-'));
  expect(terminated).toHaveLength(USERS.length);
  expect(terminated.every((o) => o.ok)).toBe(true);
  expectRegionInventory(secondary, {});
  expect(secondary.endpoint.aliasInventory()).toEqual([]);
  expect(primary.endpoint.inventory().map((w) => [w.WorkspaceId, w.State])).toEqual(before);
  expect(secondary.endpoint.callLog().filter((c) => c.operation === 'TerminateWorkspaces' && c.status === 200)).toHaveLength(USERS.length);

  // Once the cause is gone, deploying again makes both standbys.
  secondary.endpoint.resetFaults();
  expect(await secondary.stack.deploy(templates.secondary)).toMatchObject({ ok: true });
  expectRegionInventory(secondary, { standbys: USERS.length });
}, 120_000);
