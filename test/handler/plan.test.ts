import type { Workspace } from '@aws-sdk/client-workspaces';
import { DesiredWorkspace } from '../../lambda/parse';
import { creationRequest, nextStep, NextStep, nextVolumeStep, planDelete, planReconcile, ReconcileInput, volumePairAccepted } from '../../lambda/plan';

const DESIRED: DesiredWorkspace = {
  directoryId: 'd-1234567890',
  bundleId: 'wsb-12345678',
  bundle: { bundleId: 'wsb-12345678' },
  userName: 'alice',
  rootVolumeEncryptionEnabled: false,
  userVolumeEncryptionEnabled: false,
  properties: {},
  tags: [],
  timeoutSeconds: 3600,
  // Today's order of steps; the WAIT_FOR_DISCONNECT order is tested in disruption-plan.test.ts.
  disruptionPolicy: 'IMMEDIATE',
  bundleChange: 'MIGRATE',
};

const WORKSPACE: Workspace = {
  WorkspaceId: 'ws-abc12345',
  State: 'AVAILABLE',
  WorkspaceProperties: {
    RunningMode: 'AUTO_STOP',
    RunningModeAutoStopTimeoutInMinutes: 60,
    ComputeTypeName: 'STANDARD',
    RootVolumeSizeGib: 80,
    UserVolumeSizeGib: 50,
    Protocols: ['PCOIP'],
  },
};

const OWNER_TAGS = { 'cdk-workspaces:owner': 'Desk/uuid' };

/** Every step nextStep takes until nothing is left, applying each to the WorkSpace and its tags as the service would. */
function allSteps(desired: DesiredWorkspace, previousTagKeys: string[], start: Workspace, startTags: Record<string, string>): NextStep[] {
  let workspace = start;
  let tags = startTags;
  const steps: NextStep[] = [];
  for (let i = 0; i < 20; i++) {
    const step = nextStep(desired, previousTagKeys, workspace, tags);
    if (!step) break;
    steps.push(step);
    if (step.kind === 'impossible') break;
    if (step.kind === 'deleteTags') {
      tags = Object.fromEntries(Object.entries(tags).filter(([k]) => !step.keys.includes(k)));
    } else if (step.kind === 'createTags') {
      tags = { ...tags, ...Object.fromEntries(step.tags.map((t) => [t.Key, t.Value])) };
    } else {
      workspace = { ...workspace, WorkspaceProperties: { ...workspace.WorkspaceProperties, ...step.properties } };
    }
  }
  return steps;
}

const INPUT: ReconcileInput = {
  workspaceId: 'ws-abc12345',
  desired: DESIRED,
  previousTagKeys: [],
  workspace: WORKSPACE,
  tags: OWNER_TAGS,
  mayBeInvisible: false,
  elapsedSeconds: 10,
};

describe('nextStep', () => {
  test('is nothing when the template has no opinion about anything', () => {
    expect(nextStep(DESIRED, [], WORKSPACE, OWNER_TAGS)).toBeUndefined();
  });

  test('applies one change at a time in the order tags, running mode, protocols, compute type, volumes', () => {
    const desired: DesiredWorkspace = {
      ...DESIRED,
      tags: [{ Key: 'team', Value: 'ops' }],
      properties: {
        runningMode: 'ALWAYS_ON',
        protocols: ['WSP'],
        computeTypeName: 'POWER',
        rootVolumeSizeGib: 175,
        userVolumeSizeGib: 100,
      },
    };
    const steps = allSteps(desired, ['old'], WORKSPACE, { ...OWNER_TAGS, old: 'x' });
    expect(steps).toEqual([
      { kind: 'deleteTags', keys: ['old'] },
      { kind: 'createTags', tags: [{ Key: 'team', Value: 'ops' }] },
      { kind: 'modifyProperties', setting: 'RunningMode', properties: { RunningMode: 'ALWAYS_ON' } },
      { kind: 'modifyProperties', setting: 'Protocols', properties: { Protocols: ['WSP'] } },
      { kind: 'modifyProperties', setting: 'ComputeTypeName', properties: { ComputeTypeName: 'POWER' } },
      // 80/50 to 175/100: root 175 with user 50 is refused, so the user volume grows first.
      { kind: 'modifyProperties', setting: 'UserVolumeSizeGib', properties: { UserVolumeSizeGib: 100 } },
      { kind: 'modifyProperties', setting: 'RootVolumeSizeGib', properties: { RootVolumeSizeGib: 175 } },
    ]);
  });

  test('changes the auto-stop timeout together with the running mode', () => {
    const desired = { ...DESIRED, properties: { runningMode: 'AUTO_STOP', runningModeAutoStopTimeoutInMinutes: 120 } };

    expect(nextStep(desired, [], WORKSPACE, OWNER_TAGS)).toEqual({
      kind: 'modifyProperties',
      setting: 'RunningMode',
      properties: { RunningMode: 'AUTO_STOP', RunningModeAutoStopTimeoutInMinutes: 120 },
    });
  });

  test('treats protocols as a set', () => {
    const desired = { ...DESIRED, properties: { protocols: ['WSP', 'PCOIP'] } };
    const workspace = { ...WORKSPACE, WorkspaceProperties: { Protocols: ['PCOIP' as const, 'WSP' as const] } };

    expect(nextStep(desired, [], workspace, OWNER_TAGS)).toBeUndefined();
  });

  test('never deletes the ownership tag or a tag that the previous deployment did not declare', () => {
    const tags = { ...OWNER_TAGS, manual: 'by hand' };

    expect(nextStep(DESIRED, ['cdk-workspaces:owner'], WORKSPACE, tags)).toBeUndefined();
  });

  test('does not delete a removed tag that is already gone from the WorkSpace', () => {
    expect(nextStep(DESIRED, ['gone'], WORKSPACE, OWNER_TAGS)).toBeUndefined();
  });
});

describe('volume order', () => {
  const volumes = (root: number, user: number): Workspace =>
    ({ ...WORKSPACE, WorkspaceProperties: { RootVolumeSizeGib: root, UserVolumeSizeGib: user } });
  const want = (root?: number, user?: number): DesiredWorkspace => ({ ...DESIRED, properties: { rootVolumeSizeGib: root, userVolumeSizeGib: user } });
  const sizes = (steps: NextStep[]) => steps.map((s) => (s.kind === 'modifyProperties' ? JSON.stringify(s.properties) : s.kind));

  test('grows the user volume first when the target root volume needs it (80/50 to 175/100)', () => {
    expect(sizes(allSteps(want(175, 100), [], volumes(80, 50), OWNER_TAGS)))
      .toEqual(['{"UserVolumeSizeGib":100}', '{"RootVolumeSizeGib":175}']);
  });

  test('goes through user 100 when neither single change is accepted (80/50 to 175/200)', () => {
    expect(sizes(allSteps(want(175, 200), [], volumes(80, 50), OWNER_TAGS)))
      .toEqual(['{"UserVolumeSizeGib":100}', '{"RootVolumeSizeGib":175}', '{"UserVolumeSizeGib":200}']);
  });

  test('changes the root volume first when both orders are accepted (175/100 to 250/200)', () => {
    expect(sizes(allSteps(want(250, 200), [], volumes(175, 100), OWNER_TAGS)))
      .toEqual(['{"RootVolumeSizeGib":250}', '{"UserVolumeSizeGib":200}']);
  });

  test('every pair of sizes on the way is one the service accepts, and the last is the target', () => {
    const roots = [80, 175, 250, 2000];
    const users = [10, 50, 100, 200, 2000];
    for (const [r0, u0] of roots.flatMap((r) => users.map((u) => [r, u])).filter(([r, u]) => volumePairAccepted(r, u))) {
      for (const [r1, u1] of roots.flatMap((r) => users.map((u) => [r, u])).filter(([r, u]) => volumePairAccepted(r, u) && r >= r0 && u >= u0)) {
        let [root, user] = [r0, u0];
        for (const step of allSteps(want(r1, u1), [], volumes(r0, u0), OWNER_TAGS)) {
          expect({ from: `${r0}/${u0}`, to: `${r1}/${u1}`, step: step.kind }).toEqual({ from: `${r0}/${u0}`, to: `${r1}/${u1}`, step: 'modifyProperties' });
          const properties = (step as { properties: { RootVolumeSizeGib?: number; UserVolumeSizeGib?: number } }).properties;
          expect(Object.keys(properties)).toHaveLength(1);
          root = properties.RootVolumeSizeGib ?? root;
          user = properties.UserVolumeSizeGib ?? user;
          expect({ from: `${r0}/${u0}`, to: `${r1}/${u1}`, pair: `${root}/${user}`, accepted: volumePairAccepted(root, user) })
            .toEqual({ from: `${r0}/${u0}`, to: `${r1}/${u1}`, pair: `${root}/${user}`, accepted: true });
        }
        expect(`${root}/${user}`).toBe(`${r1}/${u1}`);
      }
    }
  });

  test('fails clearly, before any call, when the other volume is not declared and no order works', () => {
    const step = nextStep(want(175, undefined), [], volumes(80, 50), OWNER_TAGS);

    expect(step).toMatchObject({ kind: 'impossible' });
    const message = (step as { message: string }).message;
    expect(message).toContain('ws-abc12345');
    expect(message).toContain('from root 80 GiB / user 50 GiB to root 175 GiB / user 50 GiB');
    expect(message).toContain('175 GiB or more only with a user volume of at least 100 GiB');
    expect(message).toContain('The user volume is not declared, so it stays as it is.');
    expect(planReconcile({ ...INPUT, desired: want(175, undefined), workspace: volumes(80, 50) }))
      .toEqual({ kind: 'fail', message });
  });

  test('fails clearly for a target pair the service does not accept (80/200)', () => {
    expect(nextVolumeStep('ws-abc12345', { rootVolumeSizeGib: 80, userVolumeSizeGib: 200 }, { RootVolumeSizeGib: 80, UserVolumeSizeGib: 50 }))
      .toMatchObject({ kind: 'impossible', message: expect.stringContaining('to root 80 GiB / user 200 GiB') });
  });

  test('changes what differs when the service does not report both sizes', () => {
    expect(nextVolumeStep('ws-abc12345', { rootVolumeSizeGib: 175 }, {}))
      .toEqual({ kind: 'modifyProperties', setting: 'RootVolumeSizeGib', properties: { RootVolumeSizeGib: 175 } });
  });
});

describe('planReconcile', () => {
  test('is complete when a settled WorkSpace has the desired state', () => {
    expect(planReconcile(INPUT)).toEqual({ kind: 'complete', kept: [] });
    expect(planReconcile({ ...INPUT, workspace: { ...WORKSPACE, State: 'STOPPED' } })).toEqual({ kind: 'complete', kept: [] });
  });

  test.each(['PENDING', 'STARTING', 'REBOOTING', 'REBUILDING', 'RESTORING', 'UPDATING', 'STOPPING', 'MAINTENANCE',
    'ADMIN_MAINTENANCE', 'IMPAIRED', 'UNHEALTHY'])('waits while the WorkSpace is %s, even with changes to make', (state) => {
    const desired = { ...DESIRED, properties: { computeTypeName: 'POWER' } };

    expect(planReconcile({ ...INPUT, desired, workspace: { ...WORKSPACE, State: state as Workspace['State'] } }))
      .toMatchObject({ kind: 'wait' });
  });

  test.each(['TERMINATING', 'TERMINATED', 'SUSPENDED', 'ERROR'])('fails when the WorkSpace is %s and a property is still to change', (state) => {
    const desired = { ...DESIRED, properties: { computeTypeName: 'POWER' } };
    expect(planReconcile({ ...INPUT, desired, workspace: { ...WORKSPACE, State: state as Workspace['State'] } }))
      .toMatchObject({ kind: 'fail', message: expect.stringContaining(`ws-abc12345 is ${state === 'ERROR' ? 'in state ERROR' : state}`) });
  });

  test('waits for a new WorkSpace that is not visible yet, and fails for an existing one that vanished', () => {
    expect(planReconcile({ ...INPUT, workspace: undefined, mayBeInvisible: true })).toMatchObject({ kind: 'wait' });
    expect(planReconcile({ ...INPUT, workspace: undefined, mayBeInvisible: false }))
      .toMatchObject({ kind: 'fail', message: expect.stringContaining('no longer exists') });
  });

  test('fails past the timeout instead of taking another step', () => {
    const desired = { ...DESIRED, properties: { computeTypeName: 'POWER' } };

    expect(planReconcile({ ...INPUT, desired, elapsedSeconds: 3599 })).toMatchObject({ kind: 'step' });
    expect(planReconcile({ ...INPUT, desired, elapsedSeconds: 3601 }))
      .toMatchObject({ kind: 'fail', message: expect.stringMatching(/ws-abc12345.*3600 seconds.*AVAILABLE/) });
  });

  test('says after a timeout what happens to the WorkSpace: a new one is rolled back, one changed in place keeps its changes', () => {
    const desired = { ...DESIRED, properties: { computeTypeName: 'POWER' }, timeoutSeconds: 1 };

    const created = planReconcile({ ...INPUT, desired, workspace: undefined, mayBeInvisible: true, elapsedSeconds: 2 });
    expect(created).toEqual({
      kind: 'fail',
      message: 'WorkSpace ws-abc12345 did not reach the desired state within 1 second (TimeoutSeconds); its last observed state was '
        + 'not visible (DescribeWorkspaces did not return it). CloudFormation\'s rollback now terminates this new WorkSpace '
        + '(unless its removal policy is RETAIN or the rollback is disabled: then it stays, and a later deploy takes it over only with adoptExisting).',
    });
    const inPlace = planReconcile({ ...INPUT, desired: { ...desired, timeoutSeconds: 600 }, elapsedSeconds: 601 });
    expect(inPlace).toMatchObject({ kind: 'fail', message: expect.stringContaining('within 600 seconds (TimeoutSeconds)') });
    expect(inPlace).toMatchObject({ kind: 'fail', message: expect.stringContaining('The changes made so far stay on the WorkSpace') });
    expect(JSON.stringify(inPlace)).not.toContain('terminates');
  });

  test('still completes past the timeout when nothing is left to do', () => {
    expect(planReconcile({ ...INPUT, elapsedSeconds: 99999 })).toEqual({ kind: 'complete', kept: [] });
  });
});

describe('planDelete', () => {
  const base = { workspaceId: 'ws-abc12345', timeoutSeconds: 3600, elapsedSeconds: 10 };

  test('is complete when the WorkSpace is not described or TERMINATED', () => {
    expect(planDelete({ ...base, workspace: undefined })).toEqual({ kind: 'complete' });
    expect(planDelete({ ...base, workspace: { ...WORKSPACE, State: 'TERMINATED' } })).toEqual({ kind: 'complete' });
  });

  test('waits while TERMINATING and terminates anything else', () => {
    expect(planDelete({ ...base, workspace: { ...WORKSPACE, State: 'TERMINATING' } })).toMatchObject({ kind: 'wait' });
    expect(planDelete({ ...base, workspace: { ...WORKSPACE, State: 'ERROR' } })).toEqual({ kind: 'terminate' });
    expect(planDelete({ ...base, workspace: WORKSPACE })).toEqual({ kind: 'terminate' });
  });

  test('fails for SUSPENDED, and past the timeout', () => {
    expect(planDelete({ ...base, workspace: { ...WORKSPACE, State: 'SUSPENDED' } }))
      .toMatchObject({ kind: 'fail', message: expect.stringContaining('cannot be terminated') });
    expect(planDelete({ ...base, elapsedSeconds: 3601, workspace: { ...WORKSPACE, State: 'TERMINATING' } }))
      .toMatchObject({ kind: 'fail', message: expect.stringContaining('TERMINATING') });
  });
});

describe('creationRequest', () => {
  test('appends the ownership tag after the user tags and omits unset settings', () => {
    expect(creationRequest({ ...DESIRED, tags: [{ Key: 'team', Value: 'desk' }], properties: { runningMode: 'ALWAYS_ON' } }, 'Desk/uuid'))
      .toEqual({
        DirectoryId: 'd-1234567890',
        UserName: 'alice',
        BundleId: 'wsb-12345678',
        WorkspaceProperties: { RunningMode: 'ALWAYS_ON' },
        Tags: [{ Key: 'team', Value: 'desk' }, { Key: 'cdk-workspaces:owner', Value: 'Desk/uuid' }],
      });
  });
});
