import {
  Compute,
  CreateWorkspacesCommand,
  MigrateWorkspaceCommand,
  DescribeWorkspaceBundlesCommand,
  DescribeWorkspaceDirectoriesCommand,
  DescribeWorkspacesCommand,
  WorkspaceBundle,
  WorkSpacesClient,
} from '@aws-sdk/client-workspaces';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { CREATE, deps, PROPS, UPDATE, WORKSPACE_ID } from './events';
import { WorkspacesApi } from '../../lambda/api';
import { closestNames, preflight, PreflightRequest } from '../../lambda/preflight';
import { onEvent } from '../../lambda/router';

const workspaces = mockClient(WorkSpacesClient);
const api = () => new WorkspacesApi(new WorkSpacesClient({ region: 'eu-west-1' }));

afterEach(() => {
  workspaces.reset();
});

const DIRECTORY = 'd-1234567890';

function bundle(id: string, name: string, owner: string, compute: Compute = 'STANDARD', root = '80', user = '50'): WorkspaceBundle {
  return { BundleId: id, Name: name, Owner: owner, ComputeType: { Name: compute }, RootStorage: { Capacity: root }, UserStorage: { Capacity: user } };
}

/** Amazon's bundles in three pages of 25 (as the service pages them), the account's own in one. */
const AMAZON: WorkspaceBundle[] = Array.from({ length: 60 }, (_, i) =>
  bundle(`wsb-amzn${String(i).padStart(5, '0')}`, `Value with Windows 10 edition ${i}`, 'AMAZON', 'VALUE', '80', '10'));
AMAZON[47] = bundle('wsb-amzn00047', 'Standard with Windows 10 (Server 2022 based)', 'AMAZON');
AMAZON[59] = bundle('wsb-amzn00059', 'Graphics.g4dn with Windows 10 (Server 2022 based)', 'AMAZON', 'GRAPHICS_G4DN', '100', '100');
const OWN: WorkspaceBundle[] = [
  bundle('wsb-own000001', 'Engineering image', '123456789012', 'POWER', '175', '100'),
  bundle('wsb-own000002', 'Standard with Windows 10 (Server 2022 based)', '123456789012'),
];

function registered(state = 'REGISTERED'): void {
  workspaces.on(DescribeWorkspaceDirectoriesCommand, { DirectoryIds: [DIRECTORY] })
    .resolves({ Directories: [{ DirectoryId: DIRECTORY, State: state as 'REGISTERED' }] });
}

/** Each DescribeWorkspaceBundles call's owner and NextToken, as sent (the paginator reuses its input object). */
let bundleCalls: Array<[string | undefined, string | undefined]> = [];

/** DescribeWorkspaceBundles as the service answers it: by owner, in pages of 25, with NextToken. */
function serveBundles(): void {
  bundleCalls = [];
  const page = (list: WorkspaceBundle[], token: string | undefined) => {
    const start = token === undefined ? 0 : Number(token);
    const next = start + 25 < list.length ? String(start + 25) : undefined;
    return { Bundles: list.slice(start, start + 25), NextToken: next };
  };
  workspaces.on(DescribeWorkspaceBundlesCommand).callsFake((input: { Owner?: string; BundleIds?: string[]; NextToken?: string }) => {
    bundleCalls.push([input.Owner, input.NextToken]);
    if (input.BundleIds) {
      return { Bundles: [...AMAZON, ...OWN].filter((b) => input.BundleIds!.includes(b.BundleId!)) };
    }
    return page(input.Owner === 'AMAZON' ? AMAZON : OWN, input.NextToken);
  });
}

function request(b: PreflightRequest['bundle'], properties: PreflightRequest['workspaces'][0]['properties'] = {}): PreflightRequest {
  return { directoryId: DIRECTORY, bundle: b, workspaces: [{ userName: 'alice', properties }] };
}

describe('the directory', () => {
  test('registered: passes', async () => {
    registered();
    serveBundles();
    await expect(preflight(api(), request({ bundleId: 'wsb-own000001' }))).resolves.toMatchObject({ bundleId: 'wsb-own000001' });
  });

  test('not registered (DescribeWorkspaceDirectories does not list it): fails naming the prop and what the service reported', async () => {
    workspaces.on(DescribeWorkspaceDirectoriesCommand).resolves({ Directories: [] });
    serveBundles();
    await expect(preflight(api(), request({ bundleId: 'wsb-own000001' }))).rejects.toThrow(
      'Invalid directory (DirectoryId d-1234567890): DescribeWorkspaceDirectories does not list it, so it is not registered with '
      + 'WorkSpaces in this account and region');
    expect(workspaces).not.toHaveReceivedCommand(DescribeWorkspaceBundlesCommand);
  });

  test.each(['REGISTERING', 'DEREGISTERING', 'DEREGISTERED', 'ERROR'])('in state %s: fails naming the state', async (state) => {
    registered(state);
    await expect(preflight(api(), request({ bundleId: 'wsb-own000001' })))
      .rejects.toThrow(`DescribeWorkspaceDirectories reports it as ${state}, and WorkSpaces are created only in a REGISTERED directory`);
  });
});

describe('a bundle by id', () => {
  test('that the account cannot see fails, saying that ids differ from region to region', async () => {
    registered();
    serveBundles();
    await expect(preflight(api(), request({ bundleId: 'wsb-elsewhere1' }))).rejects.toThrow(
      /^Invalid bundle \(BundleId wsb-elsewhere1\): DescribeWorkspaceBundles does not list it.*another id in each region/);
  });
});

describe('a bundle by name', () => {
  test('found on the third page of Amazon\'s bundles: every page is read, with the NextToken of the one before', async () => {
    registered();
    serveBundles();
    const result = await preflight(api(), request({ bundleName: 'Graphics.g4dn with Windows 10 (Server 2022 based)' }));
    expect(result.bundleId).toBe('wsb-amzn00059');
    expect(bundleCalls).toEqual([['AMAZON', undefined], ['AMAZON', '25'], ['AMAZON', '50'], [undefined, undefined]]);
  });

  test('found among Amazon\'s and the account\'s own alike is ambiguous: fails listing both ids and owners', async () => {
    registered();
    serveBundles();
    await expect(preflight(api(), request({ bundleName: 'Standard with Windows 10 (Server 2022 based)' }))).rejects.toThrow(
      'Invalid bundle (BundleName "Standard with Windows 10 (Server 2022 based)"): 2 bundles among Amazon\'s bundles or this '
      + 'account\'s own have that name: wsb-amzn00047 (owner AMAZON), wsb-own000002 (owner 123456789012). Say whose bundle it is');
  });

  test.each([
    ['AMAZON', 'wsb-amzn00047'],
    ['ACCOUNT', 'wsb-own000002'],
  ] as const)('with owner %s: looks only there, and resolves', async (owner, id) => {
    registered();
    serveBundles();
    await expect(preflight(api(), request({ bundleName: 'Standard with Windows 10 (Server 2022 based)', bundleOwner: owner })))
      .resolves.toMatchObject({ bundleId: id });
    const owners = new Set(workspaces.commandCalls(DescribeWorkspaceBundlesCommand).map((c) => c.args[0].input.Owner ?? 'ACCOUNT'));
    expect([...owners]).toEqual([owner]);
  });

  test('not found: fails listing the closest names, compared exactly (case included)', async () => {
    registered();
    serveBundles();
    await expect(preflight(api(), request({ bundleName: 'standard with windows 10 (server 2022 based)', bundleOwner: 'AMAZON' }))).rejects.toThrow(
      'Invalid bundle (BundleName "standard with windows 10 (server 2022 based)"): DescribeWorkspaceBundles lists no bundle of '
      + 'that exact name among Amazon\'s bundles in this region (60 listed). The closest names: "Standard with Windows 10 '
      + '(Server 2022 based)", ');
  });

  test('closestNames orders by edit distance, without regard to case, and lists each name once', () => {
    expect(closestNames('Engineerin image', ['Value', 'Engineering image', 'Engineering Image', 'Engineering image', 'Power'], 2))
      .toEqual(['Engineering image', 'Engineering Image']);
  });
});

describe('the declared properties against the bundle (only the documented rules)', () => {
  test('a root volume of 175 GiB or more on a bundle with a 50 GiB user volume fails, naming the prop and both sizes', async () => {
    registered();
    serveBundles();
    await expect(preflight(api(), request({ bundleId: 'wsb-amzn00047' }, { rootVolumeSizeGib: 175 }))).rejects.toThrow(
      'Invalid rootVolumeSize of user "alice": with bundle wsb-amzn00047 ("Standard with Windows 10 (Server 2022 based)"), whose '
      + 'root volume is 80 GiB and user volume 50 GiB (DescribeWorkspaceBundles), the WorkSpace would have root 175 GiB and user '
      + '50 GiB: a root volume of 175 GiB or more needs a user volume of at least 100 GiB');
  });

  test('a user volume of 500 GiB on a bundle with an 80 GiB root volume fails', async () => {
    registered();
    serveBundles();
    await expect(preflight(api(), request({ bundleId: 'wsb-amzn00047' }, { userVolumeSizeGib: 500 })))
      .rejects.toThrow(/Invalid userVolumeSize of user "alice".*a root volume of 80 GiB goes with a user volume of 10, 50 or 100 GiB/);
  });

  test('both volumes declared in a documented pair pass, whatever the bundle\'s', async () => {
    registered();
    serveBundles();
    await expect(preflight(api(), request({ bundleId: 'wsb-amzn00047' }, { rootVolumeSizeGib: 175, userVolumeSizeGib: 100 })))
      .resolves.toMatchObject({ bundleId: 'wsb-amzn00047' });
  });

  test('a Graphics compute type on a bundle that is not, and the other way round, fails naming the bundle\'s compute type', async () => {
    registered();
    serveBundles();
    await expect(preflight(api(), request({ bundleId: 'wsb-amzn00047' }, { computeTypeName: 'GRAPHICS_G4DN' })))
      .rejects.toThrow(/^Invalid computeType "GRAPHICS_G4DN" of user "alice": bundle wsb-amzn00047 .* has compute type STANDARD/);
    await expect(preflight(api(), request({ bundleId: 'wsb-amzn00059' }, { computeTypeName: 'POWER' })))
      .rejects.toThrow(/has compute type GRAPHICS_G4DN/);
  });

  test('another compute type of the same family passes: the service changes it at creation', async () => {
    registered();
    serveBundles();
    await expect(preflight(api(), request({ bundleId: 'wsb-amzn00047' }, { computeTypeName: 'POWER' }))).resolves.toBeDefined();
  });

  test('every WorkSpace of the request is checked, and the failure names its user', async () => {
    registered();
    serveBundles();
    const req: PreflightRequest = {
      directoryId: DIRECTORY,
      bundle: { bundleId: 'wsb-amzn00047' },
      workspaces: [{ userName: 'alice', properties: {} }, { userName: 'bob', properties: { rootVolumeSizeGib: 500 } }],
    };
    await expect(preflight(api(), req)).rejects.toThrow(/Invalid rootVolumeSize of user "bob"/);
  });
});

describe('through onEvent: a failed pre-flight creates nothing', () => {
  test('a Create with an unregistered directory fails before CreateWorkspaces, with only Describe calls made', async () => {
    workspaces.on(DescribeWorkspaceDirectoriesCommand).resolves({ Directories: [] });
    serveBundles();
    await expect(onEvent(CREATE, deps())).rejects.toThrow(/Invalid directory \(DirectoryId d-1234567890\)/);
    const sent = workspaces.calls().map((call) => call.args[0].constructor.name);
    expect(sent.every((name) => name.startsWith('Describe'))).toBe(true);
    expect(workspaces).not.toHaveReceivedCommand(CreateWorkspacesCommand);
  });

  test('a Create with a bundle by name creates the WorkSpace from the id it resolved to', async () => {
    registered();
    serveBundles();
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [] });
    workspaces.on(CreateWorkspacesCommand).resolves({ PendingRequests: [{ WorkspaceId: WORKSPACE_ID }] });
    const { BundleId, ...byName } = PROPS;
    const event = { ...CREATE, ResourceProperties: { ...byName, BundleName: 'Engineering image' } };
    await expect(onEvent(event, deps())).resolves.toMatchObject({ PhysicalResourceId: WORKSPACE_ID });
    expect(workspaces).toHaveReceivedCommandWith(CreateWorkspacesCommand, { Workspaces: [expect.objectContaining({ BundleId: 'wsb-own000001' })] });
  });

  describe('an Update that changes the bundle of the same user', () => {
    const byName = { ...PROPS, BundleId: undefined, BundleName: 'Engineering image' };
    const workspaceFrom = (bundleId: string) => ({
      Workspaces: [{ WorkspaceId: WORKSPACE_ID, DirectoryId: DIRECTORY, UserName: 'alice', BundleId: bundleId, State: 'AVAILABLE' as const }],
    });

    test('forward, from an id to a name that resolves to another bundle, with REFUSE: fails before any change (a replacement is impossible)', async () => {
      registered();
      serveBundles();
      workspaces.on(DescribeWorkspacesCommand).resolves(workspaceFrom('wsb-12345678'));
      const event = { ...UPDATE, ResourceProperties: { ...byName, BundleChange: 'REFUSE' }, OldResourceProperties: PROPS };
      await expect(onEvent(event, deps())).rejects.toThrow(/Cannot change BundleName of WorkSpace ws-abc12345 .* BundleChange\.MIGRATE/);
      expect(workspaces).not.toHaveReceivedCommand(CreateWorkspacesCommand);
    });

    test('forward, from an id to a name that resolves to another bundle (MIGRATE, the default): in place, isComplete migrates', async () => {
      registered();
      serveBundles();
      workspaces.on(DescribeWorkspacesCommand).resolves(workspaceFrom('wsb-12345678'));
      const event = { ...UPDATE, ResourceProperties: byName, OldResourceProperties: PROPS };
      await expect(onEvent(event, deps())).resolves.toMatchObject({ PhysicalResourceId: WORKSPACE_ID });
      expect(workspaces).not.toHaveReceivedCommand(CreateWorkspacesCommand);
      expect(workspaces).not.toHaveReceivedCommand(MigrateWorkspaceCommand);
    });

    test('forward, from an id to a name that resolves to that same bundle: in place, nothing replaced', async () => {
      registered();
      serveBundles();
      workspaces.on(DescribeWorkspacesCommand).resolves(workspaceFrom('wsb-own000001'));
      const event = { ...UPDATE, ResourceProperties: byName, OldResourceProperties: { ...PROPS, BundleId: 'wsb-own000001' } };
      await expect(onEvent(event, deps())).resolves.toMatchObject({ PhysicalResourceId: WORKSPACE_ID });
      expect(workspaces).not.toHaveReceivedCommand(CreateWorkspacesCommand);
    });

    test('the rollback (old and new swapped) of a refused change back to the name is in place: the WorkSpace has that bundle', async () => {
      registered();
      serveBundles();
      workspaces.on(DescribeWorkspacesCommand).resolves(workspaceFrom('wsb-own000001'));
      const rollback = { ...UPDATE, ResourceProperties: byName, OldResourceProperties: { ...PROPS, BundleId: 'wsb-amzn00047' } };
      await expect(onEvent(rollback, deps())).resolves.toMatchObject({ PhysicalResourceId: WORKSPACE_ID });
      expect(workspaces).not.toHaveReceivedCommand(CreateWorkspacesCommand);
    });

    test('a change to a name that does not exist fails with the pre-flight\'s message, before any change', async () => {
      registered();
      serveBundles();
      workspaces.on(DescribeWorkspacesCommand).resolves(workspaceFrom('wsb-12345678'));
      const event = { ...UPDATE, ResourceProperties: { ...byName, BundleName: 'Enginering image' }, OldResourceProperties: PROPS };
      await expect(onEvent(event, deps())).rejects.toThrow(/The closest names: "Engineering image"/);
      expect(workspaces).not.toHaveReceivedCommand(CreateWorkspacesCommand);
    });
  });
});
