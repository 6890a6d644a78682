// Issue 10: rollbacks that always complete, refusals with their reason, removed props, the hour,
// and onEvent's budget. Each forward request is tested beside its rollback (an Update back).
import {
  CreateTagsCommand,
  CreateWorkspacesCommand,
  DescribeTagsCommand,
  DescribeWorkspaceBundlesCommand,
  DescribeWorkspacesCommand,
  DescribeWorkspacesConnectionStatusCommand,
  InvalidResourceStateException,
  ModifyWorkspacePropertiesCommand,
  TerminateWorkspacesCommand,
  Workspace,
  WorkSpacesClient,
} from '@aws-sdk/client-workspaces';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { AVAILABLE_WORKSPACE, CREATE, DELETE, deps, HandlerDepsWithLines, OWNER, polled, PROPS, throttled, UPDATE, WORKSPACE_ID, withLines, answerPreflight } from './events';
import { parseProperties, removedWorkspaceProperties } from '../../lambda/parse';
import { isComplete, onEvent } from '../../lambda/router';

const workspaces = mockClient(WorkSpacesClient);

// Every Create passes the pre-flight (its own tests are in preflight.test.ts).
beforeEach(() => answerPreflight(workspaces));

// No one is connected: a change that disconnects the user goes ahead as it always did
// (disruption-aware updates have their own tests in disruption.test.ts).
beforeEach(() => {
  workspaces.on(DescribeWorkspacesConnectionStatusCommand).resolves({
    WorkspacesConnectionStatus: [{ WorkspaceId: WORKSPACE_ID, ConnectionState: 'DISCONNECTED' }],
  });
});

afterEach(() => {
  workspaces.reset();
});

const WORKSPACE = AVAILABLE_WORKSPACE;
const TAGS = [{ Key: 'team', Value: 'desk' }, { Key: 'cdk-workspaces:owner', Value: OWNER }];

/** Properties with these WorkspaceProperties (stringified, as CloudFormation sends them). */
function props(workspaceProperties?: Record<string, string>): Record<string, unknown> {
  return workspaceProperties === undefined ? { ...PROPS } : { ...PROPS, WorkspaceProperties: workspaceProperties };
}

/** An in-place Update from `before` to `after`; a rollback is the same with the two swapped. */
function update(after: Record<string, unknown>, before: Record<string, unknown>) {
  return polled({ ...UPDATE, ResourceProperties: after, OldResourceProperties: before });
}

function observe(workspace: Workspace, tags = TAGS): void {
  workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [workspace] });
  workspaces.on(DescribeTagsCommand).resolves({ TagList: tags });
}

const STANDARD = props({ ComputeTypeName: 'STANDARD' });
const POWER = props({ ComputeTypeName: 'POWER' });

describe('compare first: a WorkSpace that already has what is declared is complete in any state', () => {
  test.each(['ERROR', 'SUSPENDED', 'UNHEALTHY', 'IMPAIRED', 'STOPPING', 'REBOOTING'] as const)(
    'the rollback of an update that changed nothing completes on a WorkSpace in %s, with its attributes', async (state) => {
      observe({ ...WORKSPACE, State: state });

      // The forward update asked for POWER and failed before changing anything; the rollback
      // asks for STANDARD, which the WorkSpace has.
      const result = await isComplete(update(STANDARD, POWER), deps());

      expect(result).toEqual({
        IsComplete: true,
        Data: {
          WorkspaceId: WORKSPACE_ID, IpAddress: '10.0.1.23', ComputerName: 'WSAMZN-ALICE01', SubnetId: 'subnet-0123456789abcdef0', State: state, BundleId: 'wsb-12345678',
        },
      });
      expect(workspaces).not.toHaveReceivedCommand(ModifyWorkspacePropertiesCommand);
    });

  test('the forward update on an ERROR WorkSpace fails at once, with the service\'s error and what to do', async () => {
    observe({ ...WORKSPACE, State: 'ERROR', ErrorCode: 'InternalError', ErrorMessage: 'The WorkSpace failed to boot.' });

    await expect(isComplete(update(POWER, STANDARD), deps())).rejects.toThrow(
      'WorkSpace ws-abc12345 is in state ERROR: InternalError: The WorkSpace failed to boot. ModifyWorkspaceProperties ComputeTypeName '
      + '{"ComputeTypeName":"POWER"} is still to do, and the service changes properties only when a WorkSpace is AVAILABLE or STOPPED. '
      + 'Reboot or rebuild it until it is AVAILABLE, then deploy again.');
    expect(workspaces).not.toHaveReceivedCommand(ModifyWorkspacePropertiesCommand);
  });

  test('the forward update on a SUSPENDED WorkSpace fails at once; on an UNHEALTHY one it waits, which may pass', async () => {
    observe({ ...WORKSPACE, State: 'SUSPENDED' });
    await expect(isComplete(update(POWER, STANDARD), deps())).rejects.toThrow(/ws-abc12345 is SUSPENDED.*Resume it first/);

    observe({ ...WORKSPACE, State: 'UNHEALTHY' });
    await expect(isComplete(update(POWER, STANDARD), deps())).resolves.toEqual({ IsComplete: false });
    expect(workspaces).not.toHaveReceivedCommand(ModifyWorkspacePropertiesCommand);
  });

  test('a tag change is applied on an UNHEALTHY WorkSpace at once, and completes there', async () => {
    const tags: Record<string, string> = { 'team': 'desk', 'cdk-workspaces:owner': OWNER };
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [{ ...WORKSPACE, State: 'UNHEALTHY' }] });
    workspaces.on(DescribeTagsCommand).callsFake(() => ({ TagList: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));
    workspaces.on(CreateTagsCommand).callsFake((input) => {
      for (const t of input.Tags) tags[t.Key] = t.Value;
      return {};
    });
    const retagged = { ...PROPS, Tags: [{ Key: 'team', Value: 'platform' }] };

    await expect(isComplete(update(retagged, PROPS), deps())).resolves.toEqual({ IsComplete: false });
    expect(workspaces).toHaveReceivedCommandWith(CreateTagsCommand, { ResourceId: WORKSPACE_ID, Tags: [{ Key: 'team', Value: 'platform' }] });
    await expect(isComplete(update(retagged, PROPS), deps())).resolves.toMatchObject({ IsComplete: true, Data: { State: 'UNHEALTHY' } });

    // The rollback, back to the old value, in the same state.
    await expect(isComplete(update(PROPS, retagged), deps())).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(update(PROPS, retagged), deps())).resolves.toMatchObject({ IsComplete: true });
    expect(tags.team).toBe('desk');
  });

  test('a tag change the service refuses on a SUSPENDED WorkSpace fails at once with the service\'s message', async () => {
    observe({ ...WORKSPACE, State: 'SUSPENDED' });
    workspaces.on(CreateTagsCommand).rejects(new InvalidResourceStateException({ message: 'The WorkSpace is suspended.', $metadata: {} }));
    const retagged = { ...PROPS, Tags: [{ Key: 'team', Value: 'platform' }] };

    await expect(isComplete(update(retagged, PROPS), deps())).rejects.toThrow(
      /CreateTags team was refused for WorkSpace ws-abc12345, which is SUSPENDED: InvalidResourceStateException: The WorkSpace is suspended\. .*bring it to AVAILABLE or STOPPED/);
  });

  test('nothing is compared while the service is still changing the WorkSpace: it shows the old values while UPDATING', async () => {
    observe({ ...WORKSPACE, State: 'AVAILABLE', ModificationStates: [{ Resource: 'COMPUTE_TYPE', State: 'UPDATE_IN_PROGRESS' }] });

    await expect(isComplete(update(STANDARD, POWER), deps())).resolves.toEqual({ IsComplete: false });
    expect(workspaces).not.toHaveReceivedCommand(DescribeTagsCommand);
  });

  test('a new WorkSpace in ERROR still fails its Create: its creation is what is declared', async () => {
    observe({ ...WORKSPACE, State: 'ERROR', ErrorCode: 'ResourceLimitExceeded', ErrorMessage: 'No capacity.' });

    await expect(isComplete(polled(CREATE), deps())).rejects.toThrow('WorkSpace ws-abc12345 is in state ERROR: ResourceLimitExceeded: No capacity.');
  });
});

describe('a grown volume cannot shrink', () => {
  const SMALL = props({ UserVolumeSizeGib: '50' });
  const GROWN = props({ UserVolumeSizeGib: '100' });

  test('the forward update grows the volume', async () => {
    observe(WORKSPACE);

    await expect(isComplete(update(GROWN, SMALL), deps())).resolves.toEqual({ IsComplete: false });
    expect(workspaces).toHaveReceivedCommandWith(ModifyWorkspacePropertiesCommand, { WorkspaceProperties: { UserVolumeSizeGib: 100 } });
  });

  test('its rollback completes with the larger volume, and says so in the log', async () => {
    observe({ ...WORKSPACE, WorkspaceProperties: { ...WORKSPACE.WorkspaceProperties, UserVolumeSizeGib: 100 } });
    const { lines, ...d } = withLines(deps());

    await expect(isComplete(update(SMALL, GROWN), d)).resolves.toMatchObject({ IsComplete: true });
    expect(workspaces).not.toHaveReceivedCommand(ModifyWorkspacePropertiesCommand);
    expect(lines).toContain('ws-abc12345: the user volume stays at 100 GiB although 50 GiB is declared: a volume cannot shrink. Left as it is.');
  });

  test('a larger root volume stays, while the user volume still grows to what is declared', async () => {
    observe({ ...WORKSPACE, WorkspaceProperties: { ...WORKSPACE.WorkspaceProperties, RootVolumeSizeGib: 175, UserVolumeSizeGib: 100 } });

    await expect(isComplete(update(props({ RootVolumeSizeGib: '80', UserVolumeSizeGib: '200' }), GROWN), deps()))
      .resolves.toEqual({ IsComplete: false });
    expect(workspaces).toHaveReceivedCommandWith(ModifyWorkspacePropertiesCommand, { WorkspaceProperties: { UserVolumeSizeGib: 200 } });
  });
});

describe('a refusal that persists fails promptly with the service\'s reason', () => {
  const RATE_LIMIT = 'The compute type of WorkSpace ws-abc12345 cannot be changed from STANDARD to POWER now: it was changed to a larger '
    + 'compute type less than 6 hours ago. You can change a WorkSpace to a larger compute type once every 6 hours, and to a smaller one '
    + 'once every 30 days.';

  test('a rate-limited compute type change fails at its first refusal, naming the limit and what to do', async () => {
    observe(WORKSPACE);
    workspaces.on(ModifyWorkspacePropertiesCommand).rejects(new InvalidResourceStateException({ message: RATE_LIMIT, $metadata: {} }));

    const error = await isComplete(update(POWER, STANDARD), deps()).catch((e: Error) => e);

    expect((error as Error).message).toBe('ModifyWorkspaceProperties ComputeTypeName {"ComputeTypeName":"POWER"} was refused for WorkSpace '
      + `ws-abc12345, which is AVAILABLE: InvalidResourceStateException: ${RATE_LIMIT} This is the service's limit on how often a `
      + 'WorkSpace may be changed (a larger compute type once in 6 hours, a smaller one once in 30 days, volumes once in 6 hours): '
      + 'deploy this change again once that time has passed, or declare what the WorkSpace has now. The changes made so far stay on '
      + 'the WorkSpace; the rollback, or the next deploy, continues from its current state.');
    expect(workspaces).toHaveReceivedCommandTimes(ModifyWorkspacePropertiesCommand, 1);
  });

  test('the rollback of the refused change completes: the WorkSpace kept its compute type', async () => {
    observe(WORKSPACE);

    await expect(isComplete(update(STANDARD, POWER), deps())).resolves.toMatchObject({ IsComplete: true });
    expect(workspaces).not.toHaveReceivedCommand(ModifyWorkspacePropertiesCommand);
  });

  test('any refusal of a WorkSpace that is still AVAILABLE right after fails at once, with the service\'s message', async () => {
    observe({ ...WORKSPACE, State: 'STOPPED' });
    workspaces.on(ModifyWorkspacePropertiesCommand).rejects(new InvalidResourceStateException({ message: 'Not now.', $metadata: {} }));

    await expect(isComplete(update(POWER, STANDARD), deps())).rejects.toThrow(
      /was refused for WorkSpace ws-abc12345, which is STOPPED: InvalidResourceStateException: Not now\. The WorkSpace is STOPPED with nothing under way/);
  });

  test('a refusal while the WorkSpace is moving waits, and the timeout names the last refusal seen', async () => {
    workspaces.on(DescribeWorkspacesCommand)
      .resolvesOnce({ Workspaces: [WORKSPACE] })
      .resolvesOnce({ Workspaces: [{ ...WORKSPACE, State: 'STARTING' }] })
      .resolves({ Workspaces: [{ ...WORKSPACE, State: 'STARTING' }] });
    workspaces.on(DescribeTagsCommand).resolves({ TagList: TAGS });
    workspaces.on(ModifyWorkspacePropertiesCommand).rejects(new InvalidResourceStateException({ message: 'The WorkSpace is starting.', $metadata: {} }));
    // Its own request, so that no other test's refusal is remembered for it.
    const event = { ...update(POWER, STANDARD), RequestId: 'moving-1' };

    await expect(isComplete(event, deps(60))).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(event, deps(3301))).rejects.toThrow(
      'WorkSpace ws-abc12345 did not reach the desired state within 3300 seconds (TimeoutSeconds); its last observed state was STARTING, '
      + 'with ModifyWorkspaceProperties ComputeTypeName {"ComputeTypeName":"POWER"} still to do. The last refusal the service gave: ModifyWorkspaceProperties ComputeTypeName {"ComputeTypeName":"POWER"}: '
      + 'InvalidResourceStateException: The WorkSpace is starting.');
  });
});

describe('removing a prop', () => {
  const NONE = props();

  test('removing computeType brings the WorkSpace back to its bundle\'s compute type', async () => {
    observe({ ...WORKSPACE, WorkspaceProperties: { ...WORKSPACE.WorkspaceProperties, ComputeTypeName: 'POWER' } });
    workspaces.on(DescribeWorkspaceBundlesCommand, { BundleIds: ['wsb-12345678'] })
      .resolves({ Bundles: [{ BundleId: 'wsb-12345678', ComputeType: { Name: 'STANDARD' } }] });

    await expect(isComplete(update(NONE, POWER), deps())).resolves.toEqual({ IsComplete: false });
    expect(workspaces).toHaveReceivedCommandWith(ModifyWorkspacePropertiesCommand, { WorkspaceProperties: { ComputeTypeName: 'STANDARD' } });
  });

  test('its rollback declares POWER again, and gets it', async () => {
    observe(WORKSPACE);

    await expect(isComplete(update(POWER, NONE), deps())).resolves.toEqual({ IsComplete: false });
    expect(workspaces).toHaveReceivedCommandWith(ModifyWorkspacePropertiesCommand, { WorkspaceProperties: { ComputeTypeName: 'POWER' } });
    expect(workspaces).not.toHaveReceivedCommand(DescribeWorkspaceBundlesCommand);
  });

  test('a compute type never declared is left as it is, without asking for the bundle', async () => {
    observe({ ...WORKSPACE, WorkspaceProperties: { ...WORKSPACE.WorkspaceProperties, ComputeTypeName: 'POWER' } });

    await expect(isComplete(update(NONE, NONE), deps())).resolves.toMatchObject({ IsComplete: true });
    expect(workspaces).not.toHaveReceivedCommand(DescribeWorkspaceBundlesCommand);
    expect(workspaces).not.toHaveReceivedCommand(ModifyWorkspacePropertiesCommand);
  });

  test('removing volume sizes or protocols leaves them as they are', async () => {
    observe({ ...WORKSPACE, WorkspaceProperties: { ...WORKSPACE.WorkspaceProperties, RootVolumeSizeGib: 175, UserVolumeSizeGib: 100, Protocols: ['WSP'] } });

    await expect(isComplete(update(NONE, props({ RootVolumeSizeGib: '175', UserVolumeSizeGib: '100', Protocols: 'WSP' as never })), deps()))
      .resolves.toMatchObject({ IsComplete: true });
    expect(workspaces).not.toHaveReceivedCommand(ModifyWorkspacePropertiesCommand);
  });
});

describe('inside CloudFormation\'s hour', () => {
  test('a template of an earlier version with a 2-hour timeout still fails at 55 minutes, before CloudFormation does', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [{ ...WORKSPACE, State: 'PENDING' }] });
    const event = polled({ ...CREATE, ResourceProperties: { ...PROPS, TimeoutSeconds: '7200', ServiceTimeout: '3600' } });

    await expect(isComplete(event, deps(3299))).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(event, deps(3301))).rejects.toThrow(
      /^WorkSpace ws-abc12345 did not reach the desired state within 3300 seconds.*PENDING.*rollback now terminates this new WorkSpace/);
  });
});

describe('onEvent\'s budget counts its calls as well as its waits', () => {
  const EXISTS = { PendingRequests: [], FailedRequests: [{ ErrorCode: 'ResourceExists.WorkSpace', ErrorMessage: 'exists' }] };
  const byUser = { DirectoryId: 'd-1234567890', UserName: 'alice' };

  /** Deps whose every SDK call takes `callMs` of the invocation's 5 minutes. */
  function slowCalls(callMs: number): HandlerDepsWithLines & { sleep: (ms: number) => Promise<void>; remaining: () => number; lowest: () => number } {
    let used = 0;
    let lowest = Infinity;
    const remaining = () => 300_000 - used;
    workspaces.on(CreateWorkspacesCommand).callsFake(() => {
      used += callMs;
      return EXISTS;
    });
    const base = withLines(deps());
    return {
      ...base,
      sleep: async (ms: number) => {
        used += ms;
      },
      remainingMs: () => {
        lowest = Math.min(lowest, remaining());
        return remaining();
      },
      remaining,
      lowest: () => lowest,
    };
  }

  test('under throttling that makes each call take 100 seconds, it stops looking before its Lambda timeout', async () => {
    const d = slowCalls(100_000);
    workspaces.on(DescribeWorkspacesCommand, byUser).callsFake(() => {
      void d.sleep(100_000);
      return { Workspaces: [] };
    });

    await expect(onEvent(CREATE, d)).rejects.toThrow(/does not show it yet/);
    // A look would take 100 s more: with 100 s left, it answers instead.
    expect(d.remaining()).toBeGreaterThan(0);
    expect(workspaces).toHaveReceivedCommandTimes(DescribeWorkspacesCommand, 1);
    expect(d.lines.some((l) => /Not looking again/.test(l))).toBe(true);
  });

  test('with slow calls it still finds the WorkSpace it asked for, and returns its id', async () => {
    const d = slowCalls(30_000);
    workspaces.on(DescribeWorkspacesCommand, byUser)
      .callsFakeOnce(() => {
        void d.sleep(30_000);
        return { Workspaces: [] };
      })
      .callsFake(() => {
        void d.sleep(30_000);
        return { Workspaces: [{ WorkspaceId: WORKSPACE_ID, State: 'PENDING' }] };
      });
    workspaces.on(DescribeTagsCommand).resolves({ TagList: [{ Key: 'cdk-workspaces:owner', Value: OWNER }] });

    await expect(onEvent(CREATE, d)).resolves.toMatchObject({ PhysicalResourceId: WORKSPACE_ID });
    expect(d.remaining()).toBeGreaterThan(60_000);
  });

  test('a look that fails with throttling counts too', async () => {
    const d = slowCalls(0);
    workspaces.on(DescribeWorkspacesCommand, byUser)
      .callsFakeOnce(() => ({ Workspaces: [] }))
      .callsFake(() => {
        void d.sleep(80_000);
        throw throttled();
      });

    await expect(onEvent(CREATE, d)).rejects.toThrow(/does not show it yet/);
    expect(d.lowest()).toBeGreaterThan(0);
    // The first look took 80 s: after it, a second one of 80 s more would leave too little.
    expect(workspaces).toHaveReceivedCommandTimes(DescribeWorkspacesCommand, 3);
  });
});

describe('a known rate-limit message', () => {
  test('fails at once even when the WorkSpace is moving: the limit lasts hours, whatever the state', async () => {
    workspaces.on(DescribeWorkspacesCommand)
      .resolvesOnce({ Workspaces: [WORKSPACE] })
      .resolves({ Workspaces: [{ ...WORKSPACE, State: 'STARTING' }] });
    workspaces.on(DescribeTagsCommand).resolves({ TagList: TAGS });
    workspaces.on(ModifyWorkspacePropertiesCommand).rejects(new InvalidResourceStateException({
      message: 'You can change a WorkSpace to a larger compute type once every 6 hours.', $metadata: {},
    }));

    await expect(isComplete(update(POWER, STANDARD), deps())).rejects.toThrow(
      /was refused for WorkSpace ws-abc12345, which is STARTING: .*once every 6 hours\. This is the service's limit/);
  });
});

describe('properties', () => {
  test('a removed setting is told from one never declared by the previous deployment\'s properties', () => {
    const now = parseProperties(props({ UserVolumeSizeGib: '100' }));

    expect(removedWorkspaceProperties(now, props({ ComputeTypeName: 'POWER', UserVolumeSizeGib: '100', Protocols: ['WSP'] as never })))
      .toEqual(['ComputeTypeName', 'Protocols']);
    expect(removedWorkspaceProperties(now, props({ UserVolumeSizeGib: '50' }))).toEqual([]);
    expect(removedWorkspaceProperties(now, undefined)).toEqual([]);
  });

  test('ServiceTimeout, which CloudFormation passes along, is accepted; a timeout past 55 minutes is cut to 55', () => {
    expect(parseProperties({ ...PROPS, ServiceTimeout: '3600', TimeoutSeconds: '7200' }).timeoutSeconds).toBe(3300);
    expect(parseProperties({ ...PROPS, TimeoutSeconds: '600' }).timeoutSeconds).toBe(600);
    expect(() => parseProperties({ ...PROPS, TimeoutSeconds: '7201' })).toThrow(/Invalid TimeoutSeconds "7201"/);
  });

  test('a ServiceTimeout written by hand that leaves the handler too little time cuts the timeout, 5 minutes before it', () => {
    expect(parseProperties({ ...PROPS, ServiceTimeout: '1800', TimeoutSeconds: '3300' }).timeoutSeconds).toBe(1500);
    expect(parseProperties({ ...PROPS, ServiceTimeout: '3600', TimeoutSeconds: '600' }).timeoutSeconds).toBe(600);
  });
});

describe('a Delete\'s timeout names the last refusal too', () => {
  test('TerminateWorkspaces refused at every poll: the timeout message carries the service\'s words', async () => {
    workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [{ ...WORKSPACE, State: 'REBOOTING' }] });
    // Created by this resource: the Delete may terminate it.
    workspaces.on(DescribeTagsCommand).resolves({ TagList: [{ Key: 'cdk-workspaces:owner', Value: OWNER }] });
    workspaces.on(TerminateWorkspacesCommand).resolves({
      FailedRequests: [{ WorkspaceId: WORKSPACE_ID, ErrorCode: 'InvalidResourceState', ErrorMessage: 'The WorkSpace is rebooting.' }],
    });
    const event = { ...polled(DELETE), RequestId: 'delete-refused-1' };

    await expect(isComplete(event, deps(60))).resolves.toEqual({ IsComplete: false });
    await expect(isComplete(event, deps(3301))).rejects.toThrow(
      'WorkSpace ws-abc12345 was not terminated within 3300 seconds (TimeoutSeconds); its last observed state was REBOOTING. '
      + 'The last refusal the service gave: TerminateWorkspaces: InvalidResourceState: The WorkSpace is rebooting. '
      + 'Its termination may still be under way: delete again to wait for it.');
  });
});
