import {
  CreateTagsCommand,
  CreateWorkspacesCommand,
  DeleteTagsCommand,
  DescribeTagsCommand,
  DescribeWorkspacesCommand,
  ModifyWorkspacePropertiesCommand,
  paginateDescribeWorkspaces,
  TerminateWorkspacesCommand,
  Workspace,
  WorkspaceProperties,
  WorkspaceRequest,
  WorkSpacesClient,
} from '@aws-sdk/client-workspaces';
import { version } from '../package.json';
import type { WorkspaceTag } from './properties';

/** What TerminateWorkspaces did with the request. */
export type TerminateOutcome =
  /** The service accepted the request. */
  | 'requested'
  /** The WorkSpace does not exist (any more). */
  | 'not-found'
  /** The WorkSpace cannot be terminated right now; ask again at the next poll. */
  | 'busy';

/**
 * The WorkSpaces calls the handler makes, each as the handler needs it. Throttling and
 * transient errors are retried by the SDK itself (adaptive retry), not here.
 */
export class WorkspacesApi {
  constructor(private readonly client: WorkSpacesClient) {}

  /** The WorkSpaces of one user in one directory, whatever their state. */
  async findByUser(directoryId: string, userName: string): Promise<Workspace[]> {
    const found: Workspace[] = [];
    for await (const page of paginateDescribeWorkspaces({ client: this.client }, { DirectoryId: directoryId, UserName: userName })) {
      found.push(...(page.Workspaces ?? []));
    }
    return found;
  }

  /** The WorkSpace, or undefined when the service does not describe it (not yet, or no more). */
  async describe(workspaceId: string): Promise<Workspace | undefined> {
    try {
      const out = await this.client.send(new DescribeWorkspacesCommand({ WorkspaceIds: [workspaceId] }));
      return (out.Workspaces ?? []).find((w) => w.WorkspaceId === workspaceId);
    } catch (e) {
      // The service answers an unknown id with an empty list; some endpoints answer with an error.
      if (errorName(e).includes('ResourceNotFound')) {
        return undefined;
      }
      throw e;
    }
  }

  /** The WorkSpace's tags, as a map from key to value. */
  async tags(workspaceId: string): Promise<Record<string, string>> {
    const out = await this.client.send(new DescribeTagsCommand({ ResourceId: workspaceId }));
    const tags: Record<string, string> = {};
    for (const tag of out.TagList ?? []) {
      if (tag.Key !== undefined) {
        tags[tag.Key] = tag.Value ?? '';
      }
    }
    return tags;
  }

  /**
   * Requests one WorkSpace and returns its id.
   *
   * @throws Error with the service's ErrorCode and ErrorMessage when the request is refused
   */
  async create(request: WorkspaceRequest): Promise<string> {
    const out = await this.client.send(new CreateWorkspacesCommand({ Workspaces: [request] }));
    const failed = out.FailedRequests?.[0];
    if (failed) {
      throw new Error(`CreateWorkspaces refused the WorkSpace of user ${request.UserName} in directory ${request.DirectoryId}: `
        + `${failed.ErrorCode ?? '(no error code)'}: ${failed.ErrorMessage ?? '(no error message)'}`);
    }
    const workspaceId = out.PendingRequests?.[0]?.WorkspaceId;
    if (!workspaceId) {
      throw new Error(`CreateWorkspaces returned no WorkSpace id for user ${request.UserName} in directory ${request.DirectoryId}`);
    }
    return workspaceId;
  }

  async modifyProperties(workspaceId: string, properties: WorkspaceProperties): Promise<void> {
    await this.client.send(new ModifyWorkspacePropertiesCommand({ WorkspaceId: workspaceId, WorkspaceProperties: properties }));
  }

  async createTags(workspaceId: string, tags: readonly WorkspaceTag[]): Promise<void> {
    await this.client.send(new CreateTagsCommand({ ResourceId: workspaceId, Tags: tags.map((t) => ({ Key: t.Key, Value: t.Value })) }));
  }

  async deleteTags(workspaceId: string, keys: readonly string[]): Promise<void> {
    await this.client.send(new DeleteTagsCommand({ ResourceId: workspaceId, TagKeys: [...keys] }));
  }

  /**
   * Asks for the WorkSpace to be terminated. Safe to repeat.
   *
   * @throws Error with the service's ErrorCode and ErrorMessage when the refusal is not one to wait out
   */
  async terminate(workspaceId: string): Promise<TerminateOutcome> {
    const out = await this.client.send(new TerminateWorkspacesCommand({ TerminateWorkspaceRequests: [{ WorkspaceId: workspaceId }] }));
    const failed = out.FailedRequests?.find((f) => f.WorkspaceId === undefined || f.WorkspaceId === workspaceId);
    if (!failed) {
      return 'requested';
    }
    const code = failed.ErrorCode ?? '';
    if (/not.?found/i.test(code)) {
      return 'not-found';
    }
    if (isBusyCode(code)) {
      return 'busy';
    }
    throw new Error(`TerminateWorkspaces refused to terminate WorkSpace ${workspaceId}: `
      + `${code || '(no error code)'}: ${failed.ErrorMessage ?? '(no error message)'}`);
  }
}

/**
 * Whether an error means "the WorkSpace is busy with something else": the change is to be
 * tried again at the next poll, not to fail the deployment.
 */
export function isRetryLater(error: unknown): boolean {
  return isBusyCode(errorName(error));
}

function isBusyCode(code: string): boolean {
  return /OperationInProgress|InvalidResourceState/.test(code);
}

function errorName(error: unknown): string {
  if (typeof error !== 'object' || error === null) {
    return '';
  }
  const e = error as { name?: unknown; Code?: unknown; code?: unknown; __type?: unknown };
  return [e.name, e.Code, e.code, e.__type].filter((x) => typeof x === 'string').join(' ');
}

/** The user agent names this library, so that its calls can be told apart in CloudTrail. */
export const USER_AGENT: [string, string] = ['cdk-workspaces', version];

/**
 * A client configured from the environment only: the endpoint and the region come from the
 * SDK's standard settings (AWS_ENDPOINT_URL_WORKSPACES, AWS_REGION), so the same handler runs
 * against AWS and against a local endpoint.
 */
export function createClient(): WorkSpacesClient {
  return new WorkSpacesClient({
    retryMode: 'adaptive',
    maxAttempts: 8,
    customUserAgent: [USER_AGENT],
  });
}

let defaultApi: WorkspacesApi | undefined;

/** One client per container: a warm Lambda reuses its connections and its retry state. */
export function getDefaultApi(): WorkspacesApi {
  defaultApi ??= new WorkspacesApi(createClient());
  return defaultApi;
}
