/**
 * Cross-check: the handler's WorkSpaces calls against moto_server (a third-party implementation
 * of the same API, https://github.com/getmoto/moto) and against the project's local endpoint
 * (test/local/endpoint), with identical requests, comparing response shapes (sorted key sets and
 * value types, never values such as ids) and error codes on the subset both implement.
 *
 * Run with `bash test/moto/run.sh` (or `npx projen test:moto`): it installs moto in .venv-moto,
 * starts moto_server, registers a directory there (EC2 VPC + two subnets, Directory Service
 * SimpleAD, WorkSpaces RegisterWorkspaceDirectory; done with boto3 in setup_moto.py because
 * @aws-sdk/client-ec2 and @aws-sdk/client-directory-service are not dependencies) and passes
 * MOTO_ENDPOINT, MOTO_SETUP (JSON: directoryId, subnetIds; brownfieldDirectoryId for
 * brownfield.crosscheck.ts) and MOTO_LOG (the server's log).
 * The same directory id (with moto's subnets) and a bundle are seeded into the local endpoint.
 * Not part of `npm test` (the file is not named *.test.ts) since it needs moto_server.
 *
 * Timing (handled by the tests, not hidden):
 * - moto creates a WorkSpace AVAILABLE at once: CreateWorkspaces' PendingRequests already say
 *   State AVAILABLE, and the first DescribeWorkspaces shows it. There is no invisible window and
 *   no PENDING. The local endpoint, like the service, answers PENDING, keeps a new id invisible
 *   for a moment and goes PENDING -> AVAILABLE. So the handler's isComplete completes at its
 *   first poll on moto and after several on the local endpoint; the tests poll both.
 * - moto removes a terminated WorkSpace at once (no TERMINATING, no TERMINATED): the handler's
 *   Delete is complete at its first poll; on the local endpoint it goes through TERMINATING.
 *
 * Differences found (moto 5.2.x vs the local endpoint; each asserted below, per side):
 * - PendingRequests: moto drops every empty or false field, so it has no encryption flags; the
 *   local endpoint sends RootVolumeEncryptionEnabled/UserVolumeEncryptionEnabled false. State is
 *   AVAILABLE (moto) vs PENDING (local).
 * - DescribeWorkspaces: moto has no IpAddress, SubnetId, ComputerName (it never assigns them),
 *   no encryption flags when false and no empty ModificationStates; its WorkspaceProperties echo
 *   the request (plus RunningMode), without the local endpoint's OperatingSystemName. So the
 *   handler's attributes IpAddress, ComputerName and SubnetId are '' on moto.
 * - The UserName filter of DescribeWorkspaces is case-sensitive in moto, case-insensitive in
 *   the local endpoint.
 * - moto does not model bundles: it has no DescribeWorkspaceBundles and accepts any BundleId;
 *   the local endpoint fails an unknown bundle with ResourceNotFound.Bundle. So on moto's side
 *   the pre-flight's one bundle read (by id) is answered with the bundle seeded locally
 *   (MotoWorkspacesApi); its directory read is moto's own.
 * - moto does not enforce one WorkSpace per user per directory: a duplicate is created; the
 *   local endpoint (like the service) fails it with ResourceExists.WorkSpace.
 * - TerminateWorkspaces of an unknown id: moto's FailedRequests ErrorCode is "400", the local
 *   endpoint's is ResourceNotFound.Workspace. The handler's terminate() maps the local code to
 *   'not-found' but throws on moto's "400" (the handler only terminates a WorkSpace it has just
 *   described, so this does not happen in its normal path).
 * - A DirectoryId that breaks the id pattern in CreateWorkspaces: moto answers the whole request
 *   with ValidationException (and requires exactly 10 hex digits), the local endpoint with
 *   InvalidParameterValuesException (it takes 8..63, the API model's pattern).
 * - CreateTags with an existing key: moto appends a second tag with the same key, the local
 *   endpoint (like the service) replaces the value. The handler still converges on moto, since
 *   its tag map keeps the last value.
 * - CreateTags/DescribeTags on an unknown WorkSpace: moto fails with HTTP 500 (an unhandled
 *   KeyError), the local endpoint with ResourceNotFoundException.
 * - Not implemented in moto (HTTP 500 with an HTML page, which the SDK reports as a
 *   deserialization error named SyntaxError; moto's log says "... action has not been implemented"):
 *   ModifyWorkspaceProperties, DeleteTags, DescribeWorkspaceBundles. A test asserts this, so the
 *   day moto implements one of them this suite fails and the cross-check should be extended.
 * - Images (issue 22): moto implements CreateWorkspaceImage and DescribeWorkspaceImages only, and
 *   makes an image AVAILABLE at once (the local endpoint, like the service, PENDING for the capture
 *   time); it has no OperatingSystem (empty, so dropped) and does not check the source WorkSpace's
 *   state. DeleteWorkspaceImage, CreateWorkspaceBundle, UpdateWorkspaceBundle and
 *   DeleteWorkspaceBundle are not implemented in moto, so custom bundles are not cross-checked.
 *   Same on both: ResourceNotFoundException for an unknown source WorkSpace,
 *   ResourceAlreadyExistsException for a name the account has, an image id `wsi-` + 9 characters.
 * Same on both: DescribeWorkspaceDirectories (the pre-flight's directory check: REGISTERED for
 * the registered one, an empty list for an unknown id), ResourceNotFound.Directory for an
 * unregistered directory, the shape of
 * FailedRequests entries, DescribeWorkspaces by id or by DirectoryId+UserName, an empty list for
 * an unknown id, TagList, TerminateWorkspaces' answer, and InvalidParameterValuesException for
 * DescribeWorkspaces with WorkspaceIds and DirectoryId together or UserName without DirectoryId.
 */
import { existsSync, readFileSync } from 'fs';
import {
  CreateTagsCommand,
  CreateWorkspaceBundleCommand,
  CreateWorkspaceImageCommand,
  CreateWorkspacesCommand,
  CreateWorkspacesCommandOutput,
  DeleteTagsCommand,
  DeleteWorkspaceImageCommand,
  DescribeTagsCommand,
  DescribeWorkspaceImagesCommand,
  DescribeWorkspaceBundlesCommand,
  DescribeWorkspacesCommand,
  InvalidParameterValuesException,
  ModifyWorkspacePropertiesCommand,
  TerminateWorkspacesCommand,
  Workspace,
  WorkspaceBundle,
  WorkspaceRequest,
  WorkSpacesClient,
} from '@aws-sdk/client-workspaces';
import { sdkErrorOf, WorkspacesApi } from '../../lambda/api';
import { HandlerDeps, IsCompleteResult, WorkspaceIsCompleteEvent, WorkspaceResourceEvent } from '../../lambda/core/contract';
import { ownershipMarking } from '../../lambda/core/ownership';
import { parseProperties } from '../../lambda/parse';
import { creationRequest } from '../../lambda/plan';
import { isComplete, onEvent } from '../../lambda/router';
import { OWNERSHIP_TAG_KEY, WORKSPACE_ID_PATTERN } from '../../src/private/rules';
import { LocalWorkspaces, startLocalWorkspaces } from '../local/endpoint';

jest.setTimeout(60_000);

// ------------------------------------------------------------------ setup from run.sh

const MOTO_ENDPOINT = requiredEnv('MOTO_ENDPOINT');
const MOTO_SETUP = JSON.parse(requiredEnv('MOTO_SETUP')) as { directoryId: string; subnetIds: string[] };
const MOTO_LOG = process.env.MOTO_LOG;

/** The directory registered in moto by setup_moto.py, and seeded into the local endpoint. */
const DIRECTORY_ID = MOTO_SETUP.directoryId;
/** moto accepts any bundle id (it has no bundles); seeded into the local endpoint. */
const BUNDLE_ID = 'wsb-crosscheck1';
/** Well-formed for both (moto wants exactly 10 hex digits), registered in neither. */
const UNKNOWN_DIRECTORY_ID = 'd-ffffffff00';
const UNKNOWN_WORKSPACE_ID = 'ws-0zz0zz0zz';

const STACK_ID = 'arn:aws:cloudformation:us-east-1:123456789012:stack/crosscheck/6f1c2b9e-0d4a-4e55-9a1e-2c3d4e5f6a7b';
const REQUEST_ID = '3d6f9a12-7b8c-4d5e-8f90-a1b2c3d4e5f6';
/** The ownership tag value of a WorkSpace that a Create of baseEvent() makes. */
const OWNER = ownershipMarking(STACK_ID, 'Desk', REQUEST_ID, 'created');

type Side = 'moto' | 'local';
const SIDES: readonly Side[] = ['moto', 'local'];

interface Target {
  readonly side: Side;
  readonly client: WorkSpacesClient;
  readonly api: WorkspacesApi;
}

/** The bundle seeded into the local endpoint, as DescribeWorkspaceBundles describes it there. */
let seededBundle: WorkspaceBundle | undefined;

/**
 * moto has no DescribeWorkspaceBundles (asserted below): the pre-flight's read of the bundle by
 * id is answered with the bundle the local endpoint describes, every other call is moto's.
 */
class MotoWorkspacesApi extends WorkspacesApi {
  async bundle(bundleId: string): Promise<WorkspaceBundle | undefined> {
    return bundleId === seededBundle?.BundleId ? seededBundle : undefined;
  }
}

let local: LocalWorkspaces;
let targets: Record<Side, Target>;

beforeAll(async () => {
  // PENDING and TERMINATING last long enough that a slow CI machine still sees them.
  local = await startLocalWorkspaces({ seed: 42, timing: { pendingMs: 500, terminatingMs: 1_000 } });
  local.addDirectory(DIRECTORY_ID, { SubnetIds: MOTO_SETUP.subnetIds });
  local.addBundle(BUNDLE_ID, { computeType: 'STANDARD', rootVolumeSizeGib: 80, userVolumeSizeGib: 50, protocol: 'PCOIP' });
  const target = (side: Side, endpoint: string): Target => {
    const client = new WorkSpacesClient({
      endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'testing', secretAccessKey: 'testing' },
      maxAttempts: 1,
    });
    return { side, client, api: side === 'moto' ? new MotoWorkspacesApi(client) : new WorkspacesApi(client) };
  };
  targets = { moto: target('moto', MOTO_ENDPOINT), local: target('local', local.url) };
  seededBundle = await targets.local.api.bundle(BUNDLE_ID);
});

afterAll(async () => {
  targets?.moto.client.destroy();
  targets?.local.client.destroy();
  await local?.stop();
});

// ------------------------------------------------------------------ the handler's path

describe("the handler's Create, isComplete, tag update and Delete", () => {
  test('run to completion on both, with the same attributes (moto: no address, computer name or subnet)', async () => {
    const outcome: Partial<Record<Side, {
      createPolls: number; created: IsCompleteResult; tagsAfterUpdate: Array<{ Key?: string; Value?: string }>; deletePolls: number;
    }>> = {};
    for (const side of SIDES) {
      const { api, client } = targets[side];
      const deps: HandlerDeps = { api, log: () => {} };
      const props = resourceProperties(newUser('handler'), [{ Key: 'team', Value: 'desk' }]);
      const create: WorkspaceResourceEvent = { ...baseEvent(), RequestType: 'Create', ResourceProperties: props };

      const started = await onEvent(create, deps);
      expect(started.PhysicalResourceId).toMatch(WORKSPACE_ID_PATTERN);
      const createDone = await pollUntilComplete({ ...create, ...started }, deps);

      // In place: one tag's value changes, one is added. The handler takes one CreateTags step.
      const newProps = { ...props, Tags: [{ Key: 'team', Value: 'desks' }, { Key: 'cost', Value: 'cc-1' }] };
      const update: WorkspaceResourceEvent = {
        ...baseEvent(),
        RequestType: 'Update',
        PhysicalResourceId: started.PhysicalResourceId,
        ResourceProperties: newProps,
        OldResourceProperties: props,
      };
      const updated = await onEvent(update, deps);
      expect(updated.PhysicalResourceId).toBe(started.PhysicalResourceId);
      const updateDone = await pollUntilComplete({ ...update, ...updated }, deps);
      expect(updateDone.polls).toBe(2); // CreateTags, then complete
      const tagList = (await client.send(new DescribeTagsCommand({ ResourceId: started.PhysicalResourceId }))).TagList ?? [];
      expect(await api.tags(started.PhysicalResourceId)).toEqual({
        [OWNERSHIP_TAG_KEY]: OWNER,
        team: 'desks',
        cost: 'cc-1',
      });

      const del: WorkspaceResourceEvent = { ...baseEvent(), RequestType: 'Delete', PhysicalResourceId: started.PhysicalResourceId, ResourceProperties: newProps };
      const deleting = await onEvent(del, deps);
      const deleteDone = await pollUntilComplete({ ...del, ...deleting }, deps);
      expect(deleteDone.result).toEqual({ IsComplete: true });
      // Gone, or (local endpoint only, briefly) TERMINATED, which the handler counts as gone.
      const after = await api.describe(started.PhysicalResourceId);
      expect(side === 'moto' ? [undefined] : [undefined, 'TERMINATED']).toContain(after?.State);

      outcome[side] = { createPolls: createDone.polls, created: createDone.result, tagsAfterUpdate: tagList, deletePolls: deleteDone.polls };
    }
    const moto = outcome.moto!;
    const loc = outcome.local!;

    // The attributes the construct exposes: same keys and types, State AVAILABLE on both.
    expect(shape(moto.created)).toEqual(shape(loc.created));
    expect(moto.created.Data?.State).toBe('AVAILABLE');
    expect(loc.created.Data?.State).toBe('AVAILABLE');
    // moto never assigns an address, a computer name or a subnet; the local endpoint does.
    expect(pick(moto.created.Data, ['IpAddress', 'ComputerName', 'SubnetId'])).toEqual({ IpAddress: '', ComputerName: '', SubnetId: '' });
    expect(loc.created.Data?.IpAddress).not.toBe('');
    expect(loc.created.Data?.ComputerName).toMatch(/^WSAMZN-/);
    expect(MOTO_SETUP.subnetIds).toContain(loc.created.Data?.SubnetId);

    // Timing: moto is AVAILABLE at the first poll and gone at the first Delete poll.
    expect(moto.createPolls).toBe(1);
    expect(loc.createPolls).toBeGreaterThan(1);
    expect(moto.deletePolls).toBe(1);
    expect(loc.deletePolls).toBeGreaterThan(1);

    // CreateTags with an existing key: the local endpoint replaces the value, moto appends.
    expect(sortTags(loc.tagsAfterUpdate).map((t) => t.Key)).toEqual(['cdk-workspaces:owner', 'cost', 'team']);
    expect(sortTags(moto.tagsAfterUpdate).map((t) => `${t.Key}=${t.Value}`)).toEqual([
      `${OWNERSHIP_TAG_KEY}=${OWNER}`, 'cost=cc-1', 'team=desk', 'team=desks',
    ]);
  });
});

// ------------------------------------------------------------------ CreateWorkspaces

describe('CreateWorkspaces', () => {
  test('PendingRequests: the same fields, except the encryption flags (false) and OperatingSystemName moto leaves out; State AVAILABLE vs PENDING', async () => {
    const out = await both((t) => t.client.send(new CreateWorkspacesCommand({ Workspaces: [handlerRequest(newUser('create'))] })));
    for (const side of SIDES) {
      expect(out[side].FailedRequests).toEqual([]);
      expect(out[side].PendingRequests).toHaveLength(1);
      const pending = out[side].PendingRequests![0];
      expect(pending.WorkspaceId).toMatch(WORKSPACE_ID_PATTERN);
      // Neither says where or what the WorkSpace is before it exists.
      for (const absent of ['IpAddress', 'ComputerName', 'SubnetId', 'ErrorCode', 'ErrorMessage']) {
        expect(pending).not.toHaveProperty(absent);
      }
    }
    expect(out.moto.PendingRequests![0].State).toBe('AVAILABLE');
    expect(out.local.PendingRequests![0].State).toBe('PENDING');
    compareShapes(out.moto.PendingRequests![0], out.local.PendingRequests![0], {
      localOnly: ['RootVolumeEncryptionEnabled', 'UserVolumeEncryptionEnabled', 'WorkspaceProperties.OperatingSystemName'],
    });
    expect(shape(withoutPending(out.moto))).toEqual(shape(withoutPending(out.local)));
  });

  test('the pre-flight\'s directory check: the registered directory is REGISTERED on both, an unknown id is absent on both', async () => {
    const registered = await both((t) => t.api.directory(DIRECTORY_ID));
    const unknown = await both((t) => t.api.directory(UNKNOWN_DIRECTORY_ID));
    for (const side of SIDES) {
      expect(registered[side]).toMatchObject({ DirectoryId: DIRECTORY_ID, State: 'REGISTERED' });
      expect(unknown[side]).toBeUndefined();
    }
  });

  test('an unregistered directory: ResourceNotFound.Directory on both, FailedRequests entries of the same shape', async () => {
    const request = { ...handlerRequest(newUser('nodir')), DirectoryId: UNKNOWN_DIRECTORY_ID };
    expect(UNKNOWN_DIRECTORY_ID).not.toBe(DIRECTORY_ID);
    const out = await both((t) => t.client.send(new CreateWorkspacesCommand({ Workspaces: [request] })));
    for (const side of SIDES) {
      expect(out[side].PendingRequests).toEqual([]);
      expect(out[side].FailedRequests).toHaveLength(1);
      expect(out[side].FailedRequests![0].ErrorCode).toBe('ResourceNotFound.Directory');
      expect(out[side].FailedRequests![0].ErrorMessage).toEqual(expect.any(String));
    }
    compareShapes(out.moto.FailedRequests![0], out.local.FailedRequests![0], {});

    // Through the handler's own call: the same refusal, with the code in the message.
    const refused = await both((t) => t.api.create(request).then(() => 'created', (e: Error) => e.message));
    for (const side of SIDES) {
      expect(refused[side]).toMatch(/^CreateWorkspaces refused .* ResourceNotFound\.Directory: /);
    }
  });

  test('a second WorkSpace of the same user in the same directory: ResourceExists.WorkSpace locally, created by moto', async () => {
    const user = newUser('dup');
    const first = await both((t) => t.api.create(handlerRequest(user)));
    await both((t) => waitForState(t.api, first[t.side], 'AVAILABLE'));
    const second = await both((t) => t.client.send(new CreateWorkspacesCommand({ Workspaces: [handlerRequest(user)] })));
    expect(second.local.PendingRequests).toEqual([]);
    expect(second.local.FailedRequests?.map((f) => f.ErrorCode)).toEqual(['ResourceExists.WorkSpace']);
    // moto does not enforce one WorkSpace per user per directory.
    expect(second.moto.FailedRequests).toEqual([]);
    expect(second.moto.PendingRequests).toHaveLength(1);
    const found = await both((t) => t.api.findByUser(DIRECTORY_ID, user));
    expect(found.moto).toHaveLength(2);
    expect(found.local).toHaveLength(1);
    await terminateAll([first.moto, second.moto.PendingRequests![0].WorkspaceId!], [first.local]);
  });

  test('an unknown bundle: ResourceNotFound.Bundle locally, accepted by moto (it has no bundles)', async () => {
    const request = { ...handlerRequest(newUser('nobundle')), BundleId: 'wsb-nosuchbundle' };
    const out = await both((t) => t.client.send(new CreateWorkspacesCommand({ Workspaces: [request] })));
    expect(out.local.FailedRequests?.map((f) => f.ErrorCode)).toEqual(['ResourceNotFound.Bundle']);
    expect(out.local.PendingRequests).toEqual([]);
    expect(out.moto.FailedRequests).toEqual([]);
    expect(out.moto.PendingRequests).toHaveLength(1);
    await terminateAll([out.moto.PendingRequests![0].WorkspaceId!], []);
  });

  test('a DirectoryId that breaks the id pattern: ValidationException from moto, InvalidParameterValuesException locally', async () => {
    const request = { ...handlerRequest(newUser('baddir')), DirectoryId: 'd-nothex' };
    const err = await both((t) => errorOf(t.client.send(new CreateWorkspacesCommand({ Workspaces: [request] }))));
    expect(err.moto).toEqual({ name: 'ValidationException', status: 400 });
    expect(err.local).toEqual({ name: 'InvalidParameterValuesException', status: 400 });
  });
});

// ------------------------------------------------------------------ DescribeWorkspaces

describe('DescribeWorkspaces', () => {
  test('by DirectoryId + UserName and by WorkspaceIds: the same WorkSpace fields, apart from those moto never sets', async () => {
    const user = newUser('describe');
    const ids = await both((t) => t.api.create(handlerRequest(user)));
    await both((t) => waitForState(t.api, ids[t.side], 'AVAILABLE'));

    const byUser = await both((t) => t.client.send(new DescribeWorkspacesCommand({ DirectoryId: DIRECTORY_ID, UserName: user })));
    const byId = await both((t) => t.client.send(new DescribeWorkspacesCommand({ WorkspaceIds: [ids[t.side]] })));
    for (const out of [byUser, byId]) {
      for (const side of SIDES) {
        expect(out[side].Workspaces).toHaveLength(1);
        const ws = out[side].Workspaces![0];
        expect(ws).toMatchObject({ WorkspaceId: ids[side], DirectoryId: DIRECTORY_ID, UserName: user, BundleId: BUNDLE_ID, State: 'AVAILABLE' });
        expect(ws.WorkspaceProperties).toEqual(expect.objectContaining({
          RunningMode: 'AUTO_STOP',
          RunningModeAutoStopTimeoutInMinutes: 60,
          ComputeTypeName: 'STANDARD',
          RootVolumeSizeGib: 80,
          UserVolumeSizeGib: 50,
          Protocols: ['PCOIP'],
        }));
      }
      expect(Object.keys(out.moto.Workspaces![0].WorkspaceProperties!).sort()).toEqual(
        ['ComputeTypeName', 'Protocols', 'RootVolumeSizeGib', 'RunningMode', 'RunningModeAutoStopTimeoutInMinutes', 'UserVolumeSizeGib']);
      compareShapes(out.moto.Workspaces![0], out.local.Workspaces![0], {
        localOnly: [
          'IpAddress', 'SubnetId', 'ComputerName', 'RootVolumeEncryptionEnabled', 'UserVolumeEncryptionEnabled',
          'ModificationStates', 'WorkspaceProperties.OperatingSystemName',
        ],
      });
      expect(out.local.Workspaces![0].ModificationStates).toEqual([]);
      expect(shape(withoutWorkspaces(out.moto))).toEqual(shape(withoutWorkspaces(out.local)));
    }

    // The handler's own calls see the same WorkSpace on both.
    const viaApi = await both(async (t) => ({ found: await t.api.findByUser(DIRECTORY_ID, user), described: await t.api.describe(ids[t.side]) }));
    for (const side of SIDES) {
      expect(viaApi[side].found.map((w) => w.WorkspaceId)).toEqual([ids[side]]);
      expect(viaApi[side].described?.WorkspaceId).toBe(ids[side]);
    }

    // The UserName filter: case-insensitive locally, case-sensitive in moto.
    const upper = await both((t) => t.api.findByUser(DIRECTORY_ID, user.toUpperCase()));
    expect(upper.local.map((w) => w.WorkspaceId)).toEqual([ids.local]);
    expect(upper.moto).toEqual([]);

    await terminateAll([ids.moto], [ids.local]);
  });

  test('an unknown (well-formed) id: an empty list on both, so describe() says undefined', async () => {
    const out = await both((t) => t.client.send(new DescribeWorkspacesCommand({ WorkspaceIds: [UNKNOWN_WORKSPACE_ID] })));
    for (const side of SIDES) {
      expect(out[side].Workspaces).toEqual([]);
    }
    const described = await both((t) => t.api.describe(UNKNOWN_WORKSPACE_ID));
    expect(described).toEqual({ moto: undefined, local: undefined });
  });

  test('WorkspaceIds and DirectoryId together, or UserName without DirectoryId: InvalidParameterValuesException on both', async () => {
    const requests = [
      { WorkspaceIds: [UNKNOWN_WORKSPACE_ID], DirectoryId: DIRECTORY_ID },
      { UserName: 'alice' },
    ];
    for (const input of requests) {
      const err = await both((t) => errorOf(t.client.send(new DescribeWorkspacesCommand(input))));
      expect(err.moto).toEqual({ name: 'InvalidParameterValuesException', status: 400 });
      expect(err.local).toEqual(err.moto);
      const thrown = await both((t) => t.client.send(new DescribeWorkspacesCommand(input)).catch((e: unknown) => e));
      expect(thrown.moto).toBeInstanceOf(InvalidParameterValuesException);
      expect(thrown.local).toBeInstanceOf(InvalidParameterValuesException);
    }
  });
});

// ------------------------------------------------------------------ tags

describe('CreateTags and DescribeTags', () => {
  test('the same TagList shape and content, and the same (empty) CreateTags answer', async () => {
    const ids = await both((t) => t.api.create(handlerRequest(newUser('tags'))));
    await both((t) => waitForState(t.api, ids[t.side], 'AVAILABLE'));
    const created = await both((t) => t.client.send(new CreateTagsCommand({ ResourceId: ids[t.side], Tags: [{ Key: 'env', Value: 'test' }] })));
    expect(shape(created.moto)).toEqual(shape(created.local));
    expect(shape(created.moto)).toEqual({});
    // The handler's own call.
    await both((t) => t.api.createTags(ids[t.side], [{ Key: 'owner-team', Value: 'platform' }]));

    const described = await both((t) => t.client.send(new DescribeTagsCommand({ ResourceId: ids[t.side] })));
    compareShapes(described.moto, described.local, {});
    for (const side of SIDES) {
      expect(sortTags(described[side].TagList ?? [])).toEqual([
        { Key: OWNERSHIP_TAG_KEY, Value: OWNER },
        { Key: 'env', Value: 'test' },
        { Key: 'owner-team', Value: 'platform' },
        { Key: 'team', Value: 'desk' },
      ]);
    }
    const viaApi = await both((t) => t.api.tags(ids[t.side]));
    expect(viaApi.moto).toEqual(viaApi.local);
    await terminateAll([ids.moto], [ids.local]);
  });

  test('an unknown WorkSpace: ResourceNotFoundException locally, HTTP 500 from moto (unhandled KeyError)', async () => {
    const calls: Array<(t: Target) => Promise<unknown>> = [
      (t) => t.client.send(new DescribeTagsCommand({ ResourceId: UNKNOWN_WORKSPACE_ID })),
      (t) => t.client.send(new CreateTagsCommand({ ResourceId: UNKNOWN_WORKSPACE_ID, Tags: [{ Key: 'a', Value: 'b' }] })),
    ];
    for (const call of calls) {
      const err = await both((t) => errorOf(call(t)));
      expect(err.local).toEqual({ name: 'ResourceNotFoundException', status: 400 });
      expect(err.moto.status).toBe(500);
    }
    await expectMotoLog(`KeyError: '${UNKNOWN_WORKSPACE_ID}'`);
  });
});

// ------------------------------------------------------------------ TerminateWorkspaces

describe('TerminateWorkspaces', () => {
  test('an existing WorkSpace: the same answer (no FailedRequests); repeating it differs since moto forgets at once', async () => {
    const ids = await both((t) => t.api.create(handlerRequest(newUser('term'))));
    const raw = await both((t) => t.client.send(new TerminateWorkspacesCommand({ TerminateWorkspaceRequests: [{ WorkspaceId: ids[t.side] }] })));
    expect(raw.moto.FailedRequests).toEqual([]);
    expect(shape(raw.moto)).toEqual(shape(raw.local));
    expect(shape(raw.moto)).toEqual({ FailedRequests: [] });

    // Right after: moto no longer knows the WorkSpace; the local endpoint shows it TERMINATING.
    expect(await targets.moto.api.describe(ids.moto)).toBeUndefined();
    expect((await targets.local.api.describe(ids.local))?.State).toBe('TERMINATING');
    // So repeating the handler's terminate() is 'requested' locally (a no-op on a TERMINATING
    // WorkSpace), while moto answers an unknown id with ErrorCode "400" (see the next test).
    await expect(targets.local.api.terminate(ids.local)).resolves.toBe('requested');
    await expect(targets.moto.api.terminate(ids.moto)).rejects.toThrow(/: 400: /);
  });

  test('an unknown id: FailedRequests entries of the same shape, but ErrorCode "400" (moto) vs ResourceNotFound.Workspace (local)', async () => {
    const request = { TerminateWorkspaceRequests: [{ WorkspaceId: UNKNOWN_WORKSPACE_ID }] };
    const out = await both((t) => t.client.send(new TerminateWorkspacesCommand(request)));
    for (const side of SIDES) {
      expect(out[side].FailedRequests).toHaveLength(1);
      expect(out[side].FailedRequests![0].WorkspaceId).toBe(UNKNOWN_WORKSPACE_ID);
    }
    compareShapes(out.moto.FailedRequests![0], out.local.FailedRequests![0], {});
    expect(out.moto.FailedRequests![0].ErrorCode).toBe('400');
    expect(out.local.FailedRequests![0].ErrorCode).toBe('ResourceNotFound.Workspace');

    // The handler's terminate(): 'not-found' for the local code; moto's "400" is not recognised.
    await expect(targets.local.api.terminate(UNKNOWN_WORKSPACE_ID)).resolves.toBe('not-found');
    await expect(targets.moto.api.terminate(UNKNOWN_WORKSPACE_ID)).rejects.toThrow(
      `TerminateWorkspaces refused to terminate WorkSpace ${UNKNOWN_WORKSPACE_ID}: 400: `);
  });
});

// ------------------------------------------------------------------ not implemented in moto

describe('not implemented in moto (this test fails the day moto implements one: extend the cross-check then)', () => {
  test('ModifyWorkspaceProperties, DeleteTags and DescribeWorkspaceBundles: HTTP 500 "not been implemented" from moto; answered locally', async () => {
    const user = newUser('noimpl');
    const ids = await both((t) => t.api.create(handlerRequest(user)));
    await both((t) => waitForState(t.api, ids[t.side], 'AVAILABLE'));

    const calls: Array<{ action: string; run: (t: Target) => Promise<unknown> }> = [
      { action: 'modify_workspace_properties', run: (t) => t.api.modifyProperties(ids[t.side], { RunningMode: 'ALWAYS_ON' }) },
      { action: 'delete_tags', run: (t) => t.api.deleteTags(ids[t.side], ['team']) },
      { action: 'describe_workspace_bundles', run: (t) => t.client.send(new DescribeWorkspaceBundlesCommand({ BundleIds: [BUNDLE_ID] })) },
    ];
    for (const call of calls) {
      await call.run(targets.local); // answered: throws otherwise
      const err = await errorOf(call.run(targets.moto));
      expect({ action: call.action, status: err.status }).toEqual({ action: call.action, status: 500 });
      await expectMotoLog(`NotImplementedError: The ${call.action} action has not been implemented`);
    }
    // The raw commands too, so that the SDK class names stay visible in this file.
    expect((await errorOf(targets.moto.client.send(new ModifyWorkspacePropertiesCommand({
      WorkspaceId: ids.moto, WorkspaceProperties: { RunningMode: 'ALWAYS_ON' },
    })))).status).toBe(500);
    expect((await errorOf(targets.moto.client.send(new DeleteTagsCommand({ ResourceId: ids.moto, TagKeys: ['team'] })))).status).toBe(500);

    // So on moto the handler's Update that removes a tag never gets past its DeleteTags step:
    // a 500 counts as transient, so each poll logs it and waits for the next (until the
    // resource's timeout fails it).
    const props = resourceProperties(user, [{ Key: 'team', Value: 'desk' }]);
    const update: WorkspaceIsCompleteEvent = {
      ...baseEvent(),
      RequestType: 'Update',
      PhysicalResourceId: ids.moto,
      ResourceProperties: { ...props, Tags: [] },
      OldResourceProperties: props,
      Data: { StartedAt: new Date().toISOString() },
    };
    const logged: string[] = [];
    await expect(isComplete(update, { api: targets.moto.api, log: (m) => logged.push(m) })).resolves.toEqual({ IsComplete: false });
    expect(logged.join('\n')).toMatch(new RegExp(`DeleteTags[^\\n]*${ids.moto}[\\s\\S]*temporary, trying again at the next poll`));

    await terminateAll([ids.moto], [ids.local]);
  });
});

describe('custom images (moto implements CreateWorkspaceImage and DescribeWorkspaceImages only)', () => {
  test('the same refusals for an unknown source and a name the account has; moto AVAILABLE at once, locally PENDING; bundles and DeleteWorkspaceImage not in moto', async () => {
    const user = newUser('image');
    const ids = await both((t) => t.api.create(handlerRequest(user)));
    await both((t) => waitForState(t.api, ids[t.side], 'AVAILABLE'));
    const name = `golden-${user}`;
    const created = await both((t) => t.client.send(new CreateWorkspaceImageCommand({ Name: name, Description: 'golden', WorkspaceId: ids[t.side] })));
    expect(created.moto.ImageId).toMatch(/^wsi-[0-9a-z]{9}$/);
    expect(created.local.ImageId).toMatch(/^wsi-[0-9a-z]{9}$/);
    expect([created.moto.State, created.local.State]).toEqual(['AVAILABLE', 'PENDING']);
    const listed = await both((t) => t.client.send(new DescribeWorkspaceImagesCommand({ ImageType: 'OWNED' })));
    expect(listed.moto.Images?.some((i) => i.ImageId === created.moto.ImageId && i.Name === name)).toBe(true);
    expect(listed.local.Images?.some((i) => i.ImageId === created.local.ImageId && i.Name === name)).toBe(true);

    const again = await both((t) => errorOf(t.client.send(new CreateWorkspaceImageCommand({ Name: name, Description: 'golden', WorkspaceId: ids[t.side] }))));
    expect([again.moto.name, again.local.name]).toEqual(['ResourceAlreadyExistsException', 'ResourceAlreadyExistsException']);
    const unknown = await both((t) => errorOf(t.client.send(new CreateWorkspaceImageCommand({
      Name: `${name}-x`, Description: 'x', WorkspaceId: UNKNOWN_WORKSPACE_ID,
    }))));
    expect([unknown.moto.name, unknown.local.name]).toEqual(['ResourceNotFoundException', 'ResourceNotFoundException']);

    const deleted = await errorOf(targets.moto.client.send(new DeleteWorkspaceImageCommand({ ImageId: created.moto.ImageId })));
    expect(deleted).toMatchObject({ status: 500 });
    await expectMotoLog('NotImplementedError: The delete_workspace_image action has not been implemented');
    expect((await errorOf(targets.moto.client.send(new CreateWorkspaceBundleCommand({
      BundleName: name, BundleDescription: 'golden', ImageId: created.moto.ImageId, ComputeType: { Name: 'STANDARD' }, UserStorage: { Capacity: '50' },
    }))))).toMatchObject({ status: 500 });
    await expectMotoLog('NotImplementedError: The create_workspace_bundle action has not been implemented');
    await terminateAll([ids.moto], [ids.local]);
  });
});

// ------------------------------------------------------------------ helpers

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) {
    throw new Error(`${name} is not set: run this suite with "bash test/moto/run.sh" (it starts moto_server)`);
  }
  return value;
}

let userCounter = 0;
/** moto keeps its WorkSpaces for the whole run, so every test uses fresh user names. */
function newUser(prefix: string): string {
  userCounter += 1;
  return `xc-${prefix}-${process.pid}-${userCounter}`;
}

function baseEvent(): Omit<WorkspaceResourceEvent, 'RequestType' | 'ResourceProperties'> {
  return { StackId: STACK_ID, LogicalResourceId: 'Desk', RequestId: REQUEST_ID, ResourceType: 'Custom::Workspace' };
}

/** As CloudFormation sends them: every scalar a string. */
function resourceProperties(userName: string, tags: Array<{ Key: string; Value: string }>): Record<string, unknown> {
  return {
    DirectoryId: DIRECTORY_ID,
    BundleId: BUNDLE_ID,
    UserName: userName,
    WorkspaceProperties: {
      RunningMode: 'AUTO_STOP',
      RunningModeAutoStopTimeoutInMinutes: '60',
      ComputeTypeName: 'STANDARD',
      RootVolumeSizeGib: '80',
      UserVolumeSizeGib: '50',
      Protocols: ['PCOIP'],
    },
    Tags: tags,
  };
}

/** The request the handler itself sends for a Create (ownership tag included). */
function handlerRequest(userName: string): WorkspaceRequest {
  const desired = parseProperties(resourceProperties(userName, [{ Key: 'team', Value: 'desk' }]));
  return creationRequest(desired, OWNER);
}

/** Runs the same thing against moto and against the local endpoint (one after the other). */
async function both<T>(fn: (t: Target) => Promise<T>): Promise<Record<Side, T>> {
  return { moto: await fn(targets.moto), local: await fn(targets.local) };
}

async function pollUntilComplete(
  event: WorkspaceIsCompleteEvent, deps: HandlerDeps, maxPolls = 200, intervalMs = 20,
): Promise<{ result: IsCompleteResult; polls: number }> {
  for (let polls = 1; polls <= maxPolls; polls++) {
    const result = await isComplete(event, deps);
    if (result.IsComplete) {
      return { result, polls };
    }
    await sleep(intervalMs);
  }
  throw new Error(`${event.RequestType} of ${event.PhysicalResourceId} not complete after ${maxPolls} polls`);
}

async function waitForState(api: WorkspacesApi, workspaceId: string, state: string): Promise<Workspace> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const ws = await api.describe(workspaceId);
    if (ws?.State === state) {
      return ws;
    }
    if (Date.now() > deadline) {
      throw new Error(`${workspaceId} is ${ws?.State ?? 'not visible'}, not ${state}, after 10 s`);
    }
    await sleep(20);
  }
}

async function terminateAll(motoIds: string[], localIds: string[]): Promise<void> {
  for (const id of motoIds) await targets.moto.api.terminate(id);
  for (const id of localIds) await targets.local.api.terminate(id);
}

/** The name and HTTP status of the error a call fails with (fails the test if it succeeds). */
async function errorOf(p: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  try {
    await p;
  } catch (e) {
    // The handler's API wraps the SDK's error to name the call; compare the SDK's own.
    const err = sdkErrorOf(e) as { name?: string; $metadata?: { httpStatusCode?: number } };
    return { name: String(err.name), status: err.$metadata?.httpStatusCode };
  }
  throw new Error('expected the call to fail, and it succeeded');
}

/** moto's log says why it answered 500 (an unimplemented action, or an unhandled exception). */
async function expectMotoLog(text: string): Promise<void> {
  if (!MOTO_LOG || !existsSync(MOTO_LOG)) {
    throw new Error('MOTO_LOG is not set or missing: run this suite with "bash test/moto/run.sh"');
  }
  const deadline = Date.now() + 3_000;
  while (!readFileSync(MOTO_LOG, 'utf8').includes(text)) {
    if (Date.now() > deadline) {
      throw new Error(`the moto_server log (${MOTO_LOG}) does not contain "${text}"`);
    }
    await sleep(50);
  }
}

type Shape = string | Shape[] | { [key: string]: Shape };

/**
 * The structure of a value: objects as their sorted keys with the shapes of their values
 * (undefined members and the SDK's $metadata left out), arrays as the distinct shapes of their
 * elements, scalars as their type. Values such as ids never matter.
 */
function shape(value: unknown): Shape {
  if (value === null) return 'null';
  if (Array.isArray(value)) {
    const distinct = new Map<string, Shape>();
    for (const element of value) {
      const s = shape(element);
      distinct.set(JSON.stringify(s), s);
    }
    return [...distinct.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, s]) => s);
  }
  if (typeof value === 'object') {
    const out: Record<string, Shape> = {};
    for (const key of Object.keys(value).filter((k) => k !== '$metadata').sort()) {
      const member = (value as Record<string, unknown>)[key];
      if (member !== undefined) out[key] = shape(member);
    }
    return out;
  }
  return typeof value;
}

/**
 * Asserts that two responses have the same shape once the known differences are taken out, and
 * that each known difference is really there (so that a fixed difference is noticed too).
 * Paths are dotted member names in plain objects, e.g. 'WorkspaceProperties.OperatingSystemName'.
 */
function compareShapes(moto: unknown, localValue: unknown, known: { motoOnly?: string[]; localOnly?: string[] }): void {
  const m = structuredClone(stripMetadata(moto)) as Record<string, unknown>;
  const l = structuredClone(stripMetadata(localValue)) as Record<string, unknown>;
  for (const path of known.motoOnly ?? []) {
    expect({ path, moto: has(m, path), local: has(l, path) }).toEqual({ path, moto: true, local: false });
    remove(m, path);
  }
  for (const path of known.localOnly ?? []) {
    expect({ path, moto: has(m, path), local: has(l, path) }).toEqual({ path, moto: false, local: true });
    remove(l, path);
  }
  expect(shape(m)).toEqual(shape(l));
}

function stripMetadata(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  const { $metadata, ...rest } = value as Record<string, unknown>;
  void $metadata;
  return rest;
}

function has(obj: Record<string, unknown>, path: string): boolean {
  const [head, ...rest] = path.split('.');
  const member = obj[head];
  if (member === undefined) return false;
  return rest.length === 0 || (typeof member === 'object' && member !== null && has(member as Record<string, unknown>, rest.join('.')));
}

function remove(obj: Record<string, unknown>, path: string): void {
  const [head, ...rest] = path.split('.');
  if (rest.length === 0) {
    delete obj[head];
  } else {
    remove(obj[head] as Record<string, unknown>, rest.join('.'));
  }
}

function pick(obj: object | undefined, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(keys.map((k) => [k, (obj as Record<string, unknown> | undefined)?.[k]]));
}

function sortTags<T extends { Key?: string; Value?: string }>(tags: T[]): T[] {
  return [...tags].sort((a, b) => {
    const [x, y] = [`${a.Key}=${a.Value}`, `${b.Key}=${b.Value}`];
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

function withoutPending(out: CreateWorkspacesCommandOutput): object {
  const { PendingRequests, ...rest } = out;
  void PendingRequests;
  return rest;
}

function withoutWorkspaces(out: { Workspaces?: Workspace[] }): object {
  const { Workspaces, ...rest } = out;
  void Workspaces;
  return rest;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
