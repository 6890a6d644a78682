import type { Workspace } from '@aws-sdk/client-workspaces';
import { creationRequest, nextStep, planDelete, planReconcile, ReconcileInput } from '../../lambda/plan';
import { DesiredWorkspace } from '../../lambda/properties';

const DESIRED: DesiredWorkspace = {
  directoryId: 'd-1234567890',
  bundleId: 'wsb-12345678',
  userName: 'alice',
  rootVolumeEncryptionEnabled: false,
  userVolumeEncryptionEnabled: false,
  properties: {},
  tags: [],
  timeoutSeconds: 3600,
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

  test('applies one change at a time in the order tags, running mode, protocols, compute type, root volume, user volume', () => {
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
    let workspace: Workspace = WORKSPACE;
    let tags: Record<string, string> = { ...OWNER_TAGS, old: 'x' };
    const steps = [];
    for (let i = 0; i < 10; i++) {
      const step = nextStep(desired, ['old'], workspace, tags);
      if (!step) break;
      steps.push(step);
      if (step.kind === 'deleteTags') {
        tags = Object.fromEntries(Object.entries(tags).filter(([k]) => !step.keys.includes(k)));
      } else if (step.kind === 'createTags') {
        tags = { ...tags, ...Object.fromEntries(step.tags.map((t) => [t.Key, t.Value])) };
      } else {
        workspace = { ...workspace, WorkspaceProperties: { ...workspace.WorkspaceProperties, ...step.properties } };
      }
    }
    expect(steps).toEqual([
      { kind: 'deleteTags', keys: ['old'] },
      { kind: 'createTags', tags: [{ Key: 'team', Value: 'ops' }] },
      { kind: 'modifyProperties', setting: 'RunningMode', properties: { RunningMode: 'ALWAYS_ON' } },
      { kind: 'modifyProperties', setting: 'Protocols', properties: { Protocols: ['WSP'] } },
      { kind: 'modifyProperties', setting: 'ComputeTypeName', properties: { ComputeTypeName: 'POWER' } },
      { kind: 'modifyProperties', setting: 'RootVolumeSizeGib', properties: { RootVolumeSizeGib: 175 } },
      { kind: 'modifyProperties', setting: 'UserVolumeSizeGib', properties: { UserVolumeSizeGib: 100 } },
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

describe('planReconcile', () => {
  test('is complete when a settled WorkSpace has the desired state', () => {
    expect(planReconcile(INPUT)).toEqual({ kind: 'complete' });
    expect(planReconcile({ ...INPUT, workspace: { ...WORKSPACE, State: 'STOPPED' } })).toEqual({ kind: 'complete' });
  });

  test.each(['PENDING', 'STARTING', 'REBOOTING', 'REBUILDING', 'RESTORING', 'UPDATING', 'STOPPING', 'MAINTENANCE',
    'ADMIN_MAINTENANCE', 'IMPAIRED', 'UNHEALTHY'])('waits while the WorkSpace is %s, even with changes to make', (state) => {
    const desired = { ...DESIRED, properties: { computeTypeName: 'POWER' } };

    expect(planReconcile({ ...INPUT, desired, workspace: { ...WORKSPACE, State: state as Workspace['State'] } }))
      .toMatchObject({ kind: 'wait' });
  });

  test.each(['TERMINATING', 'TERMINATED', 'SUSPENDED', 'ERROR'])('fails when the WorkSpace is %s', (state) => {
    expect(planReconcile({ ...INPUT, workspace: { ...WORKSPACE, State: state as Workspace['State'] } }))
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

  test('still completes past the timeout when nothing is left to do', () => {
    expect(planReconcile({ ...INPUT, elapsedSeconds: 99999 })).toEqual({ kind: 'complete' });
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
