/**
 * The local WorkSpaces endpoint, driven only through the real AWS SDK v3 over HTTP.
 */
import {
  CopyWorkspaceImageCommand,
  CreateTagsCommand,
  CreateWorkspacesCommand,
  DeleteTagsCommand,
  DescribeTagsCommand,
  DescribeWorkspaceBundlesCommand,
  DescribeWorkspaceDirectoriesCommand,
  DescribeWorkspacesCommand,
  InvalidParameterValuesException,
  InvalidResourceStateException,
  ModifyWorkspacePropertiesCommand,
  OperationInProgressException,
  paginateDescribeWorkspaces,
  RebootWorkspacesCommand,
  RebuildWorkspacesCommand,
  ResourceLimitExceededException,
  ResourceNotFoundException,
  StartWorkspacesCommand,
  StopWorkspacesCommand,
  TerminateWorkspacesCommand,
  UnsupportedWorkspaceConfigurationException,
  Workspace,
  WorkspaceRequest,
  WorkSpacesClient,
  WorkSpacesServiceException,
} from '@aws-sdk/client-workspaces';
import {
  DEFAULT_BUNDLE_ID,
  DEFAULT_DIRECTORY_ID,
  FAILED_REQUEST_CODES,
  LocalWorkspaces,
  LocalWorkspacesOptions,
  startLocalWorkspaces,
} from './index';

const DIR = DEFAULT_DIRECTORY_ID;
const BUNDLE = DEFAULT_BUNDLE_ID;
const FAST = {
  invisibleMs: 0,
  pendingMs: 0,
  updatingMs: 0,
  terminatingMs: 0,
  terminatedVisibleMs: 0,
  startingMs: 0,
  stoppingMs: 0,
  rebootingMs: 0,
  rebuildingMs: 0,
};

let endpoint: LocalWorkspaces;
let client: WorkSpacesClient;
const extraClients: WorkSpacesClient[] = [];

async function start(options: LocalWorkspacesOptions = {}, maxAttempts = 1): Promise<void> {
  endpoint = await startLocalWorkspaces(options);
  client = newClient(maxAttempts);
}

function newClient(maxAttempts: number, extra: Record<string, unknown> = {}): WorkSpacesClient {
  const c = new WorkSpacesClient({ ...endpoint.clientConfig(), maxAttempts, ...extra });
  extraClients.push(c);
  return c;
}

afterEach(async () => {
  extraClients.splice(0).forEach((c) => c.destroy());
  await endpoint?.stop();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The error a promise rejects with (fails the test if it resolves). */
async function failure(p: Promise<unknown>): Promise<WorkSpacesServiceException> {
  try {
    await p;
  } catch (e) {
    return e as WorkSpacesServiceException;
  }
  throw new Error('expected the call to fail, but it succeeded');
}

async function describe1(id: string): Promise<Workspace | undefined> {
  const out = await client.send(new DescribeWorkspacesCommand({ WorkspaceIds: [id] }));
  return out.Workspaces?.[0];
}

/** Polls until the WorkSpace is described in one of `states` (undefined = not described); returns every state seen on the way. */
async function waitFor(id: string, states: Array<string | undefined>, timeoutMs = 3000): Promise<Array<string | undefined>> {
  const seen: Array<string | undefined> = [];
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const state = (await describe1(id))?.State;
    if (seen[seen.length - 1] !== state || seen.length === 0) seen.push(state);
    if (states.includes(state)) return seen;
    if (Date.now() > deadline) throw new Error(`${id} did not reach ${states.join('|')} (seen ${seen.join(' -> ')})`);
    await sleep(5);
  }
}

async function create(req: Partial<WorkspaceRequest> & { UserName: string }): Promise<string> {
  const out = await client.send(new CreateWorkspacesCommand({ Workspaces: [{ DirectoryId: DIR, BundleId: BUNDLE, ...req }] }));
  expect(out.FailedRequests).toEqual([]);
  return out.PendingRequests![0].WorkspaceId!;
}

async function createAvailable(req: Partial<WorkspaceRequest> & { UserName: string }): Promise<string> {
  const id = await create(req);
  await waitFor(id, ['AVAILABLE']);
  return id;
}

describe('wire protocol', () => {
  test('unknown operation: 400 UnknownOperationException, seen by the SDK and on the wire', async () => {
    await start();
    const err = await failure(client.send(new CopyWorkspaceImageCommand({ Name: 'copy', SourceImageId: 'wsi-123456789', SourceRegion: 'us-west-2' })));
    expect(err.name).toBe('UnknownOperationException');
    expect(err.$metadata.httpStatusCode).toBe(400);

    const res = await fetch(endpoint.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'WorkspacesService.Nope' },
      body: '{}',
    });
    expect(res.status).toBe(400);
    expect(res.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(await res.json()).toEqual({ __type: 'UnknownOperationException', message: expect.stringContaining('Nope') });
  });

  test('malformed JSON: 400 SerializationException', async () => {
    await start();
    const res = await fetch(endpoint.url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': 'WorkspacesService.DescribeWorkspaces' },
      body: '{not json',
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { __type: string }).__type).toBe('SerializationException');
  });

  test('listens on 127.0.0.1 with a free port, and the SDK finds it through AWS_ENDPOINT_URL_WORKSPACES', async () => {
    await start();
    expect(endpoint.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(endpoint.port).toBeGreaterThan(0);
    const saved = process.env.AWS_ENDPOINT_URL_WORKSPACES;
    process.env.AWS_ENDPOINT_URL_WORKSPACES = endpoint.url;
    try {
      const viaEnv = new WorkSpacesClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 1 });
      extraClients.push(viaEnv);
      const out = await viaEnv.send(new DescribeWorkspaceDirectoriesCommand({}));
      expect(out.Directories?.map((d) => d.DirectoryId)).toEqual([DIR]);
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_WORKSPACES;
      else process.env.AWS_ENDPOINT_URL_WORKSPACES = saved;
    }
    expect(endpoint.calls().DescribeWorkspaceDirectories).toBe(1);
  });
});

describe('CreateWorkspaces and the creation lifecycle', () => {
  test('a new id is invisible, then PENDING (with IP and subnet), then AVAILABLE (with computer name)', async () => {
    await start({ timing: { invisibleMs: 150, pendingMs: 200 } });
    const out = await client.send(new CreateWorkspacesCommand({
      Workspaces: [{
        DirectoryId: DIR,
        BundleId: BUNDLE,
        UserName: 'alice',
        WorkspaceProperties: { RunningMode: 'AUTO_STOP', RunningModeAutoStopTimeoutInMinutes: 120 },
        Tags: [{ Key: 'team', Value: 'blue' }],
      }],
    }));
    expect(out.FailedRequests).toEqual([]);
    const pending = out.PendingRequests![0];
    expect(pending.WorkspaceId).toMatch(/^ws-[0-9a-z]{9}$/);
    expect(pending.State).toBe('PENDING');
    expect(pending.IpAddress).toBeUndefined();
    const id = pending.WorkspaceId!;

    // invisible to DescribeWorkspaces, but in the inventory
    expect(await describe1(id)).toBeUndefined();
    expect(endpoint.inventory()).toEqual([expect.objectContaining({ WorkspaceId: id, Visible: false, State: 'PENDING' })]);

    const seen = await waitFor(id, ['AVAILABLE']);
    expect(seen).toEqual([undefined, 'PENDING', 'AVAILABLE']);

    const ws = (await describe1(id))!;
    expect(ws).toMatchObject({
      WorkspaceId: id,
      DirectoryId: DIR,
      UserName: 'alice',
      BundleId: BUNDLE,
      State: 'AVAILABLE',
      RootVolumeEncryptionEnabled: false,
      UserVolumeEncryptionEnabled: false,
      WorkspaceProperties: {
        RunningMode: 'AUTO_STOP',
        RunningModeAutoStopTimeoutInMinutes: 120,
        ComputeTypeName: 'STANDARD',
        RootVolumeSizeGib: 80,
        UserVolumeSizeGib: 50,
        Protocols: ['PCOIP'],
      },
    });
    expect(ws.IpAddress).toMatch(/^10\.\d+\.\d+\.\d+$/);
    expect(ws.SubnetId).toMatch(/^subnet-[0-9a-f]{8}$/);
    expect(ws.ComputerName).toMatch(/^WSAMZN-[0-9A-Z]{8}$/);
    const tags = await client.send(new DescribeTagsCommand({ ResourceId: id }));
    expect(tags.TagList).toEqual([{ Key: 'team', Value: 'blue' }]);
    expect(endpoint.inventory()).toEqual([expect.objectContaining({ WorkspaceId: id, Visible: true, State: 'AVAILABLE', Tags: { team: 'blue' } })]);
  });

  test('per-WorkSpace failures land in FailedRequests with service-like codes', async () => {
    await start({ timing: FAST });
    await createAvailable({ UserName: 'bob' });
    const out = await client.send(new CreateWorkspacesCommand({
      Workspaces: [
        { DirectoryId: DIR, BundleId: BUNDLE, UserName: 'bob' },
        { DirectoryId: DIR, BundleId: BUNDLE, UserName: 'carol' },
        { DirectoryId: DIR, BundleId: BUNDLE, UserName: 'carol' },
        { DirectoryId: 'd-9999999999', BundleId: BUNDLE, UserName: 'dave' },
        { DirectoryId: DIR, BundleId: 'wsb-99999999', UserName: 'erin' },
        { DirectoryId: DIR, BundleId: BUNDLE, UserName: 'frank', WorkspaceProperties: { RunningMode: 'ALWAYS_ON', RunningModeAutoStopTimeoutInMinutes: 60 } },
        { DirectoryId: DIR, BundleId: BUNDLE, UserName: 'grace', WorkspaceProperties: { RunningMode: 'AUTO_STOP', RunningModeAutoStopTimeoutInMinutes: 90 } },
        { DirectoryId: DIR, BundleId: BUNDLE, UserName: 'heidi', WorkspaceProperties: { RootVolumeSizeGib: 100 } },
      ],
    }));
    expect(out.PendingRequests!.map((w) => w.UserName)).toEqual(['carol']);
    expect(out.FailedRequests!.map((f) => [f.WorkspaceRequest?.UserName, f.ErrorCode])).toEqual([
      ['bob', 'ResourceExists.WorkSpace'],
      ['carol', 'ResourceExists.WorkSpace'],
      ['dave', 'ResourceNotFound.Directory'],
      ['erin', 'ResourceNotFound.Bundle'],
      ['frank', 'AutoStopTimeoutIsNotApplicableForAnAlwaysOnWorkspace'],
      ['grace', 'InvalidParameterValuesException'],
      ['heidi', 'InvalidParameterValuesException'],
    ]);
    expect(out.FailedRequests!.every((f) => (f.ErrorMessage ?? '').length > 0)).toBe(true);
    expect(endpoint.inventory().map((w) => w.UserName).sort()).toEqual(['bob', 'carol']);
  });

  test('a directory with a user list rejects unknown users (ResourceNotFound.User)', async () => {
    await start({ timing: FAST });
    endpoint.addDirectory('d-abcdef0123', { users: ['ivan'] });
    const out = await client.send(new CreateWorkspacesCommand({
      Workspaces: [
        { DirectoryId: 'd-abcdef0123', BundleId: BUNDLE, UserName: 'ivan' },
        { DirectoryId: 'd-abcdef0123', BundleId: BUNDLE, UserName: 'judy' },
      ],
    }));
    expect(out.PendingRequests!.map((w) => w.UserName)).toEqual(['ivan']);
    expect(out.FailedRequests!.map((f) => f.ErrorCode)).toEqual([FAILED_REQUEST_CODES.userNotFound]);
  });

  test('26 WorkSpaces in one request, or a 64-character user name: InvalidParameterValuesException, nothing created', async () => {
    await start({ timing: FAST });
    const many = Array.from({ length: 26 }, (_, i) => ({ DirectoryId: DIR, BundleId: BUNDLE, UserName: `user${i}` }));
    const err = await failure(client.send(new CreateWorkspacesCommand({ Workspaces: many })));
    expect(err).toBeInstanceOf(InvalidParameterValuesException);
    expect(err.name).toBe('InvalidParameterValuesException');
    expect(err.message).toMatch(/25/);
    expect(err.$metadata.httpStatusCode).toBe(400);

    const long = await failure(client.send(new CreateWorkspacesCommand({ Workspaces: [{ DirectoryId: DIR, BundleId: BUNDLE, UserName: 'u'.repeat(64) }] })));
    expect(long).toBeInstanceOf(InvalidParameterValuesException);
    expect(endpoint.inventory()).toEqual([]);
  });
});

describe('DescribeWorkspaces', () => {
  test('pagination returns all of 30 WorkSpaces, each once, over pages with NextToken', async () => {
    await start({ timing: FAST });
    const batch = (from: number, n: number) => Array.from({ length: n }, (_, i) => ({ DirectoryId: DIR, BundleId: BUNDLE, UserName: `p${from + i}` }));
    const a = await client.send(new CreateWorkspacesCommand({ Workspaces: batch(0, 25) }));
    const b = await client.send(new CreateWorkspacesCommand({ Workspaces: batch(25, 5) }));
    const created = [...a.PendingRequests!, ...b.PendingRequests!].map((w) => w.WorkspaceId!);
    expect(new Set(created).size).toBe(30);

    const pages: number[] = [];
    const ids: string[] = [];
    let token: string | undefined;
    do {
      const out = await client.send(new DescribeWorkspacesCommand({ DirectoryId: DIR, Limit: 7, NextToken: token }));
      pages.push(out.Workspaces!.length);
      ids.push(...out.Workspaces!.map((w) => w.WorkspaceId!));
      token = out.NextToken;
    } while (token);
    expect(pages).toEqual([7, 7, 7, 7, 2]);
    expect(ids).toEqual(created);

    // default page size is 25; the SDK's paginator follows NextToken
    const first = await client.send(new DescribeWorkspacesCommand({}));
    expect(first.Workspaces).toHaveLength(25);
    expect(first.NextToken).toBeDefined();
    const all: string[] = [];
    for await (const page of paginateDescribeWorkspaces({ client }, {})) all.push(...page.Workspaces!.map((w) => w.WorkspaceId!));
    expect(all).toEqual(created);
  });

  test('filter rules: one filter at a time, UserName needs DirectoryId, Limit 1..25, valid NextToken', async () => {
    await start({ timing: FAST });
    const id = await createAvailable({ UserName: 'kim' });
    await createAvailable({ UserName: 'lee', BundleId: 'wsb-23456789' });
    const bad = [
      { WorkspaceIds: [id], DirectoryId: DIR },
      { WorkspaceIds: [id], BundleId: BUNDLE },
      { DirectoryId: DIR, BundleId: BUNDLE },
      { UserName: 'kim' },
      { WorkspaceIds: [id], UserName: 'kim' },
      { Limit: 0 },
      { Limit: 26 },
      { NextToken: 'garbage' },
      { WorkspaceIds: ['not-an-id'] },
    ];
    for (const input of bad) {
      const err = await failure(client.send(new DescribeWorkspacesCommand(input)));
      expect([JSON.stringify(input), err.name]).toEqual([JSON.stringify(input), 'InvalidParameterValuesException']);
    }
    const byUser = await client.send(new DescribeWorkspacesCommand({ DirectoryId: DIR, UserName: 'kim' }));
    expect(byUser.Workspaces!.map((w) => w.WorkspaceId)).toEqual([id]);
    const byBundle = await client.send(new DescribeWorkspacesCommand({ BundleId: 'wsb-23456789' }));
    expect(byBundle.Workspaces!.map((w) => w.UserName)).toEqual(['lee']);
    const unknown = await client.send(new DescribeWorkspacesCommand({ WorkspaceIds: ['ws-zzzzzzzzz'] }));
    expect(unknown.Workspaces).toEqual([]);
  });
});

describe('ModifyWorkspaceProperties', () => {
  test('only when AVAILABLE or STOPPED; UPDATING then back, with the property applied at the end', async () => {
    await start({ timing: { invisibleMs: 0, pendingMs: 150, updatingMs: 250 } });
    const id = await create({ UserName: 'mia' });
    const early = await failure(client.send(new ModifyWorkspacePropertiesCommand({ WorkspaceId: id, WorkspaceProperties: { ComputeTypeName: 'PERFORMANCE' } })));
    expect(early).toBeInstanceOf(InvalidResourceStateException);
    await waitFor(id, ['AVAILABLE']);

    await client.send(new ModifyWorkspacePropertiesCommand({ WorkspaceId: id, WorkspaceProperties: { ComputeTypeName: 'PERFORMANCE' } }));
    const during = (await describe1(id))!;
    expect(during.State).toBe('UPDATING');
    expect(during.WorkspaceProperties?.ComputeTypeName).toBe('STANDARD');
    expect(during.ModificationStates).toEqual([{ Resource: 'COMPUTE_TYPE', State: 'UPDATE_IN_PROGRESS' }]);

    const busy = await failure(client.send(new ModifyWorkspacePropertiesCommand({
      WorkspaceId: id,
      WorkspaceProperties: { RootVolumeSizeGib: 175 },
    })));
    expect(busy).toBeInstanceOf(OperationInProgressException);
    expect(busy.name).toBe('OperationInProgressException');

    expect(await waitFor(id, ['AVAILABLE'])).toEqual(['UPDATING', 'AVAILABLE']);
    const after = (await describe1(id))!;
    expect(after.WorkspaceProperties?.ComputeTypeName).toBe('PERFORMANCE');
    expect(after.ModificationStates).toEqual([]);
  });

  test('a STOPPED WorkSpace returns to STOPPED', async () => {
    await start({ timing: { ...FAST, updatingMs: 100 } });
    const id = await createAvailable({ UserName: 'ned', WorkspaceProperties: { RunningMode: 'AUTO_STOP' } });
    await client.send(new StopWorkspacesCommand({ StopWorkspaceRequests: [{ WorkspaceId: id }] }));
    await waitFor(id, ['STOPPED']);
    await client.send(new ModifyWorkspacePropertiesCommand({ WorkspaceId: id, WorkspaceProperties: { UserVolumeSizeGib: 100 } }));
    expect(await waitFor(id, ['STOPPED'])).toEqual(['UPDATING', 'STOPPED']);
    expect((await describe1(id))!.WorkspaceProperties).toMatchObject({ RootVolumeSizeGib: 80, UserVolumeSizeGib: 100 });
  });

  test('rejects compute+volume and root+user in one request, shrinking, bad timeouts, unknown ids and GPU protocol changes', async () => {
    await start({ timing: FAST });
    const id = await createAvailable({ UserName: 'olga' });
    const gpu = await createAvailable({ UserName: 'pat', BundleId: 'wsb-67890123' });
    const modify = (WorkspaceId: string, WorkspaceProperties: object) =>
      failure(client.send(new ModifyWorkspacePropertiesCommand({ WorkspaceId, WorkspaceProperties })));

    const both = await modify(id, { ComputeTypeName: 'POWER', RootVolumeSizeGib: 175 });
    expect(both).toBeInstanceOf(InvalidParameterValuesException);
    expect(both.message).toMatch(/compute type and the volume/);
    const volumes = await modify(id, { RootVolumeSizeGib: 175, UserVolumeSizeGib: 100 });
    expect(volumes).toBeInstanceOf(InvalidParameterValuesException);
    expect(volumes.message).toMatch(/root volume and the user volume/);
    expect((await modify(id, { UserVolumeSizeGib: 10 })).name).toBe('InvalidParameterValuesException');
    expect((await modify(id, { RootVolumeSizeGib: 120 })).name).toBe('InvalidParameterValuesException');
    expect((await modify(id, { RunningModeAutoStopTimeoutInMinutes: 120 })).name).toBe('InvalidParameterValuesException');
    expect((await modify(id, { RunningMode: 'AUTO_STOP', RunningModeAutoStopTimeoutInMinutes: 45 })).name).toBe('InvalidParameterValuesException');
    expect((await modify(id, {})).name).toBe('InvalidParameterValuesException');
    expect(await modify('ws-zzzzzzzzz', { ComputeTypeName: 'POWER' })).toBeInstanceOf(ResourceNotFoundException);
    expect(await modify(gpu, { Protocols: ['WSP'] })).toBeInstanceOf(UnsupportedWorkspaceConfigurationException);
    // none of the rejected requests changed anything
    expect((await describe1(id))!).toMatchObject({
      State: 'AVAILABLE',
      WorkspaceProperties: { ComputeTypeName: 'STANDARD', RootVolumeSizeGib: 80, UserVolumeSizeGib: 50, RunningMode: 'ALWAYS_ON' },
    });
  });
});

describe('tags', () => {
  test('CreateTags upserts, DeleteTags removes keys, DescribeTags lists; unknown resource and limits', async () => {
    await start({ timing: FAST });
    const id = await createAvailable({ UserName: 'quinn', Tags: [{ Key: 'a', Value: '1' }] });
    await client.send(new CreateTagsCommand({ ResourceId: id, Tags: [{ Key: 'a', Value: '2' }, { Key: 'b', Value: '3' }, { Key: 'c', Value: '' }] }));
    let tags = await client.send(new DescribeTagsCommand({ ResourceId: id }));
    expect(tags.TagList).toEqual([{ Key: 'a', Value: '2' }, { Key: 'b', Value: '3' }, { Key: 'c', Value: '' }]);
    await client.send(new DeleteTagsCommand({ ResourceId: id, TagKeys: ['a', 'c', 'absent'] }));
    tags = await client.send(new DescribeTagsCommand({ ResourceId: id }));
    expect(tags.TagList).toEqual([{ Key: 'b', Value: '3' }]);

    for (const cmd of [
      new DescribeTagsCommand({ ResourceId: 'ws-zzzzzzzzz' }),
      new CreateTagsCommand({ ResourceId: 'ws-zzzzzzzzz', Tags: [{ Key: 'x', Value: 'y' }] }),
      new DeleteTagsCommand({ ResourceId: 'ws-zzzzzzzzz', TagKeys: ['x'] }),
    ]) {
      expect(await failure(client.send(cmd as any))).toBeInstanceOf(ResourceNotFoundException);
    }
    const fifty = Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' }));
    const tooMany = await failure(client.send(new CreateTagsCommand({ ResourceId: id, Tags: fifty })));
    expect(tooMany).toBeInstanceOf(ResourceLimitExceededException);
    await client.send(new CreateTagsCommand({ ResourceId: id, Tags: fifty.slice(0, 49) })); // 49 + 'b' = 50
    expect((await client.send(new DescribeTagsCommand({ ResourceId: id }))).TagList).toHaveLength(50);
    expect((await failure(client.send(new CreateTagsCommand({ ResourceId: id, Tags: [{ Key: 'aws:x', Value: 'y' }] })))).name).toBe('InvalidParameterValuesException');
    expect((await failure(client.send(new CreateTagsCommand({ ResourceId: id, Tags: [{ Key: 'k'.repeat(128), Value: 'y' }] })))).name).toBe('InvalidParameterValuesException');
  });
});

describe('TerminateWorkspaces', () => {
  test('TERMINATING, then TERMINATED briefly, then gone; the user can have a new WorkSpace', async () => {
    // Windows long enough that a loaded machine still sees each state at least once.
    await start({ timing: { ...FAST, terminatingMs: 1000, terminatedVisibleMs: 1000 } });
    const id = await createAvailable({ UserName: 'rita' });
    const out = await client.send(new TerminateWorkspacesCommand({ TerminateWorkspaceRequests: [{ WorkspaceId: id }] }));
    expect(out.FailedRequests).toEqual([]);
    expect((await describe1(id))!.State).toBe('TERMINATING');
    // terminating again is accepted and changes nothing
    expect((await client.send(new TerminateWorkspacesCommand({ TerminateWorkspaceRequests: [{ WorkspaceId: id }] }))).FailedRequests).toEqual([]);
    expect(await waitFor(id, [undefined], 10_000)).toEqual(['TERMINATING', 'TERMINATED', undefined]);
    expect(endpoint.inventory()).toEqual([]);
    await createAvailable({ UserName: 'rita' });
  });

  test('unknown id: FailedRequests ResourceNotFound.Workspace; SUSPENDED: FailedRequests InvalidResourceState', async () => {
    await start({ timing: FAST });
    const suspended = endpoint.seedWorkspace({ UserName: 'sam', State: 'SUSPENDED' });
    const out = await client.send(new TerminateWorkspacesCommand({
      TerminateWorkspaceRequests: [{ WorkspaceId: 'ws-zzzzzzzzz' }, { WorkspaceId: suspended.WorkspaceId }],
    }));
    expect(out.FailedRequests).toEqual([
      { WorkspaceId: 'ws-zzzzzzzzz', ErrorCode: 'ResourceNotFound.Workspace', ErrorMessage: expect.any(String) },
      { WorkspaceId: suspended.WorkspaceId, ErrorCode: 'InvalidResourceState', ErrorMessage: expect.stringContaining('SUSPENDED') },
    ]);
    expect((await describe1(suspended.WorkspaceId))!.State).toBe('SUSPENDED');
    const tooMany = Array.from({ length: 26 }, () => ({ WorkspaceId: 'ws-zzzzzzzzz' }));
    const tooManyErr = await failure(client.send(new TerminateWorkspacesCommand({ TerminateWorkspaceRequests: tooMany })));
    expect(tooManyErr).toBeInstanceOf(InvalidParameterValuesException);
  });

  test('a WorkSpace still in its invisible window can be terminated', async () => {
    await start({ timing: { ...FAST, invisibleMs: 300 } });
    const id = await create({ UserName: 'tom' });
    const out = await client.send(new TerminateWorkspacesCommand({ TerminateWorkspaceRequests: [{ WorkspaceId: id }] }));
    expect(out.FailedRequests).toEqual([]);
    expect(endpoint.inventory()).toEqual([]);
  });
});

describe('Start, Stop, Reboot, Rebuild', () => {
  test('STOPPING -> STOPPED -> STARTING -> AVAILABLE for AUTO_STOP; ALWAYS_ON cannot be stopped', async () => {
    await start({ timing: { ...FAST, stoppingMs: 100, startingMs: 100, rebootingMs: 100, rebuildingMs: 100 } });
    const id = await createAvailable({ UserName: 'uma', WorkspaceProperties: { RunningMode: 'AUTO_STOP' } });
    const always = await createAvailable({ UserName: 'vic' });
    const stop = await client.send(new StopWorkspacesCommand({ StopWorkspaceRequests: [{ WorkspaceId: id }, { WorkspaceId: always }] }));
    expect(stop.FailedRequests!.map((f) => [f.WorkspaceId, f.ErrorCode]))
      .toEqual([[always, FAILED_REQUEST_CODES.unsupportedConfiguration]]);
    expect(await waitFor(id, ['STOPPED'])).toEqual(['STOPPING', 'STOPPED']);
    const startAgain = await client.send(new StartWorkspacesCommand({ StartWorkspaceRequests: [{ WorkspaceId: id }] }));
    expect(startAgain.FailedRequests).toEqual([]);
    expect(await waitFor(id, ['AVAILABLE'])).toEqual(['STARTING', 'AVAILABLE']);
    const startAvailable = await client.send(new StartWorkspacesCommand({ StartWorkspaceRequests: [{ WorkspaceId: id }] }));
    expect(startAvailable.FailedRequests!.map((f) => f.ErrorCode)).toEqual(['InvalidResourceState']);

    await client.send(new RebootWorkspacesCommand({ RebootWorkspaceRequests: [{ WorkspaceId: always }] }));
    expect(await waitFor(always, ['AVAILABLE'])).toEqual(['REBOOTING', 'AVAILABLE']);
    await client.send(new RebuildWorkspacesCommand({ RebuildWorkspaceRequests: [{ WorkspaceId: always }] }));
    expect(await waitFor(always, ['AVAILABLE'])).toEqual(['REBUILDING', 'AVAILABLE']);
  });
});

describe('directories and bundles', () => {
  test('seeded directory and bundles; more can be added', async () => {
    await start();
    endpoint.addDirectory('d-0123456789abcdef', { DirectoryName: 'second.example.com' });
    endpoint.addBundle('wsb-own000001', { name: 'Ours', computeType: 'POWERPRO', rootVolumeSizeGib: 175, userVolumeSizeGib: 100 });
    const dirs = await client.send(new DescribeWorkspaceDirectoriesCommand({}));
    expect(dirs.Directories!.map((d) => [d.DirectoryId, d.State, d.DirectoryName])).toEqual([
      [DIR, 'REGISTERED', 'corp.example.com'],
      ['d-0123456789abcdef', 'REGISTERED', 'second.example.com'],
    ]);
    expect(dirs.Directories![0].SubnetIds).toHaveLength(2);
    const one = await client.send(new DescribeWorkspaceDirectoriesCommand({ DirectoryIds: [DIR] }));
    expect(one.Directories).toHaveLength(1);

    const amazon = await client.send(new DescribeWorkspaceBundlesCommand({ Owner: 'AMAZON' }));
    expect(amazon.Bundles!.map((b) => b.BundleId)).toContain(BUNDLE);
    const std = amazon.Bundles!.find((b) => b.BundleId === BUNDLE)!;
    expect(std).toMatchObject({ ComputeType: { Name: 'STANDARD' }, RootStorage: { Capacity: '80' }, UserStorage: { Capacity: '50' }, Owner: 'AMAZON' });
    expect(std.CreationTime).toBeInstanceOf(Date);
    const own = await client.send(new DescribeWorkspaceBundlesCommand({}));
    expect(own.Bundles!.map((b) => [b.BundleId, b.ComputeType?.Name])).toEqual([['wsb-own000001', 'POWERPRO']]);
    const err = await failure(client.send(new DescribeWorkspaceBundlesCommand({ BundleIds: [BUNDLE], Owner: 'AMAZON' })));
    expect(err).toBeInstanceOf(InvalidParameterValuesException);
  });
});

describe('fault injection', () => {
  test('throttleRate: ThrottlingException (400), counted; the SDK retries through a partial rate', async () => {
    await start({ faults: { throttleRate: 1 } });
    const err = await failure(client.send(new DescribeWorkspacesCommand({})));
    expect(err.name).toBe('ThrottlingException');
    expect(err.$metadata.httpStatusCode).toBe(400);
    expect(endpoint.calls()).toMatchObject({ 'total': 1, 'DescribeWorkspaces': 1, 'fault:throttle': 1, 'faults': 1, 'error:ThrottlingException': 1 });

    endpoint.faults.throttleRate = 0.5;
    endpoint.resetCalls();
    const retrying = newClient(10);
    for (let i = 0; i < 5; i++) await retrying.send(new DescribeWorkspacesCommand({}));
    const calls = endpoint.calls();
    expect(calls.DescribeWorkspaces).toBe(5 + calls['fault:throttle']);
    expect(calls['fault:throttle']).toBeGreaterThan(0);
  });

  test('serverErrorRate: 500 InternalFailure or 503 ServiceUnavailable', async () => {
    await start({ faults: { serverErrorRate: 1 } });
    const seen = new Set<string>();
    for (let i = 0; i < 12; i++) {
      const err = await failure(client.send(new DescribeWorkspacesCommand({})));
      expect(['InternalFailure:500', 'ServiceUnavailable:503']).toContain(`${err.name}:${err.$metadata.httpStatusCode}`);
      expect(err).toBeInstanceOf(WorkSpacesServiceException);
      seen.add(err.name);
    }
    expect([...seen].sort()).toEqual(['InternalFailure', 'ServiceUnavailable']);
    expect(endpoint.calls()['fault:serverError']).toBe(12);
    endpoint.resetFaults();
    expect((await client.send(new DescribeWorkspacesCommand({}))).Workspaces).toEqual([]);
  });

  test('faults.operations limits request faults to some operations', async () => {
    await start({ faults: { throttleRate: 1, operations: ['CreateWorkspaces'] } });
    expect((await client.send(new DescribeWorkspacesCommand({}))).Workspaces).toEqual([]);
    const create1 = new CreateWorkspacesCommand({ Workspaces: [{ DirectoryId: DIR, BundleId: BUNDLE, UserName: 'w' }] });
    expect((await failure(client.send(create1))).name).toBe('ThrottlingException');
    expect(endpoint.inventory()).toEqual([]);
  });

  test('forceErrorForUser: PENDING -> ERROR with ErrorCode and ErrorMessage', async () => {
    await start({ timing: { ...FAST, pendingMs: 100 } });
    endpoint.faults.forceErrorForUser = 'xena';
    endpoint.faults.forcedErrorCode = 'ResourceLimitExceeded.Subnet';
    const bad = await create({ UserName: 'xena' });
    const good = await create({ UserName: 'yan' });
    expect(await waitFor(bad, ['ERROR'])).toEqual(['PENDING', 'ERROR']);
    expect((await describe1(bad))!).toMatchObject({ State: 'ERROR', ErrorCode: 'ResourceLimitExceeded.Subnet', ErrorMessage: expect.stringContaining('xena') });
    expect((await describe1(good))!.State).toBe('AVAILABLE');
    expect(endpoint.calls()['fault:forcedError']).toBe(1);
    // an ERROR WorkSpace can still be terminated
    await client.send(new TerminateWorkspacesCommand({ TerminateWorkspaceRequests: [{ WorkspaceId: bad }] }));
    await waitFor(bad, [undefined]);
  });

  test('invisibleMs override: a longer invisible window for new WorkSpaces', async () => {
    await start({ timing: { ...FAST, invisibleMs: 0 } });
    endpoint.faults.invisibleMs = 400;
    const id = await create({ UserName: 'zoe' });
    await sleep(200);
    expect(await describe1(id)).toBeUndefined();
    expect(endpoint.inventory()[0]).toMatchObject({ WorkspaceId: id, Visible: false });
    expect((await waitFor(id, ['AVAILABLE']))[0]).toBeUndefined();
  });

  test('rateLimitPerSecond: a token bucket; excess requests get ThrottlingException, and SDK retries get through', async () => {
    await start({ faults: { rateLimitPerSecond: 5 } });
    const results = await Promise.allSettled(Array.from({ length: 12 }, () => client.send(new DescribeWorkspacesCommand({}))));
    const ok = results.filter((r) => r.status === 'fulfilled').length;
    const throttled = results.filter((r) => r.status === 'rejected' && (r.reason as Error).name === 'ThrottlingException').length;
    expect([ok, throttled]).toEqual([5, 7]);
    expect(endpoint.calls()['fault:rateLimit']).toBe(7);

    await sleep(1000); // bucket refills
    endpoint.resetCalls();
    const retrying = newClient(20);
    const started = Date.now();
    await Promise.all(Array.from({ length: 8 }, () => retrying.send(new DescribeWorkspacesCommand({}))));
    expect(endpoint.calls().DescribeWorkspaces - endpoint.calls()['fault:rateLimit']).toBe(8);
    expect(Date.now() - started).toBeGreaterThanOrEqual(400); // 3 over the burst of 5, at 5/s
  });

  test('the same seed gives the same ids', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 2; i++) {
      await start({ seed: 42, timing: FAST });
      ids.push(await create({ UserName: 'same' }));
      extraClients.splice(0).forEach((c) => c.destroy());
      await endpoint.stop();
    }
    expect(ids[0]).toBe(ids[1]);
    await start({ seed: 43, timing: FAST });
    expect(await create({ UserName: 'same' })).not.toBe(ids[0]);
  });
});
