// Issue 13: the plan's decisions about steps that disconnect the user.
import type { Workspace } from '@aws-sdk/client-workspaces';
import { DesiredWorkspace } from '../../lambda/parse';
import { formatDuration, isDisruptive, nextStep, planReconcile, ReconcileInput, Step, userDisconnected } from '../../lambda/plan';

const DESIRED: DesiredWorkspace = {
  directoryId: 'd-1234567890',
  bundleId: 'wsb-12345678',
  bundle: { bundleId: 'wsb-12345678' },
  userName: 'alice',
  rootVolumeEncryptionEnabled: false,
  userVolumeEncryptionEnabled: false,
  properties: {},
  tags: [],
  timeoutSeconds: 3300,
  disruptionPolicy: 'WAIT_FOR_DISCONNECT',
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

const EVERYTHING: DesiredWorkspace['properties'] = {
  runningMode: 'ALWAYS_ON',
  computeTypeName: 'POWER',
  protocols: ['WSP'],
  rootVolumeSizeGib: 175,
  userVolumeSizeGib: 100,
};

/** The settings, in the order the plan changes them, applying each step as the service would. */
function order(desired: DesiredWorkspace): string[] {
  let workspace = WORKSPACE;
  const settings: string[] = [];
  for (;;) {
    const step = nextStep(desired, [], workspace, {});
    if (step === undefined) {
      return settings;
    }
    if (step.kind !== 'modifyProperties') {
      throw new Error(`unexpected ${step.kind}`);
    }
    settings.push(step.setting);
    workspace = { ...workspace, WorkspaceProperties: { ...workspace.WorkspaceProperties, ...step.properties } };
  }
}

describe('the order of the steps', () => {
  test('WAIT_FOR_DISCONNECT: everything that disturbs no one first, then the protocol and the compute type', () => {
    expect(order({ ...DESIRED, properties: EVERYTHING }))
      .toEqual(['RunningMode', 'UserVolumeSizeGib', 'RootVolumeSizeGib', 'Protocols', 'ComputeTypeName']);
  });

  test('IMMEDIATE: today\'s order', () => {
    expect(order({ ...DESIRED, disruptionPolicy: 'IMMEDIATE', properties: EVERYTHING }))
      .toEqual(['RunningMode', 'Protocols', 'ComputeTypeName', 'UserVolumeSizeGib', 'RootVolumeSizeGib']);
  });

  test('a volume change the service cannot make fails before anything disconnects the user', () => {
    const step = nextStep({ ...DESIRED, properties: { computeTypeName: 'POWER', rootVolumeSizeGib: 175 } }, [], WORKSPACE, {});
    expect(step).toMatchObject({ kind: 'impossible' });
  });

  test.each<[Step, boolean]>([
    [{ kind: 'createTags', tags: [{ Key: 'a', Value: 'b' }] }, false],
    [{ kind: 'deleteTags', keys: ['a'] }, false],
    [{ kind: 'modifyProperties', setting: 'RunningMode', properties: { RunningMode: 'ALWAYS_ON' } }, false],
    [{ kind: 'modifyProperties', setting: 'RootVolumeSizeGib', properties: { RootVolumeSizeGib: 175 } }, false],
    [{ kind: 'modifyProperties', setting: 'UserVolumeSizeGib', properties: { UserVolumeSizeGib: 100 } }, false],
    [{ kind: 'modifyProperties', setting: 'Protocols', properties: { Protocols: ['WSP'] } }, true],
    [{ kind: 'modifyProperties', setting: 'ComputeTypeName', properties: { ComputeTypeName: 'POWER' } }, true],
  ])('isDisruptive(%j) is %s', (step, disruptive) => {
    expect(isDisruptive(step)).toBe(disruptive);
  });
});

describe('planReconcile with a disruptive step next', () => {
  const input: ReconcileInput = {
    workspaceId: 'ws-abc12345',
    desired: { ...DESIRED, properties: { computeTypeName: 'POWER' } },
    previousTagKeys: [],
    workspace: WORKSPACE,
    tags: {},
    mayBeInvisible: false,
    elapsedSeconds: 100,
  };
  const observedAt = new Date('2026-01-01T10:00:00Z');
  const since = new Date('2026-01-01T09:15:00Z');

  test('asks for the connection status first', () => {
    expect(planReconcile(input)).toEqual({ kind: 'observeConnection', step: expect.objectContaining({ setting: 'ComputeTypeName' }) });
  });

  test('asks for it even past the timeout, so that the failure can name the user', () => {
    expect(planReconcile({ ...input, elapsedSeconds: 4000 }).kind).toBe('observeConnection');
  });

  test('takes the step once the user is disconnected', () => {
    const decision = planReconcile({ ...input, connection: { state: 'DISCONNECTED', observedAt } });
    expect(decision).toMatchObject({ kind: 'step', step: { setting: 'ComputeTypeName' } });
  });

  test('waits while the user is connected, saying who and for how long', () => {
    const decision = planReconcile({ ...input, connection: { state: 'CONNECTED', lastKnownUserConnection: since, observedAt } });
    expect(decision).toMatchObject({
      kind: 'wait',
      reason: expect.stringMatching(/^user "alice" is connected \(for 45 minutes\); ModifyWorkspaceProperties ComputeTypeName/),
      pending: { setting: 'ComputeTypeName' },
    });
  });

  test('past the timeout with the user connected: fails with the user, the duration and what to do', () => {
    const decision = planReconcile({ ...input, elapsedSeconds: 3301, connection: { state: 'CONNECTED', lastKnownUserConnection: since, observedAt } });
    expect(decision.kind).toBe('fail');
    const message = (decision as { message: string }).message;
    expect(message).toContain('user "alice" is connected, connected for 45 minutes (since 2026-01-01T09:15:00.000Z');
    expect(message).toContain('nothing that disconnects the user was done');
    expect(message).toContain('set disruptionPolicy to DisruptionPolicy.IMMEDIATE');
  });

  test('without a LastKnownUserConnectionTimestamp the failure says so', () => {
    const decision = planReconcile({ ...input, elapsedSeconds: 3301, connection: { state: 'CONNECTED', observedAt } });
    expect((decision as { message: string }).message).toContain('(the service gives no LastKnownUserConnectionTimestamp)');
  });

  test('IMMEDIATE takes the step without asking', () => {
    const decision = planReconcile({ ...input, desired: { ...input.desired, disruptionPolicy: 'IMMEDIATE' } });
    expect(decision).toMatchObject({ kind: 'step', step: { setting: 'ComputeTypeName' } });
  });

  test('a step that disturbs no one never asks', () => {
    const decision = planReconcile({ ...input, desired: { ...DESIRED, properties: { runningMode: 'ALWAYS_ON', computeTypeName: 'POWER' } } });
    expect(decision).toMatchObject({ kind: 'step', step: { setting: 'RunningMode' } });
  });

  test('a WorkSpace that already has the declared compute type is complete whoever is connected', () => {
    const decision = planReconcile({ ...input, desired: { ...DESIRED, properties: { computeTypeName: 'STANDARD' } } });
    expect(decision).toEqual({ kind: 'complete', kept: [] });
  });
});

describe('userDisconnected', () => {
  const observedAt = new Date();
  test.each([
    ['DISCONNECTED', 'AVAILABLE', true],
    ['CONNECTED', 'AVAILABLE', false],
    ['UNKNOWN', 'AVAILABLE', false],
    [undefined, 'AVAILABLE', false],
    ['UNKNOWN', 'STOPPED', true],
    [undefined, 'STOPPED', true],
    ['CONNECTED', 'STOPPED', false],
  ] as const)('%s on a WorkSpace %s: %s', (state, workspaceState, disconnected) => {
    expect(userDisconnected({ state, observedAt }, { State: workspaceState })).toBe(disconnected);
  });
});

test.each([
  [0, '0 seconds'],
  [1, '1 second'],
  [59, '59 seconds'],
  [60, '1 minute'],
  [3599, '59 minutes'],
  [3600, '1 hour'],
  [3 * 3600 + 60, '3 hours 1 minute'],
  [86400, '1 day'],
  [86400 * 2 + 3600 * 5 + 59, '2 days 5 hours'],
  [-5, '0 seconds'],
])('formatDuration(%d) is "%s"', (seconds, text) => {
  expect(formatDuration(seconds)).toBe(text);
});
