// The code that import writes, for the cases a directory rarely has: names that are no
// identifiers, users that differ only in case, a compute type newer than this library, no
// WorkSpace at all. The end-to-end runs are in test/local/brownfield.test.ts.
import { renderPython, renderTypeScript } from '../../cli/import';
import type { LiveWorkspace } from '../../cli/live';

function live(userName: string, properties: Record<string, unknown> = {}): LiveWorkspace {
  return {
    workspace: {
      WorkspaceId: 'ws-abcd12345',
      DirectoryId: 'd-1234567890',
      BundleId: 'wsb-12345678',
      UserName: userName,
      WorkspaceProperties: { RunningMode: 'ALWAYS_ON', ...properties },
    },
    tags: {},
  };
}

test('construct ids and variables from user names: readable, unique without case, never a keyword', () => {
  const code = renderTypeScript('d-1234567890', [live('class'), live('Class'), live('9lives'), live('--')], []);
  expect(code).toContain('new Workspace(this, "Class", {');
  expect(code).toContain('new Workspace(this, "Class2", {');
  expect(code).toContain('new Workspace(this, "User9lives", {');
  expect(code).toContain('new Workspace(this, "Workspace", {');
  expect(code).toContain('userName: "--",');
});

test('a compute type that the library does not list is written with ComputeType.of', () => {
  const ts = renderTypeScript('d-1234567890', [live('a', { ComputeTypeName: 'GRAPHICS_G7_XLARGE' }), live('b', { ComputeTypeName: 'POWER' })], []);
  expect(ts).toContain('computeType: ComputeType.of("GRAPHICS_G7_XLARGE"),');
  expect(ts).toContain('computeType: ComputeType.POWER,');
  const py = renderPython('d-1234567890', [live('a', { ComputeTypeName: 'GRAPHICS_G7_XLARGE' })], []);
  expect(py).toContain('compute_type=cdk_workspaces.ComputeType.of("GRAPHICS_G7_XLARGE"),');
});

test('an auto-stop timeout that is not whole hours is written as minutes (the construct then says why it is refused)', () => {
  const ts = renderTypeScript('d-1234567890', [live('a', { RunningMode: 'AUTO_STOP', RunningModeAutoStopTimeoutInMinutes: 90 })], []);
  expect(ts).toContain('autoStopTimeout: Duration.minutes(90),');
});

test('a directory with nothing to declare still gives a valid app, with the notes', () => {
  const leftOut = [{ workspaceId: 'ws-abcd12345', userName: 'alice', reason: 'already managed by cdk-workspaces (cdk-workspaces:owner: X)' }];
  expect(renderPython('d-1234567890', [], leftOut)).toContain('        super().__init__(scope, construct_id, **kwargs)\n        pass\n');
  const ts = renderTypeScript('d-1234567890', [], leftOut);
  expect(ts).toContain('// The 0 WorkSpaces of directory d-1234567890');
  expect(ts).toContain('// - alice (ws-abcd12345): already managed by cdk-workspaces');
  expect(ts).toContain('import { App, Stack, StackProps } from \'aws-cdk-lib\';');
});
