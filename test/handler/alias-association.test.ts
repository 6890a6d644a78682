// The Custom::WorkspacesConnectionAliasAssociation handler (lambda/alias-association.ts), through
// the handler's routing, against a mocked WorkSpaces client.
import {
  AssociateConnectionAliasCommand,
  ConnectionAlias,
  CreateTagsCommand,
  DeleteTagsCommand,
  DescribeConnectionAliasesCommand,
  DescribeTagsCommand,
  DescribeWorkspaceDirectoriesCommand,
  DisassociateConnectionAliasCommand,
  WorkSpacesClient,
  WorkSpacesServiceException,
} from '@aws-sdk/client-workspaces';
import { mockClient } from 'aws-sdk-client-mock';
import 'aws-sdk-client-mock-jest';
import { deps, REQUEST_ID, STACK_ID, STARTED_AT } from './events';
import type { WorkspaceResourceEvent } from '../../lambda/core/contract';
import { ownershipMarking } from '../../lambda/core/ownership';
import { ALIAS_ASSOCIATION_RESOURCE_TYPE } from '../../lambda/resources/alias-association/alias-association';
import { isComplete, onEvent } from '../../lambda/router';
import { OWNERSHIP_TAG_KEY } from '../../src/private/rules';

const workspaces = mockClient(WorkSpacesClient);
beforeEach(() => {
  workspaces.reset();
  workspaces.on(DescribeWorkspaceDirectoriesCommand).resolves({ Directories: [{ DirectoryId: DIRECTORY_ID, State: 'REGISTERED' }] });
  workspaces.on(DescribeTagsCommand).resolves({ TagList: [] });
});

const ALIAS_ID = 'wsca-abcd1234';
const DIRECTORY_ID = 'd-9067783251';
const LOGICAL_ID = 'AliasAssociation1A2B3C4D';
const PROPS = {
  ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:provider',
  ServiceTimeout: '1200',
  AliasId: ALIAS_ID,
  ResourceId: DIRECTORY_ID,
  TimeoutSeconds: '900',
};
const MARKING = ownershipMarking(STACK_ID, LOGICAL_ID, REQUEST_ID, 'created');

function event(requestType: 'Create' | 'Update' | 'Delete', extra: Partial<WorkspaceResourceEvent> = {}): WorkspaceResourceEvent {
  return {
    RequestType: requestType,
    StackId: STACK_ID,
    LogicalResourceId: LOGICAL_ID,
    RequestId: REQUEST_ID,
    ResourceType: ALIAS_ASSOCIATION_RESOURCE_TYPE,
    ResourceProperties: PROPS,
    ...extra,
  };
}

function polled(e: WorkspaceResourceEvent, physicalResourceId: string) {
  return { ...e, PhysicalResourceId: physicalResourceId, Data: { StartedAt: STARTED_AT } };
}

function alias(associations: ConnectionAlias['Associations'] = [], state: ConnectionAlias['State'] = 'CREATED'): void {
  workspaces.on(DescribeConnectionAliasesCommand).resolves({
    ConnectionAliases: [{ AliasId: ALIAS_ID, ConnectionString: 'desktop.example.com', State: state, OwnerAccountId: '123456789012', Associations: associations }],
  });
}

function associated(status: string = 'ASSOCIATED_WITH_OWNER_ACCOUNT', directoryId = DIRECTORY_ID) {
  return [{ ResourceId: directoryId, AssociationStatus: status as any, AssociatedAccountId: '123456789012', ConnectionIdentifier: 'abcdef1234' }];
}

function marked(value: string): void {
  workspaces.on(DescribeTagsCommand).resolves({ TagList: [{ Key: OWNERSHIP_TAG_KEY, Value: value }] });
}

const MUTATIONS = [AssociateConnectionAliasCommand, DisassociateConnectionAliasCommand, CreateTagsCommand, DeleteTagsCommand];

function expectNoChange(): void {
  for (const command of MUTATIONS) {
    expect(workspaces).not.toHaveReceivedCommand(command as any);
  }
}

describe('Create', () => {
  test('marks the alias as this request\'s, associates it, and completes with the connection identifier once ASSOCIATED', async () => {
    alias();
    const started = await onEvent(event('Create'), deps());
    expect(started.PhysicalResourceId).toBe(`${ALIAS_ID}/${DIRECTORY_ID}`);
    expect(workspaces).toHaveReceivedCommandWith(CreateTagsCommand, { ResourceId: ALIAS_ID, Tags: [{ Key: OWNERSHIP_TAG_KEY, Value: MARKING }] });
    expect(workspaces).toHaveReceivedCommandWith(AssociateConnectionAliasCommand, { AliasId: ALIAS_ID, ResourceId: DIRECTORY_ID });

    alias(associated('PENDING_ASSOCIATION'));
    expect(await isComplete(polled(event('Create'), started.PhysicalResourceId), deps(10))).toEqual({ IsComplete: false });
    alias(associated());
    expect(await isComplete(polled(event('Create'), started.PhysicalResourceId), deps(20))).toEqual({
      IsComplete: true,
      Data: { ConnectionIdentifier: 'abcdef1234', AliasId: ALIAS_ID, ResourceId: DIRECTORY_ID, AssociationStatus: 'ASSOCIATED_WITH_OWNER_ACCOUNT' },
    });
    expect(workspaces).toHaveReceivedCommandTimes(AssociateConnectionAliasCommand, 1);
  });

  test('an alias still CREATING is associated by isComplete once it is CREATED', async () => {
    alias([], 'CREATING');
    const started = await onEvent(event('Create'), deps());
    expect(workspaces).not.toHaveReceivedCommand(AssociateConnectionAliasCommand);
    expect(await isComplete(polled(event('Create'), started.PhysicalResourceId), deps(10))).toEqual({ IsComplete: false });
    expect(workspaces).not.toHaveReceivedCommand(AssociateConnectionAliasCommand);
    alias([], 'CREATED');
    expect(await isComplete(polled(event('Create'), started.PhysicalResourceId), deps(20))).toEqual({ IsComplete: false });
    expect(workspaces).toHaveReceivedCommandWith(AssociateConnectionAliasCommand, { AliasId: ALIAS_ID, ResourceId: DIRECTORY_ID });
  });

  test('a retried Create finds the association its earlier attempt made, by the marking, and keeps it as its own', async () => {
    alias(associated('PENDING_ASSOCIATION'));
    marked(MARKING);
    const started = await onEvent(event('Create'), deps());
    expect(started.PhysicalResourceId).toBe(`${ALIAS_ID}/${DIRECTORY_ID}`);
    expectNoChange();
  });

  test('an association that existed before is adopted: its physical id says so, and nothing changes', async () => {
    alias(associated());
    marked(ownershipMarking(STACK_ID, LOGICAL_ID, 'an-earlier-request', 'created'));
    const started = await onEvent(event('Create'), deps());
    expect(started.PhysicalResourceId).toBe(`${ALIAS_ID}/${DIRECTORY_ID}/adopted`);
    expectNoChange();
    // Its Delete leaves it.
    await onEvent(event('Delete', { PhysicalResourceId: started.PhysicalResourceId }), deps());
    expect(await isComplete(polled(event('Delete'), started.PhysicalResourceId), deps())).toEqual({ IsComplete: true });
    expectNoChange();
  });

  test('an alias associated with another directory fails before anything changes, naming both directories', async () => {
    alias(associated('ASSOCIATED_WITH_OWNER_ACCOUNT', 'd-1111111111'));
    await expect(onEvent(event('Create'), deps())).rejects.toThrow(
      `Connection alias ${ALIAS_ID} is ASSOCIATED_WITH_OWNER_ACCOUNT with directory d-1111111111; an alias is associated with one `
      + `directory at a time, so it cannot be associated with ${DIRECTORY_ID}. Nothing was changed.`);
    expectNoChange();
  });

  test('a directory that is not registered, or an alias of another Region, fails before anything changes', async () => {
    workspaces.on(DescribeWorkspaceDirectoriesCommand).resolves({ Directories: [] });
    await expect(onEvent(event('Create'), deps())).rejects.toThrow(`Directory ${DIRECTORY_ID} is not registered with WorkSpaces`);
    workspaces.on(DescribeWorkspaceDirectoriesCommand).resolves({ Directories: [{ DirectoryId: DIRECTORY_ID, State: 'REGISTERED' }] });
    workspaces.on(DescribeConnectionAliasesCommand).resolves({ ConnectionAliases: [] });
    await expect(onEvent(event('Create'), deps())).rejects.toThrow(`Connection alias ${ALIAS_ID} does not exist in `);
    expectNoChange();
  });

  test.each([
    [{ ...PROPS, Unexpected: 'x' }, 'Invalid Unexpected "x": is not a property of Custom::WorkspacesConnectionAliasAssociation (known: ServiceToken, ServiceTimeout, AliasId, ResourceId, TimeoutSeconds)'],
    [{ ...PROPS, AliasId: 'alias-1' }, 'Invalid AliasId "alias-1": must match ^wsca-[0-9a-z]{8,63}$'],
    [{ ...PROPS, AliasId: ['wsca-abcd1234'] }, 'Invalid AliasId ["wsca-abcd1234"]: is required, as a string'],
    [{ ...PROPS, ResourceId: 'wsipg-12345678' }, 'Invalid ResourceId "wsipg-12345678": must match ^d-[0-9a-f]{8,63}$'],
    [{ ...PROPS, ResourceId: undefined }, 'Invalid ResourceId undefined: is required, as a string'],
    [{ ...PROPS, TimeoutSeconds: '30' }, 'Invalid TimeoutSeconds "30": must be a whole number of seconds from 60 to 3300'],
    [{ ...PROPS, TimeoutSeconds: '10 minutes' }, 'Invalid TimeoutSeconds "10 minutes": must be a whole number of seconds'],
  ])('strict properties: %j fails before any call', async (properties, message) => {
    await expect(onEvent(event('Create', { ResourceProperties: properties }), deps())).rejects.toThrow(message);
    expect(workspaces.calls()).toHaveLength(0);
  });

  test('past its timeout, the wait fails naming the alias, the directory and what it last saw', async () => {
    alias(associated('PENDING_ASSOCIATION'));
    await expect(isComplete(polled(event('Create'), `${ALIAS_ID}/${DIRECTORY_ID}`), deps(901))).rejects.toThrow(
      `Could not associate connection alias ${ALIAS_ID} with directory ${DIRECTORY_ID} within 900 s (TimeoutSeconds); `
      + 'last seen: alias CREATED, association PENDING_ASSOCIATION.');
  });

  test('throttling that outlasted the SDK\'s retries waits for the next poll', async () => {
    workspaces.on(DescribeConnectionAliasesCommand).rejects(new WorkSpacesServiceException({
      name: 'ThrottlingException', message: 'Rate exceeded', $fault: 'client', $metadata: { httpStatusCode: 400 },
    }));
    expect(await isComplete(polled(event('Create'), `${ALIAS_ID}/${DIRECTORY_ID}`), deps(10))).toEqual({ IsComplete: false });
  });
});

describe('Update', () => {
  test('the same alias and directory (a new timeout) is in place', async () => {
    const update = event('Update', { PhysicalResourceId: `${ALIAS_ID}/${DIRECTORY_ID}`, OldResourceProperties: { ...PROPS, TimeoutSeconds: '600' } });
    expect((await onEvent(update, deps())).PhysicalResourceId).toBe(`${ALIAS_ID}/${DIRECTORY_ID}`);
    expect(workspaces.calls()).toHaveLength(0);
  });

  test('another directory for the same alias fails before anything changes, saying what to do', async () => {
    const update = event('Update', {
      PhysicalResourceId: `${ALIAS_ID}/d-1111111111`,
      OldResourceProperties: { ...PROPS, ResourceId: 'd-1111111111' },
    });
    await expect(onEvent(update, deps())).rejects.toThrow(`moving connection alias ${ALIAS_ID} from directory d-1111111111 to `
      + `${DIRECTORY_ID} needs it disassociated first`);
    expect(workspaces.calls()).toHaveLength(0);
  });

  test('another alias (a new connection string) is a new association; the old one is deleted by CloudFormation afterwards', async () => {
    alias();
    const update = event('Update', { PhysicalResourceId: `wsca-old00000/${DIRECTORY_ID}`, OldResourceProperties: { ...PROPS, AliasId: 'wsca-old00000' } });
    expect((await onEvent(update, deps())).PhysicalResourceId).toBe(`${ALIAS_ID}/${DIRECTORY_ID}`);
    expect(workspaces).toHaveReceivedCommandWith(AssociateConnectionAliasCommand, { AliasId: ALIAS_ID, ResourceId: DIRECTORY_ID });
  });
});

describe('Delete', () => {
  test('disassociates what this resource associated, removes its marking, and completes once the association is gone', async () => {
    alias(associated());
    marked(MARKING);
    const id = `${ALIAS_ID}/${DIRECTORY_ID}`;
    await onEvent(event('Delete', { PhysicalResourceId: id }), deps());
    expect(workspaces).toHaveReceivedCommandWith(DisassociateConnectionAliasCommand, { AliasId: ALIAS_ID });
    expect(workspaces).toHaveReceivedCommandWith(DeleteTagsCommand, { ResourceId: ALIAS_ID, TagKeys: [OWNERSHIP_TAG_KEY] });
    alias(associated('PENDING_DISASSOCIATION'));
    expect(await isComplete(polled(event('Delete'), id), deps(10))).toEqual({ IsComplete: false });
    alias([{ ResourceId: DIRECTORY_ID, AssociationStatus: 'NOT_ASSOCIATED' }]);
    expect(await isComplete(polled(event('Delete'), id), deps(20))).toEqual({ IsComplete: true });
  });

  test('a marking of another resource stays', async () => {
    alias(associated());
    marked(ownershipMarking(STACK_ID, 'AnotherAssociation', 'r-9', 'created'));
    await onEvent(event('Delete', { PhysicalResourceId: `${ALIAS_ID}/${DIRECTORY_ID}` }), deps());
    expect(workspaces).not.toHaveReceivedCommand(DeleteTagsCommand);
  });

  test('the rollback of a Create that failed before it made anything does nothing', async () => {
    const id = '2026/01/01/[$LATEST]abc';
    await onEvent(event('Delete', { PhysicalResourceId: id }), deps());
    expect(await isComplete(polled(event('Delete'), id), deps())).toEqual({ IsComplete: true });
    expect(workspaces.calls()).toHaveLength(0);
  });

  test('an association still under way when the Delete came is disassociated by isComplete once it is ASSOCIATED', async () => {
    alias(associated('PENDING_ASSOCIATION'));
    const id = `${ALIAS_ID}/${DIRECTORY_ID}`;
    await onEvent(event('Delete', { PhysicalResourceId: id }), deps());
    expect(workspaces).not.toHaveReceivedCommand(DisassociateConnectionAliasCommand);
    alias(associated());
    expect(await isComplete(polled(event('Delete'), id), deps(10))).toEqual({ IsComplete: false });
    expect(workspaces).toHaveReceivedCommandTimes(DisassociateConnectionAliasCommand, 1);
  });

  test('an alias that is gone (deleted with its association) completes at once', async () => {
    workspaces.on(DescribeConnectionAliasesCommand).resolves({ ConnectionAliases: [] });
    const id = `${ALIAS_ID}/${DIRECTORY_ID}`;
    await onEvent(event('Delete', { PhysicalResourceId: id }), deps());
    expect(await isComplete(polled(event('Delete'), id), deps())).toEqual({ IsComplete: true });
    expectNoChange();
  });
});
