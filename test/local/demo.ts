// `npm run demo`: deploy the example app's three WorkSpaces to a local WorkSpaces endpoint
// through the real bundled handlers and the real AWS SDK over HTTP, change them, destroy them.
// Times are simulated: one poll interval here stands for the Provider's 30 seconds.
import { startLocalWorkspaces, WorkspaceSnapshot } from './endpoint';
import { exampleStack, SECOND_DIRECTORY_ID } from './example-app';
import { DeployResult, LocalStack, ProgressEvent } from './runner';

const POLL_MS = 100;

async function main(): Promise<void> {
  // The SDK warns that Node 20 is past its end of life; the demo runs on whatever Node the
  // machine has, while the Lambda runtime it stands for is Node 22.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';
  const endpoint = await startLocalWorkspaces({
    timing: { invisibleMs: 300, pendingMs: 1500, updatingMs: 400, terminatingMs: 500, terminatedVisibleMs: 200, migratingMs: 1500 },
  });
  endpoint.addDirectory(SECOND_DIRECTORY_ID);
  Object.assign(process.env, endpoint.env());
  const started = Date.now();
  const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s`;
  console.log(`Local WorkSpaces endpoint at ${endpoint.url} (one poll stands for 30 s)\n`);

  const lastSeen = new Map<string, string>();
  const show = (e: ProgressEvent) => {
    const state = e.phase === 'polling' ? e.state ?? 'not visible yet' : e.phase;
    const key = `${e.logicalId}/${e.operation}/${e.physicalId}`;
    if (lastSeen.get(key) === state) {
      return;
    }
    lastSeen.set(key, state);
    const detail = e.phase === 'complete' ? ` after ${e.polls} poll(s)` : e.message ? `: ${e.message}` : '';
    const name = e.logicalId.replace(/[0-9A-F]{8}$/, '');
    console.log(`[${elapsed()}] ${name.padEnd(6)} ${e.operation.padEnd(8)} ${(e.physicalId ?? '').padEnd(13)} ${state}${detail}`);
  };
  // What the handler says while a connected user holds a change back (disruptionPolicy
  // WAIT_FOR_DISCONNECT), and when the change is finally made.
  let heldBackPolls = 0;
  const handlerLog = (line: string) => {
    if (/: waiting, user "\w+" is connected/.test(line)) {
      if (heldBackPolls++ === 0) {
        console.log(`[${elapsed()}]        handler: ${line.replace(/ \{.*?\}/, '')}`);
      }
    } else if (/: ModifyWorkspaceProperties ComputeTypeName/.test(line) && heldBackPolls > 0) {
      console.log(`[${elapsed()}]        handler: ${line} (after ${heldBackPolls} poll(s) held back)`);
    }
  };
  const stack = new LocalStack({
    stackName: 'Desktops',
    pollIntervalMs: POLL_MS,
    handlerLog,
    onProgress: show,
    observe: (id) => endpoint.inventory({ includeTerminated: true }).find((w) => w.WorkspaceId === id)?.State,
  });

  const tally = { created: 0, changedInPlace: 0, replaced: 0, terminated: 0 };
  const step = async (title: string, run: () => Promise<DeployResult>) => {
    console.log(`== ${title}`);
    const before = new Map([...stack.resources].map(([id, r]) => [id, r.physicalId]));
    const result = await run();
    if (!result.ok) {
      throw new Error(`${title} failed: ${result.reason}`);
    }
    for (const op of result.operations) {
      if (op.operation === 'Create') {
        tally.created++;
      } else if (op.operation === 'Delete') {
        tally.terminated++;
      } else if (op.physicalId === before.get(op.logicalId)) {
        tally.changedInPlace++;
      } else {
        tally.replaced++;
      }
    }
    printInventory(endpoint.inventory());
  };

  await step('Deploy: three WorkSpaces (AUTO_STOP, ALWAYS_ON, MANUAL)', () => stack.deploy(exampleStack(1)));
  // Bob is at work: the new compute type would reboot his desktop, so it waits until he leaves.
  const bobId = endpoint.inventory().find((w) => w.UserName === 'bob')!.WorkspaceId;
  endpoint.connectUser(bobId, 15 * POLL_MS, 2 * 3600_000);
  console.log(`Bob has been connected to ${bobId} for 2 hours, and works for 15 more polls (7.5 minutes)\n`);
  await step('Deploy a change: running mode, compute type, user volume, tags; Carol moves directory (replacement)',
    () => stack.deploy(exampleStack(2)));
  expect(endpoint.connection(bobId), (c) => c.DisconnectedByChange === 0 && heldBackPolls > 0,
    'the compute type change did not wait for Bob to disconnect');
  expect(endpoint.inventory(), (all) => {
    const alice = all.find((w) => w.UserName === 'alice');
    const bob = all.find((w) => w.UserName === 'bob');
    const carol = all.filter((w) => w.UserName === 'carol');
    return alice?.WorkspaceProperties.RunningMode === 'ALWAYS_ON' && alice.Tags['cost-center'] === '43'
      && bob?.WorkspaceProperties.ComputeTypeName === 'POWER' && bob.WorkspaceProperties.UserVolumeSizeGib === 100
      && bob.Tags.project === undefined
      && carol.length === 1 && carol[0].DirectoryId === SECOND_DIRECTORY_ID;
  }, 'the changed app is not what the endpoint holds');

  // Alice's files are on her user volume, and the service has snapshotted it since she last worked.
  const aliceBefore = endpoint.inventory().find((w) => w.UserName === 'alice')!;
  endpoint.writeUserData(aliceBefore.WorkspaceId, 'Documents/plan.docx', 'the plan');
  await new Promise((resolve) => setTimeout(resolve, 10));
  endpoint.takeSnapshot(aliceBefore.WorkspaceId);
  console.log(`Alice saved Documents/plan.docx on ${aliceBefore.WorkspaceId}; the service has snapshotted her user volume since\n`);
  await step('Deploy a new bundle for Alice: her WorkSpace is migrated in place (MigrateWorkspace), her data kept',
    () => stack.deploy(exampleStack(3)));
  expect(endpoint.inventory(), (all) => {
    const alice = all.filter((w) => w.UserName === 'alice');
    return alice.length === 1 && alice[0].WorkspaceId !== aliceBefore.WorkspaceId && alice[0].BundleId !== aliceBefore.BundleId
      && endpoint.userVolume(alice[0].WorkspaceId)['Documents/plan.docx'] === 'the plan'
      && stack.resources.get([...stack.resources.keys()].find((k) => k.startsWith('Alice'))!)!.physicalId === alice[0].WorkspaceId;
  }, 'Alice\'s WorkSpace was not migrated with her data');
  console.log(`Alice's WorkSpace is now ${endpoint.inventory().find((w) => w.UserName === 'alice')!.WorkspaceId}, with Documents/plan.docx\n`);

  await step('Destroy: Bob and Carol (DESTROY) are terminated, Alice (the default, retained) stays', () => stack.destroy());
  expect(endpoint.inventory(), (all) => all.length === 1 && all[0].UserName === 'alice', 'destroy did not honour the removal policies');

  const calls = endpoint.calls();
  const total = Object.entries(calls).filter(([k]) => /^[A-Z]/.test(k)).reduce((n, [, v]) => n + v, 0);
  const retained = endpoint.inventory().map((w) => `${w.WorkspaceId} (${w.UserName})`).join(', ') || 'none';
  console.log(`\nSummary: ${tally.created} created, ${tally.changedInPlace} changed in place, ${tally.replaced} replaced, `
    + `${tally.terminated} terminated (replaced ones included), ${endpoint.migrations().length} migrated (counted as replaced: a new id); retained after destroy: ${retained}; ${total} API calls in ${elapsed().trim()}`);
  console.log(Object.entries(calls).filter(([k]) => /^[A-Z]/.test(k)).map(([k, v]) => `  ${k}: ${v}`).join('\n'));
  await endpoint.stop();
}

function printInventory(all: WorkspaceSnapshot[]): void {
  for (const w of all) {
    const p = w.WorkspaceProperties;
    const props = [p.RunningMode, p.RunningModeAutoStopTimeoutInMinutes && `${p.RunningModeAutoStopTimeoutInMinutes} min`,
      p.ComputeTypeName, p.UserVolumeSizeGib && `user ${p.UserVolumeSizeGib} GiB`].filter(Boolean).join(', ');
    const tags = Object.entries(w.Tags).filter(([k]) => !k.startsWith('cdk-workspaces:')).map(([k, v]) => `${k}=${v}`).join(' ');
    console.log(`   ${w.WorkspaceId} ${w.UserName.padEnd(6)} ${w.DirectoryId} ${w.State.padEnd(9)} ${props}  [${tags}]`);
  }
  console.log('');
}

function expect<T>(value: T, check: (v: T) => boolean, message: string): void {
  if (!check(value)) {
    throw new Error(`${message}: ${JSON.stringify(value, undefined, 2)}`);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
