// The golden-image path (issue 22) through the real bundled handlers, driven as CloudFormation and
// the Provider framework would (runner.ts), against the local endpoint, with every call authorized
// as IAM would authorize it with the policies the template gives each handler's role. Each scenario
// ends with an inventory check: the WorkSpaces, images and custom bundles that exist are exactly the
// declared ones, and the builder WorkSpace is what it was. Needs the bundle: `npx projen bundle` first.
import { CreateWorkspaceImageCommand, DeleteWorkspaceImageCommand, WorkSpacesClient } from '@aws-sdk/client-workspaces';
import { Duration } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CustomBundleSnapshot, IMAGE_QUOTA, ImageSnapshot, LocalWorkspaces, WorkspaceSnapshot } from './endpoint';
import { goldenImageStack, GoldenImageVersion } from './golden-image-app';
import { DeployResult, FLEET_TYPE, LocalStack, loadBundledHandlers, WORKSPACE_TYPE } from './runner';
import { Scenario, startScenario } from './scenario-helpers';
import { parseOwnership, stackUuid } from '../../lambda/core/ownership';
import { OWNERSHIP_TAG_KEY } from '../../src/private/rules';
import { Caller, handlerPolicies, iamAuthorizer } from '../iam/simulated-iam';

type Json = any;

const IMAGE_TYPE = 'Custom::WorkspaceImage';
const BUNDLE_TYPE = 'Custom::WorkspaceCustomBundle';
const KEYS = { onEvent: 'AKIAONEVENT', isComplete: 'AKIAISCOMPLETE' };
/** Capture takes 45 minutes and more; here, in the endpoint's clock, a few hundred milliseconds. */
const IMAGE_TIMING = { captureMs: 300, bundlePendingMs: 40 };

let scenario: Scenario | undefined;
afterEach(async () => {
  await scenario?.stop();
  scenario = undefined;
});

async function start(faults: Json = {}, handlerSpeedUp?: number): Promise<Scenario> {
  scenario = await startScenario({
    handlerSpeedUp,
    // A migrated original stays TERMINATING a while, as on the service (minutes): the fleet marks it
    // once more while it is there (a mark that meets it gone is let go: api/errors.ts tagUnlessGone).
    timing: { terminatingMs: 600, terminatedVisibleMs: 200 },
    imageTiming: IMAGE_TIMING,
    faults,
    accessKeyIds: KEYS,
    stackOptions: { resourceTypes: [WORKSPACE_TYPE, FLEET_TYPE, IMAGE_TYPE, BUNDLE_TYPE] },
  });
  return scenario;
}

/** Deploys a version of the app, with the handlers' calls authorized by the policies its template gives their roles. */
async function deploy(s: Scenario, version: GoldenImageVersion, iam = true): Promise<{ result: DeployResult; template: Json; seconds: number }> {
  const template = Template.fromStack(goldenImageStack(version)).toJSON();
  const env = { stackId: s.stack.stackId, account: '123456789012', region: 'us-east-1' };
  const policies = handlerPolicies(template, env);
  const callers = new Map<string, Caller>([
    [KEYS.onEvent, { env, policies: policies.onEvent }],
    [KEYS.isComplete, { env, policies: policies.isComplete }],
  ]);
  s.endpoint.authorize = iam ? iamAuthorizer(callers) : undefined;
  const started = Date.now();
  const result = await s.stack.deploy(template);
  expect(s.endpoint.callLog().filter((c) => c.errorType === 'AccessDeniedException')).toEqual([]);
  return { result, template, seconds: (Date.now() - started) / 1000 };
}

function physicalId(stack: LocalStack, type: string): string | undefined {
  return [...stack.resources.values()].find((r) => r.type === type)?.physicalId;
}

function builder(endpoint: LocalWorkspaces): WorkspaceSnapshot {
  return endpoint.inventory().find((w) => w.UserName === 'image-builder')!;
}

/** What must hold after every deployment: nothing exists that the stack does not hold, all marked as the stack's. */
function expectInventory(s: Scenario, expected: { users: readonly string[]; images: number; bundles: number }): void {
  const { endpoint, stack } = s;
  const images: ImageSnapshot[] = endpoint.imageInventory();
  const bundles: CustomBundleSnapshot[] = endpoint.customBundleInventory();
  expect(images.map((i) => i.ImageId)).toEqual(expected.images ? [physicalId(stack, IMAGE_TYPE)] : []);
  expect(bundles.map((b) => b.BundleId)).toEqual(expected.bundles ? [physicalId(stack, BUNDLE_TYPE)] : []);
  for (const marked of [...images, ...bundles]) {
    expect(parseOwnership(marked.Tags[OWNERSHIP_TAG_KEY])?.stack).toBe(stackUuid(stack.stackId));
  }
  const workspaces = endpoint.inventory();
  expect(workspaces.map((w) => w.UserName).sort()).toEqual(['image-builder', ...expected.users].sort());
  expect(workspaces.every((w) => w.State === 'AVAILABLE')).toBe(true);
  for (const member of workspaces.filter((w) => w.UserName !== 'image-builder')) {
    expect(member.BundleId).toBe(physicalId(stack, BUNDLE_TYPE));
  }
}

test('builder -> image -> bundle -> fleet on the bundle; a new image is applied to the bundle in place; a new bundle, and the fleet migrates to it in waves', async () => {
  const s = await start();
  expect((await deploy(s, {})).result.ok).toBe(true);
  const builderBefore = builder(s.endpoint);

  const first = await deploy(s, { image: 1 });
  expect(first.result).toMatchObject({ ok: true });
  const image1 = physicalId(s.stack, IMAGE_TYPE)!;
  const bundleId = physicalId(s.stack, BUNDLE_TYPE)!;
  expect(s.endpoint.imageInventory()).toEqual([expect.objectContaining({ ImageId: image1, Name: 'golden-1', State: 'AVAILABLE', SourceWorkspaceId: builderBefore.WorkspaceId })]);
  expect(s.endpoint.customBundleInventory()).toEqual([expect.objectContaining({ BundleId: bundleId, Name: 'golden-standard', ImageId: image1 })]);
  // The fleet's WorkSpaces were made from the bundle, so from the golden image.
  expect(s.endpoint.inventory().filter((w) => w.BundleId === bundleId).map((w) => [w.UserName, w.ImageId]).sort())
    .toEqual([['ana', image1], ['ben', image1], ['cho', image1]]);
  expectInventory(s, { users: ['ana', 'ben', 'cho'], images: 1, bundles: 1 });

  // A new image of the builder: the bundle takes it in place (same id); the old image goes in the cleanup.
  const second = await deploy(s, { image: 2, users: ['ana', 'ben', 'cho', 'dee'] });
  expect({ ok: second.result.ok, reason: second.result.reason }).toEqual({ ok: true, reason: undefined });
  const image2 = physicalId(s.stack, IMAGE_TYPE)!;
  expect(image2).not.toBe(image1);
  expect(physicalId(s.stack, BUNDLE_TYPE)).toBe(bundleId);
  expect(second.result.operations.map((o) => [o.logicalId.replace(/[0-9A-F]{8}$/, ''), o.operation, o.ok])).toEqual(expect.arrayContaining([
    ['GoldenImage', 'Update', true], ['GoldenBundle', 'Update', true], ['GoldenImage', 'Delete', true],
  ]));
  expect(s.endpoint.customBundleInventory()[0].ImageId).toBe(image2);
  // UpdateWorkspaceBundle changes no existing WorkSpace: the new member has the new image, the others keep theirs.
  expect(s.endpoint.inventory().filter((w) => w.BundleId === bundleId).map((w) => [w.UserName, w.ImageId]).sort())
    .toEqual([['ana', image1], ['ben', image1], ['cho', image1], ['dee', image2]]);
  expectInventory(s, { users: ['ana', 'ben', 'cho', 'dee'], images: 1, bundles: 1 });
  expect(builder(s.endpoint)).toEqual(builderBefore);

  // To move the existing WorkSpaces onto the new image: a new bundle (a new bundleName). The fleet
  // migrates to it in waves of two, every user keeping a WorkSpace throughout; the old bundle,
  // unused once the migrated originals are gone, is deleted in the cleanup.
  for (const w of s.endpoint.inventory().filter((x) => x.BundleId === bundleId)) {
    s.endpoint.takeSnapshot(w.WorkspaceId);
  }
  const gaps: string[] = [];
  const users = ['ana', 'ben', 'cho', 'dee'];
  const watch = setInterval(() => {
    const present = new Set(s.endpoint.inventory().map((w) => w.UserName));
    gaps.push(...users.filter((u) => !present.has(u)));
  }, 5);
  const third = await deploy(s, { image: 2, bundle: 2, users }).finally(() => clearInterval(watch));
  expect({ ok: third.result.ok, reason: third.result.reason }).toEqual({ ok: true, reason: undefined });
  const bundle2 = physicalId(s.stack, BUNDLE_TYPE)!;
  expect(bundle2).not.toBe(bundleId);
  expect(third.result.operations.map((o) => [o.logicalId.replace(/[0-9A-F]{8}$/, ''), o.operation, o.ok])).toEqual(expect.arrayContaining([
    ['GoldenBundle', 'Update', true], ['Team', 'Update', true], ['GoldenBundle', 'Delete', true],
  ]));
  const migrations = s.endpoint.migrations();
  expect(migrations.map((m) => [m.outcome, m.toBundleId])).toEqual(users.map(() => ['succeeded', bundle2]));
  // Waves: at most two migrations under way at any time, and the next wave only once one has ended.
  for (const m of migrations) {
    expect(migrations.filter((x) => x.startedAt <= m.startedAt && (x.endedAt ?? Infinity) > m.startedAt).length).toBeLessThanOrEqual(2);
  }
  expect(gaps).toEqual([]);
  expect(s.endpoint.inventory().filter((w) => w.UserName !== 'image-builder').map((w) => [w.UserName, w.BundleId, w.ImageId]).sort())
    .toEqual(users.map((u) => [u, bundle2, image2]));
  expect(s.endpoint.customBundleInventory().map((b) => b.BundleId)).toEqual([bundle2]);
  expectInventory(s, { users, images: 1, bundles: 1 });
  expect(builder(s.endpoint)).toEqual(builderBefore);

  // Deleting the stack keeps the fleet's WorkSpaces (its default removal policy), so the bundle they
  // use is not deleted, and neither is its image: each refusal says why.
  const destroyed = await s.stack.destroy();
  expect(destroyed.ok).toBe(false);
  expect(destroyed.operations.find((o) => o.logicalId.startsWith('GoldenBundle'))?.error)
    .toMatch(new RegExp(`Bundle ${bundle2} \\("golden-standard-2"\\) is not deleted: WorkSpaces still use it, such as ws-[0-9a-z]+ \\(user "(ana|ben|cho|dee)"\\)`));
  expect(s.endpoint.imageInventory().map((i) => i.ImageId)).toEqual([image2]);
  expect(s.endpoint.customBundleInventory().map((b) => b.BundleId)).toEqual([bundle2]);
}, 60_000);

test('a capture that ends in ERROR fails with the service\'s reason; the rollback leaves no image, bundle or fleet, and the builder untouched', async () => {
  const s = await start({ failImageCapture: 'golden-1' });
  expect((await deploy(s, {})).result.ok).toBe(true);
  const builderBefore = builder(s.endpoint);

  const { result } = await deploy(s, { image: 1 });
  expect(result).toMatchObject({ ok: false, rolledBack: true });
  expect(result.reason).toMatch(/^GoldenImage[0-9A-F]{8}: Image wsi-[0-9a-z]{9} \("golden-1", captured from ws-[0-9a-z]+\) is ERROR: ImageCreationFailed: .* The rollback deletes this image; the source WorkSpace is not changed\./);
  // The bundle and the fleet, which need the image, never started.
  expect(result.operations.filter((o) => o.cancelled).map((o) => o.logicalId.replace(/[0-9A-F]{8}$/, '')).sort()).toEqual(['GoldenBundle', 'Team']);
  expectInventory(s, { users: [], images: 0, bundles: 0 });
  expect(builder(s.endpoint)).toEqual(builderBefore);
}, 60_000);

test('a builder that is not AVAILABLE is refused in seconds, naming the prop; nothing is created and the builder is not changed', async () => {
  const s = await start();
  expect((await deploy(s, {})).result.ok).toBe(true);
  s.endpoint.setWorkspaceState(builder(s.endpoint).WorkspaceId, 'STOPPED');
  const builderBefore = builder(s.endpoint);

  const { result, seconds } = await deploy(s, { image: 1 });
  expect(result).toMatchObject({ ok: false, rolledBack: true });
  expect(result.reason).toMatch(/Invalid workspace \(SourceWorkspaceId ws-[0-9a-z]+, user "image-builder"\): it is STOPPED, and an image is captured only from an AVAILABLE WorkSpace/);
  expect(seconds).toBeLessThan(10);
  expect(s.endpoint.callLog().filter((c) => c.operation === 'CreateWorkspaceImage')).toEqual([]);
  expect([s.endpoint.imageInventory(), s.endpoint.customBundleInventory()]).toEqual([[], []]);
  expect(builder(s.endpoint)).toEqual(builderBefore);
}, 60_000);

test('a bundle that WorkSpaces still use (the fleet\'s, kept by its removal policy, and one made outside the stack) is not deleted: the refusal names three and says there are more; its image stays too', async () => {
  const s = await start();
  expect((await deploy(s, { image: 1 })).result.ok).toBe(true);
  const bundleId = physicalId(s.stack, BUNDLE_TYPE)!;
  const outsider = s.endpoint.seedWorkspace({ UserName: 'outsider', BundleId: bundleId });

  const result = await s.stack.destroy();
  expect(result.ok).toBe(false);
  const failed = (prefix: string) => result.operations.find((o) => o.logicalId.startsWith(prefix) && !o.ok)?.error;
  expect(failed('GoldenBundle')).toMatch(new RegExp(`^Bundle ${bundleId} \\("golden-standard"\\) is not deleted: WorkSpaces still use it, such as `
    + '(ws-[0-9a-z]+ \\(user "(ana|ben|cho|outsider)"\\), ){3}and more\\. Move them to another bundle, or terminate them, first\\. Nothing was changed\\.$'));
  expect(s.endpoint.inventory().find((w) => w.WorkspaceId === outsider.WorkspaceId)?.State).toBe('AVAILABLE');
  // And the image, which the bundle still uses, is not deleted either.
  expect(failed('GoldenImage')).toContain(`("golden-1") is not deleted: the bundles ${bundleId} ("golden-standard") use it`);
  expect(s.endpoint.customBundleInventory().map((b) => b.BundleId)).toEqual([bundleId]);
  expect(s.endpoint.imageInventory()).toHaveLength(1);
}, 60_000);

test('when another resource of the deployment fails, the rollback deletes the new image and bundle; with a new image, the bundle goes back to the old one', async () => {
  const s = await start({ forceErrorForUser: ['ben', 'erin'] });
  expect((await deploy(s, {})).result.ok).toBe(true);
  const builderBefore = builder(s.endpoint);

  // ben's WorkSpace goes to ERROR: the fleet fails, and the image and bundle it needed are rolled back.
  const failedCreate = await deploy(s, { image: 1 });
  expect(failedCreate.result).toMatchObject({ ok: false, rolledBack: true });
  expect(failedCreate.result.reason).toMatch(/^Team[0-9A-F]{8}: .*ben/);
  expectInventory(s, { users: [], images: 0, bundles: 0 });
  expect(builder(s.endpoint)).toEqual(builderBefore);

  expect((await deploy(s, { image: 1, users: ['ana'] })).result.ok).toBe(true);
  const image1 = physicalId(s.stack, IMAGE_TYPE)!;
  const bundleId = physicalId(s.stack, BUNDLE_TYPE)!;

  // A new image with a user whose WorkSpace fails: the bundle is updated back to the old image,
  // the new image is deleted, the old one stays.
  const failedUpdate = await deploy(s, { image: 2, users: ['ana', 'erin'] });
  expect(failedUpdate.result).toMatchObject({ ok: false, rolledBack: true });
  expect(failedUpdate.result.operations.filter((o) => o.logicalId.startsWith('GoldenBundle')).map((o) => [o.operation, o.ok])).toEqual([['Update', true], ['Update', true]]);
  expect(s.endpoint.customBundleInventory()).toEqual([expect.objectContaining({ BundleId: bundleId, ImageId: image1 })]);
  expect(s.endpoint.imageInventory().map((i) => i.ImageId)).toEqual([image1]);
  expect(s.endpoint.inventory().find((w) => w.UserName === 'ana')).toMatchObject({ State: 'AVAILABLE', BundleId: bundleId, ImageId: image1 });
  expect(builder(s.endpoint)).toEqual(builderBefore);
}, 60_000);

test('a retried Create takes back the image and the bundle its earlier attempt made, and makes no second one', async () => {
  const s = await start();
  expect((await deploy(s, {})).result.ok).toBe(true);
  const template = Template.fromStack(goldenImageStack({ image: 1 })).toJSON();
  // The handlers are called by hand here, without the authorizer (the other scenarios run under it).
  s.endpoint.authorize = undefined;
  const handlers = loadBundledHandlers(() => undefined, { accessKeyIds: KEYS });
  const context = { getRemainingTimeInMillis: () => 300_000 };
  const create = async (type: string, properties: Json) => {
    const [logicalId] = Object.entries<Json>(template.Resources).find(([, r]) => r.Type === type)!;
    const event = {
      RequestType: 'Create',
      StackId: s.stack.stackId,
      LogicalResourceId: logicalId,
      RequestId: 'c0ffee00-aaaa-bbbb-cccc-000000000001',
      ResourceType: type,
      ResourceProperties: properties,
    };
    const first = await handlers.onEvent(event, context);
    const again = await handlers.onEvent(event, context);
    return [first.PhysicalResourceId, again.PhysicalResourceId];
  };
  const [image, imageAgain] = await create(IMAGE_TYPE, {
    SourceWorkspaceId: builder(s.endpoint).WorkspaceId, ImageName: 'golden-1', ImageDescription: 'golden', TimeoutSeconds: '3300',
  });
  expect(imageAgain).toBe(image);
  await new Promise((resolve) => setTimeout(resolve, IMAGE_TIMING.captureMs + 50));
  const [bundle, bundleAgain] = await create(BUNDLE_TYPE, {
    BundleName: 'golden-standard', BundleDescription: 'golden', ImageId: image, ComputeTypeName: 'STANDARD', RootVolumeSizeGib: '80', UserVolumeSizeGib: '50',
  });
  expect(bundleAgain).toBe(bundle);
  expect([s.endpoint.imageInventory().length, s.endpoint.customBundleInventory().length]).toEqual([1, 1]);
}, 60_000);

test('pre-flight refusals in seconds, naming the prop: the image quota (imageName), and a bundle of an image that is not AVAILABLE (image)', async () => {
  const s = await start();
  expect((await deploy(s, {})).result.ok).toBe(true);
  // The test's own calls stand for someone else's images, outside the stack's roles.
  s.endpoint.authorize = undefined;
  const client = new WorkSpacesClient({ ...s.endpoint.clientConfig(), maxAttempts: 1 });
  const images: string[] = [];
  for (let i = 0; i < IMAGE_QUOTA; i++) {
    const source = s.endpoint.seedWorkspace({ UserName: `source${i}` }).WorkspaceId;
    images.push((await client.send(new CreateWorkspaceImageCommand({ Name: `other-${i}`, Description: 'other', WorkspaceId: source }))).ImageId!);
  }
  const quota = await deploy(s, { image: 1 });
  expect(quota.result).toMatchObject({ ok: false, rolledBack: true });
  expect(quota.result.reason).toMatch(/Cannot capture image "golden-1": the account has 40 images in this region, and the service allows 40 \(a quota that cannot be raised\)/);
  expect(quota.seconds).toBeLessThan(10);
  expect(s.endpoint.callLog().filter((c) => c.operation === 'CreateWorkspaceImage' && c.status === 200)).toHaveLength(IMAGE_QUOTA);

  // A bundle of an image still being captured: refused by its pre-flight, nothing created.
  s.endpoint.authorize = undefined;
  // The quota is full: one of the others goes (once its capture has ended), then a capture that is still under way.
  await new Promise((resolve) => setTimeout(resolve, IMAGE_TIMING.captureMs + 50));
  await client.send(new DeleteWorkspaceImageCommand({ ImageId: images[0] }));
  const capturing = (await client.send(new CreateWorkspaceImageCommand({
    Name: 'pending', Description: 'pending', WorkspaceId: s.endpoint.seedWorkspace({ UserName: 'pending-source' }).WorkspaceId,
  }))).ImageId!;
  const handlers = loadBundledHandlers(() => undefined);
  const started = Date.now();
  await expect(handlers.onEvent({
    RequestType: 'Create',
    StackId: s.stack.stackId,
    LogicalResourceId: 'GoldenBundle',
    RequestId: 'c0ffee00-aaaa-bbbb-cccc-000000000002',
    ResourceType: BUNDLE_TYPE,
    ResourceProperties: { BundleName: 'golden', BundleDescription: 'golden', ImageId: capturing, ComputeTypeName: 'STANDARD' },
  }, { getRemainingTimeInMillis: () => 300_000 })).rejects.toThrow(new RegExp(`^Invalid image \\(ImageId ${capturing}, "pending"\\): it is PENDING, and a bundle is made only of an AVAILABLE image\\. No bundle was created or changed\\.$`));
  expect(Date.now() - started).toBeLessThan(10_000);
  expect(s.endpoint.customBundleInventory()).toEqual([]);
  client.destroy();
}, 60_000);

test('a capture longer than the image\'s timeout fails with its own message before CloudFormation\'s hour; the rollback deletes the image once the capture ends', async () => {
  // The handlers' clock runs 600 times faster: a 1-minute timeout passes in 100 ms, while the
  // capture takes 300 ms on the endpoint's clock (3 minutes for the handlers).
  const s = await start({}, 600);
  expect((await deploy(s, {})).result.ok).toBe(true);
  const builderBefore = builder(s.endpoint);

  const { result } = await deploy(s, { image: 1, imageTimeout: Duration.minutes(1) });
  expect(result).toMatchObject({ ok: false, rolledBack: true });
  expect(result.reason).toMatch(/^GoldenImage[0-9A-F]{8}: Image wsi-[0-9a-z]{9} \("golden-1"\) was still PENDING after 60 seconds \(TimeoutSeconds\): capturing an image can take longer than CloudFormation waits for a resource \(one hour\)\. The rollback deletes the image once its capture ends/);
  // The rollback's Delete waited for the capture to end, then deleted the image.
  expect(result.operations.find((o) => o.logicalId.startsWith('GoldenImage') && o.operation === 'Delete')).toMatchObject({ ok: true });
  expectInventory(s, { users: [], images: 0, bundles: 0 });
  expect(builder(s.endpoint)).toEqual(builderBefore);
}, 60_000);
