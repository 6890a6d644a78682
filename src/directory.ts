import { ArnFormat, IResource, Resource, Stack } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/**
 * A directory registered with Amazon WorkSpaces, declared in this app or imported.
 */
export interface IWorkspacesDirectory extends IResource {
  /**
   * The directory's id, such as `d-1234567890`.
   *
   * @attribute
   */
  readonly directoryId: string;

  /**
   * The directory's ARN in WorkSpaces (`arn:aws:workspaces:region:account:directory/d-...`).
   *
   * @attribute
   */
  readonly directoryArn: string;
}

/**
 * A directory registered with Amazon WorkSpaces.
 *
 * (Issue 12 adds the L2 over `CfnDirectory` here; this file fixes the contract that the
 * `Workspace` and `WorkspaceFleet` constructs build on.)
 */
export class WorkspacesDirectory extends Resource implements IWorkspacesDirectory {
  /**
   * A directory registered with WorkSpaces elsewhere (the console, another stack).
   *
   * Nothing checks at synth time that it is registered: the provider checks before it creates
   * anything, and fails in seconds when it is not.
   *
   * @param scope the scope of the imported directory
   * @param id its construct id
   * @param directoryId the directory's id, such as `d-1234567890`
   */
  public static fromDirectoryId(scope: Construct, id: string, directoryId: string): IWorkspacesDirectory {
    class Import extends Resource implements IWorkspacesDirectory {
      public readonly directoryId = directoryId;
      public readonly directoryArn = Stack.of(scope).formatArn({
        service: 'workspaces',
        resource: 'directory',
        resourceName: directoryId,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
    }
    return new Import(scope, id);
  }

  public readonly directoryId: string;
  public readonly directoryArn: string;

  private constructor(scope: Construct, id: string, directoryId: string) {
    super(scope, id);
    this.directoryId = directoryId;
    this.directoryArn = Stack.of(this).formatArn({
      service: 'workspaces',
      resource: 'directory',
      resourceName: directoryId,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
  }
}
