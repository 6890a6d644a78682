import { App, Stack } from 'aws-cdk-lib';
import { IWorkspacesDirectory, WorkspacesDirectory } from '../src';

// Tests that are not about directories name one by its id. An imported directory adds nothing to
// a template, so one shared host stack holds them all; a Workspace reads only its id.
const host = new Stack(new App(), 'ImportedDirectories');

/** The registered directory with this id, as `WorkspacesDirectory.fromDirectoryId` gives it. */
export function directory(directoryId: string): IWorkspacesDirectory {
  const id = `Directory-${directoryId}`;
  return (host.node.tryFindChild(id) as IWorkspacesDirectory | undefined) ?? WorkspacesDirectory.fromDirectoryId(host, id, directoryId);
}
