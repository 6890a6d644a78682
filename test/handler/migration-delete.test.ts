// The Deletes CloudFormation sends around a migrated WorkSpace (lambda/resources/workspace/delete.ts
// and migration.ts), against a mocked client: the cleanup Delete of the original id commits and
// terminates nothing; the rollback's Delete of the new id keeps the WorkSpace that holds the
// user's data; the Delete of an original id whose migration was rolled back deletes the
// migrated WorkSpace as the resource's own.
import {
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeTagsCommand,
  DescribeWorkspacesCommand,
  TerminateWorkspacesCommand,
  WorkSpacesClient,
} from '@aws-sdk/client-workspaces';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { DELETE, deps, NEW_WORKSPACE_ID, OWNER, polled, WORKSPACE_ID } from './events';
import { formatMigrationMark, parseMigrationMark } from '../../lambda/plan';
import { isComplete, onEvent } from '../../lambda/router';
import { MIGRATION_TAG_KEY, OWNERSHIP_TAG_KEY } from '../../src/private/rules';

const workspaces = mockClient(WorkSpacesClient);

afterEach(() => {
  workspaces.reset();
});

const MIGRATED = {
  WorkspaceId: NEW_WORKSPACE_ID,
  DirectoryId: 'd-1234567890',
  UserName: 'alice',
  BundleId: 'wsb-34567890',
  State: 'AVAILABLE' as const,
};

/** The original is gone; alice's WorkSpace is the migrated one, with this marking. */
function migratedWith(state: 'pending' | 'rolledback'): void {
  workspaces.on(DescribeWorkspacesCommand, { WorkspaceIds: [WORKSPACE_ID] }).resolves({ Workspaces: [] });
  workspaces.on(DescribeWorkspacesCommand, { WorkspaceIds: [NEW_WORKSPACE_ID] }).resolves({ Workspaces: [MIGRATED] });
  workspaces.on(DescribeWorkspacesCommand, { DirectoryId: 'd-1234567890', UserName: 'alice' }).resolves({ Workspaces: [MIGRATED] });
  workspaces.on(DescribeTagsCommand, { ResourceId: NEW_WORKSPACE_ID }).resolves({
    TagList: [
      { Key: OWNERSHIP_TAG_KEY, Value: OWNER },
      { Key: MIGRATION_TAG_KEY, Value: formatMigrationMark({ request: 'the-migrating-request', state, from: WORKSPACE_ID }) },
    ],
  });
  workspaces.on(TerminateWorkspacesCommand).resolves({ FailedRequests: [] });
}

test('the cleanup Delete of the original id commits the migration and terminates nothing', async () => {
  migratedWith('pending');

  await expect(onEvent(DELETE, deps())).resolves.toMatchObject({ PhysicalResourceId: WORKSPACE_ID });
  await expect(isComplete(polled(DELETE), deps())).resolves.toEqual({ IsComplete: true });

  expect(workspaces).toHaveReceivedCommandWith(DeleteTagsCommand, { ResourceId: NEW_WORKSPACE_ID, TagKeys: [MIGRATION_TAG_KEY] });
  expect(workspaces).not.toHaveReceivedCommand(TerminateWorkspacesCommand);
});

test('the rollback\'s Delete of the new id keeps the migrated WorkSpace, marks it rolled back, and terminates nothing', async () => {
  migratedWith('pending');
  const rollbackDelete = { ...DELETE, PhysicalResourceId: NEW_WORKSPACE_ID, RequestId: 'the-rollback-request' };

  await expect(onEvent(rollbackDelete, deps())).resolves.toMatchObject({ PhysicalResourceId: NEW_WORKSPACE_ID });
  const written = workspaces.commandCalls(CreateTagsCommand)[0].args[0].input.Tags ?? [];
  expect(written.find((t) => t.Key === OWNERSHIP_TAG_KEY)?.Value).toBe(OWNER);
  expect(parseMigrationMark(written.find((t) => t.Key === MIGRATION_TAG_KEY)?.Value)).toEqual({
    request: 'the-rollback-request', state: 'rolledback', from: WORKSPACE_ID,
  });

  // isComplete sees it still there, and leaves it.
  await expect(isComplete(polled(rollbackDelete, NEW_WORKSPACE_ID), deps())).resolves.toEqual({ IsComplete: true });
  expect(workspaces).not.toHaveReceivedCommand(TerminateWorkspacesCommand);
});

test('the Delete of an original id whose migration was rolled back terminates the migrated WorkSpace, the resource\'s own', async () => {
  migratedWith('rolledback');

  await onEvent(DELETE, deps());

  expect(workspaces).toHaveReceivedCommandWith(TerminateWorkspacesCommand, { TerminateWorkspaceRequests: [{ WorkspaceId: NEW_WORKSPACE_ID }] });
  expect(workspaces).not.toHaveReceivedCommand(DeleteTagsCommand);
});

test('a Delete of an original id whose user has no migrated WorkSpace goes on as before (TerminateWorkspaces for an unseen id)', async () => {
  workspaces.on(DescribeWorkspacesCommand).resolves({ Workspaces: [] });
  workspaces.on(TerminateWorkspacesCommand).resolves({ FailedRequests: [{ WorkspaceId: WORKSPACE_ID, ErrorCode: 'ResourceNotFound.Workspace' }] });

  await onEvent(DELETE, deps());

  expect(workspaces).toHaveReceivedCommandWith(TerminateWorkspacesCommand, { TerminateWorkspaceRequests: [{ WorkspaceId: WORKSPACE_ID }] });
  expect(workspaces).not.toHaveReceivedCommand(CreateTagsCommand);
});
