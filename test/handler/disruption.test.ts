// Issue 13: disruption-aware updates, through isComplete with the mocked SDK.
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeTagsCommand,
  DescribeWorkspacesCommand,
  DescribeWorkspacesConnectionStatusCommand,
  ModifyWorkspacePropertiesCommand,
  Workspace,
  WorkspaceConnectionStatus,
  WorkSpacesClient,
} from '@aws-sdk/client-workspaces';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { AVAILABLE_WORKSPACE, deps, OWNER, polled, PROPS, UPDATE, WORKSPACE_ID, answerPreflight } from './events';
import { CONNECTION_STATUS_BATCH, WorkspacesApi } from '../../lambda/api';
import { isComplete } from '../../lambda/router';

const workspaces = mockClient(WorkSpacesClient);

// Every Create passes the pre-flight (its own tests are in preflight.test.ts).
beforeEach(() => answerPreflight(workspaces));

afterEach(() => {
  workspaces.reset();
});

const STANDARD = AVAILABLE_WORKSPACE;

/** Alice connected at 08:00; the handler's clock (deps) reads STARTED_AT (10:00) plus the poll's seconds. */
const CONNECTED_SINCE = new Date('2026-01-01T08:00:00.000Z');

/**
 * A WorkSpace whose changes land as the service makes them (UPDATING, then `settle()`), whose
 * user's connection is `connection.state`, and which counts what the handler asked.
 */
function simulate(initial: Workspace, tags: Record<string, string>) {
  const sim = {
    workspace: { ...initial },
    tags: { ...tags },
    connection: 'CONNECTED' as WorkspaceConnectionStatus['ConnectionState'] | 'NOT_REPORTED',
    settle() {
      sim.workspace = { ...sim.workspace, State: 'AVAILABLE' };
    },
  };
  workspaces.on(DescribeWorkspacesCommand).callsFake(() => ({ Workspaces: [sim.workspace] }));
  workspaces.on(DescribeTagsCommand).callsFake(() => ({ TagList: Object.entries(sim.tags).map(([Key, Value]) => ({ Key, Value })) }));
  workspaces.on(DescribeWorkspacesConnectionStatusCommand).callsFake(() => ({
    WorkspacesConnectionStatus: sim.connection === 'NOT_REPORTED' ? [] : [{
      WorkspaceId: WORKSPACE_ID,
      ConnectionState: sim.connection,
      LastKnownUserConnectionTimestamp: CONNECTED_SINCE,
    }],
  }));
  workspaces.on(ModifyWorkspacePropertiesCommand).callsFake((input) => {
    sim.workspace = {
      ...sim.workspace,
      State: 'UPDATING',
      WorkspaceProperties: { ...sim.workspace.WorkspaceProperties, ...input.WorkspaceProperties },
    };
    return {};
  });
  workspaces.on(CreateTagsCommand).callsFake((input) => {
    for (const t of input.Tags) {
      sim.tags[t.Key] = t.Value;
    }
    return {};
  });
  workspaces.on(DeleteTagsCommand).callsFake((input) => {
    for (const k of input.TagKeys) {
      delete sim.tags[k];
    }
    return {};
  });
  return sim;
}

const TAGS = { 'team': 'desk', 'cdk-workspaces:owner': OWNER };

function props(workspaceProperties: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { ...PROPS, WorkspaceProperties: workspaceProperties, ...extra };
}

function update(after: Record<string, unknown>, before: Record<string, unknown>) {
  return polled({ ...UPDATE, ResourceProperties: after, OldResourceProperties: before });
}

function modifyInputs(): unknown[] {
  return workspaces.commandCalls(ModifyWorkspacePropertiesCommand).map((c) => c.args[0].input.WorkspaceProperties);
}

function connectionCalls(): number {
  return workspaces.commandCalls(DescribeWorkspacesConnectionStatusCommand).length;
}

describe('WAIT_FOR_DISCONNECT (the default)', () => {
  const V1 = props({ ComputeTypeName: 'STANDARD', RunningMode: 'AUTO_STOP' });
  const V2 = props({ ComputeTypeName: 'POWER', RunningMode: 'ALWAYS_ON' }, { Tags: [{ Key: 'team', Value: 'platform' }] });

  test('applies tags and the running mode while the user is connected, then holds the compute type back until they leave', async () => {
    const sim = simulate(STANDARD, TAGS);
    const event = update(V2, V1);
    const lines: string[] = [];

    // Tags first, at once; no connection check for a step that disturbs no one.
    await expect(isComplete(event, deps(60, (l) => lines.push(l)))).resolves.toEqual({ IsComplete: false });
    expect(sim.tags.team).toBe('platform');
    // Then the running mode.
    await expect(isComplete(event, deps(90))).resolves.toEqual({ IsComplete: false });
    expect(modifyInputs()).toEqual([{ RunningMode: 'ALWAYS_ON' }]);
    expect(connectionCalls()).toBe(0);
    sim.settle();

    // The compute type is next: alice is connected, so it waits, one status call per poll.
    for (const seconds of [120, 150, 180]) {
      await expect(isComplete(event, deps(seconds, (l) => lines.push(l)))).resolves.toEqual({ IsComplete: false });
    }
    expect(connectionCalls()).toBe(3);
    expect(modifyInputs()).toEqual([{ RunningMode: 'ALWAYS_ON' }]);
    expect(lines.join('\n')).toMatch(/waiting, user "alice" is connected \(for 2 hours 3 minutes\); ModifyWorkspaceProperties ComputeTypeName .* disconnects the user/);

    // She leaves: the next poll changes the compute type.
    sim.connection = 'DISCONNECTED';
    await expect(isComplete(event, deps(210))).resolves.toEqual({ IsComplete: false });
    expect(modifyInputs()).toEqual([{ RunningMode: 'ALWAYS_ON' }, { ComputeTypeName: 'POWER' }]);
    sim.settle();
    await expect(isComplete(event, deps(240))).resolves.toMatchObject({ IsComplete: true, Data: { State: 'AVAILABLE' } });
    expect(connectionCalls()).toBe(4);
  });

  test('a user still connected at the timeout: the update fails naming the user, how long, and what to do, with no disruptive change', async () => {
    const sim = simulate({ ...STANDARD, WorkspaceProperties: { ...STANDARD.WorkspaceProperties, RunningMode: 'ALWAYS_ON' } }, { ...TAGS, team: 'platform' });
    const event = update(V2, V1);

    const error = await isComplete(event, deps(3301)).catch((e: Error) => e);

    expect((error as Error).message).toBe('WorkSpace ws-abc12345: ModifyWorkspaceProperties ComputeTypeName {"ComputeTypeName":"POWER"} '
      + 'was not made within 3300 seconds (TimeoutSeconds): it disconnects the user, and user "alice" is connected, connected for '
      + '2 hours 55 minutes (since 2026-01-01T08:00:00.000Z, the service\'s LastKnownUserConnectionTimestamp). With disruptionPolicy '
      + 'WAIT_FOR_DISCONNECT it waited for them to disconnect; nothing that disconnects the user was done, and the changes that disturb '
      + 'no one are applied. Ask "alice" to disconnect (or deploy outside their working hours) and deploy again, or set '
      + 'disruptionPolicy to DisruptionPolicy.IMMEDIATE to make the change while they are connected. The changes made so far stay on '
      + 'the WorkSpace; the rollback, or the next deploy, continues from its current state.');
    expect(workspaces).not.toHaveReceivedCommand(ModifyWorkspacePropertiesCommand);
    expect(sim.workspace.WorkspaceProperties?.ComputeTypeName).toBe('STANDARD');
  });

  test('the rollback of that update (back to V1) completes while the user is still connected, changing only what disturbs no one', async () => {
    // What the failed update left: its tags and running mode, not its compute type.
    const sim = simulate({ ...STANDARD, WorkspaceProperties: { ...STANDARD.WorkspaceProperties, RunningMode: 'ALWAYS_ON' } }, { ...TAGS, team: 'platform' });
    const rollback = update(V1, V2);

    await expect(isComplete(rollback, deps())).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(rollback, deps())).resolves.toEqual({ IsComplete: false });
    sim.settle();
    await expect(isComplete(rollback, deps())).resolves.toMatchObject({ IsComplete: true });

    expect(sim.tags.team).toBe('desk');
    expect(modifyInputs()).toEqual([{ RunningMode: 'AUTO_STOP' }]);
    // The compute type already is what the rollback declares: no connection check at all.
    expect(connectionCalls()).toBe(0);
  });

  test('volume growth disturbs no one: it is applied while the user is connected, before the compute type', async () => {
    const sim = simulate(STANDARD, TAGS);
    const event = update(props({ ComputeTypeName: 'POWER', UserVolumeSizeGib: '100' }), props({}));

    await expect(isComplete(event, deps())).resolves.toEqual({ IsComplete: false });
    expect(modifyInputs()).toEqual([{ UserVolumeSizeGib: 100 }]);
    expect(connectionCalls()).toBe(0);
    sim.settle();
    await expect(isComplete(event, deps())).resolves.toEqual({ IsComplete: false });
    expect(modifyInputs()).toEqual([{ UserVolumeSizeGib: 100 }]);
    expect(connectionCalls()).toBe(1);
  });

  test('a protocol change disconnects the user too: it waits', async () => {
    simulate(STANDARD, TAGS);

    await expect(isComplete(update(props({ Protocols: ['WSP'] }), props({})), deps())).resolves.toEqual({ IsComplete: false });

    expect(workspaces).not.toHaveReceivedCommand(ModifyWorkspacePropertiesCommand);
    expect(connectionCalls()).toBe(1);
  });

  test.each([
    ['UNKNOWN on an AVAILABLE WorkSpace counts as connected: the compute type change waits', 'UNKNOWN', 'AVAILABLE', false],
    ['a WorkSpace the service does not report counts as UNKNOWN: the compute type change waits', 'NOT_REPORTED', 'AVAILABLE', false],
    ['UNKNOWN on a STOPPED WorkSpace (the service\'s answer for every stopped one): the compute type change is made', 'UNKNOWN', 'STOPPED', true],
  ] as const)('%s', async (_, connection, state, proceeds) => {
    const sim = simulate({ ...STANDARD, State: state }, TAGS);
    sim.connection = connection;

    await expect(isComplete(update(props({ ComputeTypeName: 'POWER' }), props({})), deps())).resolves.toEqual({ IsComplete: false });

    expect(modifyInputs()).toEqual(proceeds ? [{ ComputeTypeName: 'POWER' }] : []);
  });

  test('an UNKNOWN state still at the timeout says it counted as connected', async () => {
    const sim = simulate(STANDARD, TAGS);
    sim.connection = 'UNKNOWN';

    await expect(isComplete(update(props({ ComputeTypeName: 'POWER' }), props({})), deps(3301)))
      .rejects.toThrow(/the service reports the connection state of user "alice" as UNKNOWN, which counts as connected .*connected for 2 hours 55 minutes/);
  });

  test('no connection check while the WorkSpace is busy: the step waits for AVAILABLE first', async () => {
    simulate({ ...STANDARD, State: 'STARTING' }, TAGS);

    await expect(isComplete(update(props({ ComputeTypeName: 'POWER' }), props({})), deps())).resolves.toEqual({ IsComplete: false });

    expect(connectionCalls()).toBe(0);
  });
});

describe('IMMEDIATE', () => {
  test('changes the compute type at once while the user is connected, without asking', async () => {
    simulate(STANDARD, TAGS);

    await expect(isComplete(update(props({ ComputeTypeName: 'POWER' }, { DisruptionPolicy: 'IMMEDIATE' }), props({})), deps()))
      .resolves.toEqual({ IsComplete: false });

    expect(modifyInputs()).toEqual([{ ComputeTypeName: 'POWER' }]);
    expect(connectionCalls()).toBe(0);
  });

  test('a DisruptionPolicy the handler does not know is refused, naming the property, the value and the rule', async () => {
    simulate(STANDARD, TAGS);

    await expect(isComplete(update(props({}, { DisruptionPolicy: 'LATER' }), props({})), deps()))
      .rejects.toThrow('Invalid DisruptionPolicy "LATER": must be one of WAIT_FOR_DISCONNECT, IMMEDIATE');
  });
});

describe('WorkspacesApi.connectionStatus', () => {
  test(`asks for at most ${CONNECTION_STATUS_BATCH} ids per call and follows NextToken`, async () => {
    const ids = Array.from({ length: 30 }, (_, i) => `ws-${String(i).padStart(8, '0')}`);
    workspaces.on(DescribeWorkspacesConnectionStatusCommand).callsFake((input) => {
      const asked: string[] = input.WorkspaceIds;
      // The first batch answers in two pages.
      const firstPage = input.NextToken === undefined && asked.length === CONNECTION_STATUS_BATCH;
      const page = firstPage ? asked.slice(0, 10) : input.NextToken ? asked.slice(10) : asked;
      return {
        WorkspacesConnectionStatus: page.map((WorkspaceId) => ({ WorkspaceId, ConnectionState: 'DISCONNECTED' })),
        NextToken: firstPage ? 'page2' : undefined,
      };
    });

    const statuses = await new WorkspacesApi(new WorkSpacesClient({ region: 'eu-west-1' })).connectionStatus(ids);

    expect([...statuses.keys()].sort()).toEqual(ids);
    const calls = workspaces.commandCalls(DescribeWorkspacesConnectionStatusCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => [c.WorkspaceIds!.length, c.NextToken])).toEqual([[25, undefined], [25, 'page2'], [5, undefined]]);
  });
});
