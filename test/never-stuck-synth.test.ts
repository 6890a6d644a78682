// Issue 10: mistakes caught at synth, with aws-cdk-lib's ValidationError (the CDK CLI prints its
// message and construct path without a stack trace), and the hour CloudFormation gives.
import { App, Duration, Errors, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { directory } from './directories';
import { Workspace, WorkspaceProps, WorkspaceBundle } from '../src';

const base: WorkspaceProps = { directory: directory('d-1234567890'), bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'alice' };

/** The error `declare` throws, or fails the test if it throws none. */
function errorOf(declare: () => unknown): Error {
  try {
    declare();
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected an error, but there was none');
}

describe('refused at synth with a ValidationError naming the construct path, the prop, the value and the rule', () => {
  test('RemovalPolicy.SNAPSHOT, naming the policies allowed', () => {
    const stack = new Stack(new App(), 'Desks');
    const error = errorOf(() => new Workspace(stack, 'Alice', { ...base, removalPolicy: RemovalPolicy.SNAPSHOT }));

    expect(Errors.isValidationError(error)).toBe(true);
    expect(error.message).toBe('Desks/Alice: Invalid removalPolicy snapshot: must be RemovalPolicy.DESTROY, RemovalPolicy.RETAIN or '
      + 'RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE; CloudFormation cannot snapshot a custom resource, and a WorkSpace has no snapshot '
      + 'to restore from');
  });

  test.each([RemovalPolicy.DESTROY, RemovalPolicy.RETAIN, RemovalPolicy.RETAIN_ON_UPDATE_OR_DELETE])('RemovalPolicy %s is accepted', (policy) => {
    const stack = new Stack(new App(), 'Desks');
    expect(() => new Workspace(stack, 'Alice', { ...base, removalPolicy: policy })).not.toThrow();
  });

  test('a timeout past what lets the handler fail inside CloudFormation\'s hour', () => {
    const stack = new Stack(new App(), 'Desks');
    const error = errorOf(() => new Workspace(stack, 'Alice', { ...base, timeout: Duration.minutes(56) }));

    expect(Errors.isValidationError(error)).toBe(true);
    expect(error.message).toBe('Desks/Alice: Invalid timeout "56 minutes": must be from 1 minute to 55 minutes: CloudFormation fails a '
      + 'custom resource 60 minutes after its request, and the handler keeps 5 minutes of that hour to fail first with its own message '
      + 'and the WorkSpace\'s id');
  });

  test('a value with a unit says its unit', () => {
    const stack = new Stack(new App(), 'Desks');
    const error = errorOf(() => new Workspace(stack, 'Alice', { ...base, autoStopTimeout: Duration.minutes(90) }));

    expect(Errors.isValidationError(error)).toBe(true);
    expect(error.message).toMatch(/^Desks\/Alice: Invalid autoStopTimeout 90 minutes: must be a whole number of hours/);
  });

  test('the same user twice in one directory in one stack, compared without case', () => {
    const stack = new Stack(new App(), 'Desks');
    new Workspace(stack, 'Alice', base);
    const error = errorOf(() => new Workspace(stack, 'AliceAgain', { ...base, userName: 'ALICE' }));

    expect(Errors.isValidationError(error)).toBe(true);
    expect(error.message).toBe('Desks/AliceAgain: Invalid userName "ALICE": user "ALICE" already has a Workspace in directory '
      + 'd-1234567890 in this app (Desks/Alice); a user can have only one WorkSpace per directory, and user names are compared '
      + 'without regard to case. Remove one of them, or use another user or directory.');
  });

  test('the same user twice in one directory in two stacks of one app', () => {
    const app = new App();
    new Workspace(new Stack(app, 'TeamA'), 'Alice', base);

    expect(() => new Workspace(new Stack(app, 'TeamB'), 'Alice', base)).toThrow(/^TeamB\/Alice: Invalid userName "alice".*\(TeamA\/Alice\)/);
  });

  test('the same user in another directory, or in another app, is fine', () => {
    const app = new App();
    new Workspace(new Stack(app, 'TeamA'), 'Alice', base);
    expect(() => new Workspace(new Stack(app, 'TeamB'), 'Alice', { ...base, directory: directory('d-abcdef0123') })).not.toThrow();
    expect(() => new Workspace(new Stack(new App(), 'TeamA'), 'Alice', base)).not.toThrow();
  });
});

describe('inside CloudFormation\'s hour', () => {
  test('by default the handler fails at 55 minutes, CloudFormation at 60, and the Provider waits at most an hour', () => {
    const stack = new Stack(new App(), 'Desks');
    new Workspace(stack, 'Alice', base);
    const template = Template.fromStack(stack);

    template.hasResourceProperties('Custom::Workspace', { TimeoutSeconds: 3300, ServiceTimeout: '3600' });
    // The Provider's waiter: 30-second polls, 120 of them (totalTimeout 1 hour).
    const [machine] = Object.values(template.findResources('AWS::StepFunctions::StateMachine'));
    expect(JSON.stringify(machine.Properties.DefinitionString)).toMatch(/\\"IntervalSeconds\\":30,\\"MaxAttempts\\":120/);
  });

  test('a shorter timeout gets a shorter ServiceTimeout, 5 minutes after it', () => {
    const stack = new Stack(new App(), 'Desks');
    new Workspace(stack, 'Alice', { ...base, timeout: Duration.minutes(20) });

    Template.fromStack(stack).hasResourceProperties('Custom::Workspace', { TimeoutSeconds: 1200, ServiceTimeout: '1500' });
  });
});
