import { App, Duration, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ConnectionAlias, ConnectionAliasAssociation, WorkspacesDirectory } from '../src';

const DIRECTORY_ID = 'd-1234567890';

function newStack(app = new App(), region = 'us-east-1', name = 'Desks'): Stack {
  return new Stack(app, name, { env: { account: '111122223333', region } });
}

/** The statements of a role's policy that allow these actions. */
function statementsWith(template: Template, action: string): any[] {
  return Object.values(template.findResources('AWS::IAM::Policy'))
    .flatMap((p: any) => p.Properties.PolicyDocument.Statement)
    .filter((s: any) => [s.Action].flat().includes(action));
}

describe('ConnectionAlias', () => {
  test('declares CloudFormation\'s alias, and associate() the association on the stack\'s provider, after the registration', () => {
    const stack = newStack();
    const directory = new WorkspacesDirectory(stack, 'Directory', { directoryId: DIRECTORY_ID });
    const alias = new ConnectionAlias(stack, 'Alias', { connectionString: 'desktop.example.com' });
    const association = alias.associate(directory, { timeout: Duration.minutes(10) });
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::WorkSpaces::ConnectionAlias', { ConnectionString: 'desktop.example.com' });
    const [aliasId] = Object.keys(template.findResources('AWS::WorkSpaces::ConnectionAlias'));
    const [directoryId] = Object.keys(template.findResources('Custom::WorkspacesDirectory'));
    const [[associationId, resource]] = Object.entries(template.findResources('Custom::WorkspacesConnectionAliasAssociation'));
    expect(resource.Properties).toEqual({
      ServiceToken: expect.anything(),
      ServiceTimeout: '900',
      AliasId: { 'Fn::GetAtt': [aliasId, 'AliasId'] },
      ResourceId: DIRECTORY_ID,
      TimeoutSeconds: 600,
    });
    expect(resource.DependsOn).toContain(directoryId);
    expect(stack.resolve(association.connectionIdentifier)).toEqual({ 'Fn::GetAtt': [associationId, 'ConnectionIdentifier'] });
  });

  test('the provider may associate and disassociate this alias with this directory only', () => {
    const stack = newStack();
    const alias = new ConnectionAlias(stack, 'Alias', { connectionString: 'desktop.example.com' });
    alias.associate(WorkspacesDirectory.fromDirectoryId(stack, 'Directory', DIRECTORY_ID));
    const template = Template.fromStack(stack);
    const [aliasId] = Object.keys(template.findResources('AWS::WorkSpaces::ConnectionAlias'));
    const statements = statementsWith(template, 'workspaces:AssociateConnectionAlias');
    // One statement in each handler's role, the same resources.
    expect(statements).toHaveLength(2);
    for (const statement of statements) {
      expect(statement.Action).toEqual(['workspaces:AssociateConnectionAlias', 'workspaces:DisassociateConnectionAlias']);
      expect(statement.Resource).toEqual([
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':workspaces:us-east-1:111122223333:connectionalias/', { 'Fn::GetAtt': [aliasId, 'AliasId'] }]] },
        { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, `:workspaces:us-east-1:111122223333:directory/${DIRECTORY_ID}`]] },
      ]);
    }
    // DescribeConnectionAliases names no single alias (a list of ids, or none).
    expect(statementsWith(template, 'workspaces:DescribeConnectionAliases').map((s) => s.Resource)).toEqual(['*', '*']);
  });

  test('a directory of another Region fails at synth time, saying to declare an alias with the same connection string there', () => {
    const app = new App();
    const primary = newStack(app, 'us-east-1', 'Primary');
    const secondary = newStack(app, 'us-west-2', 'Secondary');
    const directory = new WorkspacesDirectory(secondary, 'Directory', { directoryId: 'd-2234567890' });
    const alias = new ConnectionAlias(primary, 'Alias', { connectionString: 'desktop.example.com' });
    expect(() => alias.associate(directory)).toThrow('Primary/Alias/Association: Invalid directory Secondary/Directory: it is in us-west-2, '
      + 'the alias in us-east-1; an alias is associated only with a directory of its own Region. For cross-Region redirection, '
      + 'declare a ConnectionAlias with the same connectionString in a stack of us-west-2 and associate that one with it');
  });

  test('an alias is associated once: a second associate() fails, naming both directories', () => {
    const stack = newStack();
    const alias = new ConnectionAlias(stack, 'Alias', { connectionString: 'desktop.example.com' });
    alias.associate(WorkspacesDirectory.fromDirectoryId(stack, 'One', DIRECTORY_ID));
    expect(() => alias.associate(WorkspacesDirectory.fromDirectoryId(stack, 'Two', 'd-2234567890')))
      .toThrow('Desks/Alias: Invalid associate(Desks/Two): this alias is associated with Desks/One already');
  });

  test('an imported alias can be associated through ConnectionAliasAssociation', () => {
    const stack = newStack();
    const association = new ConnectionAliasAssociation(stack, 'Association', {
      alias: ConnectionAlias.fromAliasId(stack, 'Alias', 'wsca-abcd1234'),
      directory: WorkspacesDirectory.fromDirectoryId(stack, 'Directory', DIRECTORY_ID),
    });
    Template.fromStack(stack).hasResourceProperties('Custom::WorkspacesConnectionAliasAssociation', {
      AliasId: 'wsca-abcd1234', ResourceId: DIRECTORY_ID, TimeoutSeconds: 900,
    });
    expect(association.node.path).toBe('Desks/Association');
  });

  test.each([
    ['https://desktop.example.com', 'must match'],
    ['desktop', 'at least two labels'],
    ['-desktop.example.com', 'none starting or ending with a hyphen'],
    ['desktop..example.com', 'each 1 to 63 characters'],
  ])('the connection string %s fails at synth time', (connectionString, rule) => {
    expect(() => new ConnectionAlias(newStack(), 'Alias', { connectionString }))
      .toThrow(new RegExp(`^Desks/Alias: Invalid connectionString ${JSON.stringify(connectionString).replace(/[./]/g, '\\$&')}: .*${rule}`));
  });

  test('a wrong alias id or a timeout outside CloudFormation\'s hour fails at synth time', () => {
    expect(() => ConnectionAlias.fromAliasId(newStack(), 'Alias', 'alias-1')).toThrow('Desks/Alias: Invalid aliasId "alias-1": must match ^wsca-');
    const stack = newStack();
    const alias = new ConnectionAlias(stack, 'Alias', { connectionString: 'desktop.example.com' });
    expect(() => alias.associate(WorkspacesDirectory.fromDirectoryId(stack, 'Directory', DIRECTORY_ID), { timeout: Duration.hours(2) }))
      .toThrow('Desks/Alias/Association: Invalid timeout "2 hours": must be from 1 minute to 55 minutes');
  });
});
