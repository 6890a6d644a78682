import { IResource, Resource, Stack } from 'aws-cdk-lib';

/**
 * An Amazon WorkSpace, declared in this app or imported.
 */
export interface IWorkspace extends IResource {
  /**
   * The WorkSpace's id, such as `ws-abcd12345`.
   *
   * @attribute
   */
  readonly workspaceId: string;

  /**
   * The WorkSpace's ARN.
   *
   * @attribute
   */
  readonly workspaceArn: string;
}

/**
 * What a declared and an imported WorkSpace have in common.
 */
export abstract class WorkspaceBase extends Resource implements IWorkspace {
  public abstract readonly workspaceId: string;
  public abstract readonly workspaceArn: string;

  /**
   * The ARN of a WorkSpace of this stack's account and region.
   */
  protected arnForWorkspaceId(workspaceId: string): string {
    return Stack.of(this).formatArn({ service: 'workspaces', resource: 'workspace', resourceName: workspaceId });
  }
}
