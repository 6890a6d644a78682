import {
  DescribeWorkspaceBundlesCommand,
  DescribeWorkspaceDirectoriesCommand,
  Workspace,
  WorkSpacesClient,
  WorkSpacesServiceException,
} from '@aws-sdk/client-workspaces';
import type { AwsStub } from 'aws-sdk-client-mock';
import { WorkspacesApi } from '../../lambda/api';
import type { HandlerDeps, WorkspaceIsCompleteEvent, WorkspaceResourceEvent } from '../../lambda/core/contract';
import { ownershipMarking } from '../../lambda/core/ownership';

// Every event in the handler tests is this one, overridden by spread.

export const STACK_UUID = '0b9f8a70-5e2d-11ef-9c4b-0a1b2c3d4e5f';
export const STACK_ID = `arn:aws:cloudformation:eu-west-1:123456789012:stack/desks/${STACK_UUID}`;
export const LOGICAL_ID = 'AliceDesk1A2B3C4D';
export const REQUEST_ID = 'c0ffee00-1111-2222-3333-444455556666';
/** The ownership tag value of the WorkSpace that the base Create event creates. */
export const OWNER = ownershipMarking(STACK_ID, LOGICAL_ID, REQUEST_ID, 'created');
export const WORKSPACE_ID = 'ws-abc12345';
export const NEW_WORKSPACE_ID = 'ws-new98765';

/** The WorkSpace of the base event, AVAILABLE with the bundle's settings, as DescribeWorkspaces returns it. */
export const AVAILABLE_WORKSPACE: Workspace = {
  WorkspaceId: WORKSPACE_ID,
  DirectoryId: 'd-1234567890',
  UserName: 'alice',
  BundleId: 'wsb-12345678',
  State: 'AVAILABLE',
  IpAddress: '10.0.1.23',
  ComputerName: 'WSAMZN-ALICE01',
  SubnetId: 'subnet-0123456789abcdef0',
  WorkspaceProperties: {
    RunningMode: 'AUTO_STOP',
    RunningModeAutoStopTimeoutInMinutes: 60,
    ComputeTypeName: 'STANDARD',
    RootVolumeSizeGib: 80,
    UserVolumeSizeGib: 50,
    Protocols: ['PCOIP'],
  },
};
export const STARTED_AT = '2026-01-01T10:00:00.000Z';

export const PROPS: Record<string, unknown> = {
  ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:desks-Provider',
  DirectoryId: 'd-1234567890',
  BundleId: 'wsb-12345678',
  UserName: 'alice',
  Tags: [{ Key: 'team', Value: 'desk' }],
};

export const CREATE: WorkspaceResourceEvent = {
  RequestType: 'Create',
  StackId: STACK_ID,
  LogicalResourceId: LOGICAL_ID,
  RequestId: REQUEST_ID,
  ResourceType: 'Custom::Workspace',
  ResponseURL: 'https://cloudformation-custom-resource-response-euwest1.s3.amazonaws.com/presigned?X-Amz-Signature=SECRET',
  ServiceToken: PROPS.ServiceToken as string,
  ResourceProperties: PROPS,
};

export const UPDATE: WorkspaceResourceEvent = {
  ...CREATE,
  RequestType: 'Update',
  PhysicalResourceId: WORKSPACE_ID,
  OldResourceProperties: PROPS,
};

export const DELETE: WorkspaceResourceEvent = {
  ...CREATE,
  RequestType: 'Delete',
  PhysicalResourceId: WORKSPACE_ID,
};

/** What isComplete receives: the event merged with onEvent's result. */
export function polled(event: WorkspaceResourceEvent, physicalResourceId = WORKSPACE_ID): WorkspaceIsCompleteEvent {
  return { ...event, PhysicalResourceId: physicalResourceId, Data: { StartedAt: STARTED_AT } };
}

/** Deps with a fixed clock, `seconds` after STARTED_AT, and a silent log. */
export function deps(seconds = 60, log: (message: string) => void = () => {}): HandlerDeps {
  return {
    api: new WorkspacesApi(new WorkSpacesClient({ region: 'eu-west-1' })),
    now: () => new Date(Date.parse(STARTED_AT) + seconds * 1000),
    log,
  };
}

/** An error as the SDK throws it once its own retries are spent: throttling. */
export function throttled(): WorkSpacesServiceException {
  return new WorkSpacesServiceException({
    name: 'ThrottlingException',
    message: 'Rate exceeded',
    $fault: 'client',
    $metadata: { httpStatusCode: 400, attempts: 8 },
  });
}

/** An error as the SDK throws it once its own retries are spent: a server-side failure. */
export function serverError(status = 503): WorkSpacesServiceException {
  return new WorkSpacesServiceException({
    name: status === 500 ? 'InternalFailure' : 'ServiceUnavailable',
    message: 'Service is unavailable, try again',
    $fault: 'server',
    $metadata: { httpStatusCode: status, attempts: 8 },
  });
}

/** Deps that record the waits instead of waiting. */
export function depsWithWaits(seconds = 60, remainingMs = 300_000): HandlerDeps & { waits: number[]; lines: string[] } {
  const waits: number[] = [];
  const lines: string[] = [];
  return {
    ...deps(seconds, (line) => lines.push(line)),
    sleep: async (ms: number) => {
      waits.push(ms);
    },
    remainingMs: () => remainingMs - waits.reduce((a, b) => a + b, 0),
    waits,
    lines,
  };
}

export type HandlerDepsWithLines = HandlerDeps & { lines: string[] };

/** These deps, with the log kept in `lines`. */
export function withLines(d: HandlerDeps): HandlerDepsWithLines {
  const lines: string[] = [];
  return { ...d, log: (line: string) => lines.push(line), lines };
}

/**
 * The pre-flight's reads, answered as the service does for a registered directory and a bundle
 * that exists: every directory asked for is REGISTERED, and every bundle asked for by id is a
 * STANDARD bundle with 80 and 50 GiB volumes. Tests of the pre-flight itself override these.
 */
export function answerPreflight(mock: AwsStub<any, any, any>): void {
  mock.on(DescribeWorkspaceDirectoriesCommand).callsFake((input: { DirectoryIds?: string[] }) => ({
    Directories: (input.DirectoryIds ?? []).map((id) => ({ DirectoryId: id, State: 'REGISTERED' })),
  }));
  mock.on(DescribeWorkspaceBundlesCommand).callsFake((input: { BundleIds?: string[] }) => ({
    Bundles: (input.BundleIds ?? []).map((id) => ({
      BundleId: id,
      Name: `Standard bundle ${id}`,
      Owner: 'AMAZON',
      ComputeType: { Name: 'STANDARD' },
      RootStorage: { Capacity: '80' },
      UserStorage: { Capacity: '50' },
    })),
  }));
}
