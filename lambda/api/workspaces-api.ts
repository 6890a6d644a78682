import {
  CreateTagsCommand,
  CreateWorkspacesCommand,
  DeleteTagsCommand,
  DescribeTagsCommand,
  DescribeWorkspaceBundlesCommand,
  DescribeWorkspacesCommand,
  DescribeWorkspacesConnectionStatusCommand,
  DescribeWorkspaceSnapshotsCommand,
  MigrateWorkspaceCommand,
  ModifyWorkspacePropertiesCommand,
  paginateDescribeWorkspaceBundles,
  paginateDescribeWorkspaceDirectories,
  paginateDescribeWorkspaces,
  TerminateWorkspacesCommand,
  Workspace,
  WorkspaceBundle,
  WorkspaceConnectionStatus,
  WorkspaceDirectory,
  WorkspaceProperties,
  WorkspaceRequest,
  WorkSpacesClient,
} from '@aws-sdk/client-workspaces';
import { errorName, FailedRequestError, isBusyCode, WorkspacesCallError } from './errors';
import type { Pacer } from './pacer';
import type { WorkspaceTag } from '../parse';

/** What TerminateWorkspaces did with the request. */
export type TerminateOutcome =
  /** The service accepted the request. */
  | 'requested'
  /** The WorkSpace does not exist (any more). */
  | 'not-found'
  /** The WorkSpace cannot be terminated right now; ask again at the next poll. */
  | 'busy';

/** The most ids DescribeWorkspacesConnectionStatus takes in one call (the API reference). */
export const CONNECTION_STATUS_BATCH = 25;
/** The most WorkSpace requests CreateWorkspaces takes in one call (the API reference). */
export const CREATE_BATCH = 25;
/** The most ids DescribeWorkspaces takes in one call, and the most WorkSpaces in one of its pages (the API reference). */
export const DESCRIBE_BATCH = 25;
/**
 * The WorkSpaces calls the handler makes, each as the handler needs it. Throttling and
 * transient errors are retried by the SDK itself (adaptive retry), not here; what is left
 * after those retries is thrown as a WorkspacesCallError naming the call.
 */
export class WorkspacesApi {
  constructor(readonly client: WorkSpacesClient) {}

  /** The WorkSpaces of one user in one directory, whatever their state. */
  async findByUser(directoryId: string, userName: string): Promise<Workspace[]> {
    return this.call('DescribeWorkspaces', userTarget(userName, directoryId), async () => {
      const found: Workspace[] = [];
      for await (const page of paginateDescribeWorkspaces({ client: this.client }, { DirectoryId: directoryId, UserName: userName })) {
        found.push(...(page.Workspaces ?? []));
      }
      return found;
    });
  }

  /**
   * Every WorkSpace of the directory, whatever its state, page by page (25 a page): what a whole
   * fleet observes in one poll, and what the CLI lists. `onPage` hears the count so far.
   */
  async listDirectory(directoryId: string, onPage?: (countSoFar: number) => void): Promise<Workspace[]> {
    return this.call('DescribeWorkspaces', `directory ${directoryId}`, async () => {
      const found: Workspace[] = [];
      for await (const page of paginateDescribeWorkspaces({ client: this.client }, { DirectoryId: directoryId })) {
        found.push(...(page.Workspaces ?? []));
        onPage?.(found.length);
      }
      return found;
    });
  }

  /**
   * These WorkSpaces, by id, in calls of DESCRIBE_BATCH ids. An id the service does not describe
   * (not visible yet, or gone) is absent from the map.
   */
  async describeMany(workspaceIds: readonly string[]): Promise<Map<string, Workspace>> {
    const found = new Map<string, Workspace>();
    const ids = [...new Set(workspaceIds)];
    for (let start = 0; start < ids.length; start += DESCRIBE_BATCH) {
      const batch = ids.slice(start, start + DESCRIBE_BATCH);
      const out = await this.call('DescribeWorkspaces', `WorkSpaces ${batch.join(', ')}`,
        () => this.client.send(new DescribeWorkspacesCommand({ WorkspaceIds: batch })));
      for (const workspace of out.Workspaces ?? []) {
        if (workspace.WorkspaceId !== undefined && batch.includes(workspace.WorkspaceId)) {
          found.set(workspace.WorkspaceId, workspace);
        }
      }
    }
    return found;
  }

  /**
   * Requests these WorkSpaces in calls of CREATE_BATCH. The answer has one entry per request, in
   * the order given: the new id, or the service's refusal of that one request (the others of the
   * same call go ahead, as the service treats each request of a call on its own).
   *
   * @throws WorkspacesCallError when a call fails as a whole (after the SDK's retries): the
   * requests of the batches before it were made, and are in `partial` of the error
   */
  async createMany(requests: readonly WorkspaceRequest[]): Promise<CreateOutcome[]> {
    const outcomes: CreateOutcome[] = [];
    for (let start = 0; start < requests.length; start += CREATE_BATCH) {
      const batch = requests.slice(start, start + CREATE_BATCH);
      let out;
      try {
        out = await this.client.send(new CreateWorkspacesCommand({ Workspaces: [...batch] }));
      } catch (e) {
        const error = new WorkspacesCallError('CreateWorkspaces', `${batch.length} WorkSpaces of directory ${batch[0].DirectoryId} `
          + `(users ${batch.map((r) => r.UserName).join(', ')})`, e);
        throw Object.assign(error, { partial: outcomes, unsent: requests.slice(start) });
      }
      const lower = (name: string | undefined) => (name ?? '').toLowerCase();
      for (const request of batch) {
        const pending = out.PendingRequests?.find((p) => lower(p.UserName) === lower(request.UserName) && p.WorkspaceId);
        const failed = out.FailedRequests?.find((f) => lower(f.WorkspaceRequest?.UserName) === lower(request.UserName));
        if (pending?.WorkspaceId) {
          outcomes.push({ request, workspaceId: pending.WorkspaceId });
        } else {
          outcomes.push({
            request,
            errorCode: failed?.ErrorCode ?? '(no error code)',
            errorMessage: failed?.ErrorMessage ?? 'CreateWorkspaces returned neither an id nor a refusal for this request',
          });
        }
      }
    }
    return outcomes;
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
      throw new WorkspacesCallError('DescribeWorkspaces', `WorkSpace ${workspaceId}`, e);
    }
  }

  /** The compute type a WorkSpace of this bundle gets, or undefined when the bundle is not described. */
  async bundleComputeType(bundleId: string): Promise<string | undefined> {
    const out = await this.call('DescribeWorkspaceBundles', `bundle ${bundleId}`,
      () => this.client.send(new DescribeWorkspaceBundlesCommand({ BundleIds: [bundleId] })));
    return out.Bundles?.find((b) => b.BundleId === bundleId)?.ComputeType?.Name;
  }

  /**
   * The directory as WorkSpaces describes it, or undefined when it is not registered with
   * WorkSpaces (DescribeWorkspaceDirectories does not list a directory that is not).
   */
  async directory(directoryId: string): Promise<WorkspaceDirectory | undefined> {
    return this.call('DescribeWorkspaceDirectories', `directory ${directoryId}`, async () => {
      for await (const page of paginateDescribeWorkspaceDirectories({ client: this.client }, { DirectoryIds: [directoryId] })) {
        const found = (page.Directories ?? []).find((d) => d.DirectoryId === directoryId);
        if (found) {
          return found;
        }
      }
      return undefined;
    });
  }

  /** The bundle with this id, when the account can see it (its own, or Amazon's). */
  async bundle(bundleId: string): Promise<WorkspaceBundle | undefined> {
    const out = await this.call('DescribeWorkspaceBundles', `bundle ${bundleId}`,
      () => this.client.send(new DescribeWorkspaceBundlesCommand({ BundleIds: [bundleId] })));
    return out.Bundles?.find((b) => b.BundleId === bundleId);
  }

  /**
   * Every bundle of one owner, over all pages: Amazon's public bundles (`AMAZON`), or the
   * account's own (the API's Owner left out).
   */
  async bundles(owner: 'AMAZON' | 'ACCOUNT'): Promise<WorkspaceBundle[]> {
    return this.call('DescribeWorkspaceBundles', owner === 'AMAZON' ? 'Amazon\'s bundles' : 'the account\'s own bundles', async () => {
      const found: WorkspaceBundle[] = [];
      const input = owner === 'AMAZON' ? { Owner: 'AMAZON' } : {};
      for await (const page of paginateDescribeWorkspaceBundles({ client: this.client }, input)) {
        found.push(...(page.Bundles ?? []));
      }
      return found;
    });
  }

  /** The WorkSpace's tags, as a map from key to value. */
  async tags(workspaceId: string): Promise<Record<string, string>> {
    const out = await this.call('DescribeTags', `WorkSpace ${workspaceId}`,
      () => this.client.send(new DescribeTagsCommand({ ResourceId: workspaceId })));
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
    const out = await this.call('CreateWorkspaces', userTarget(request.UserName ?? '', request.DirectoryId ?? ''),
      () => this.client.send(new CreateWorkspacesCommand({ Workspaces: [request] })));
    const failed = out.FailedRequests?.[0];
    if (failed) {
      throw new FailedRequestError(`CreateWorkspaces refused the WorkSpace of user ${request.UserName} in directory ${request.DirectoryId}: `
        + `${failed.ErrorCode ?? '(no error code)'}: ${failed.ErrorMessage ?? '(no error message)'}`, 'CreateWorkspaces', failed.ErrorCode ?? '');
    }
    const workspaceId = out.PendingRequests?.[0]?.WorkspaceId;
    if (!workspaceId) {
      throw new Error(`CreateWorkspaces returned no WorkSpace id for user ${request.UserName} in directory ${request.DirectoryId}`);
    }
    return workspaceId;
  }

  /**
   * The connection status of each of these WorkSpaces, by id, in as few calls as the API allows:
   * DescribeWorkspacesConnectionStatus takes at most CONNECTION_STATUS_BATCH ids per call, and
   * may answer in pages. An id the service does not report is absent from the map. The SDK has
   * no paginator for this call, hence the loop over NextToken.
   */
  async connectionStatus(workspaceIds: readonly string[]): Promise<Map<string, WorkspaceConnectionStatus>> {
    const statuses = new Map<string, WorkspaceConnectionStatus>();
    const ids = [...new Set(workspaceIds)];
    for (let start = 0; start < ids.length; start += CONNECTION_STATUS_BATCH) {
      const batch = ids.slice(start, start + CONNECTION_STATUS_BATCH);
      const target = batch.length === 1 ? `WorkSpace ${batch[0]}` : `WorkSpaces ${batch.join(', ')}`;
      let nextToken: string | undefined;
      do {
        const out = await this.call('DescribeWorkspacesConnectionStatus', target,
          () => this.client.send(new DescribeWorkspacesConnectionStatusCommand({ WorkspaceIds: batch, NextToken: nextToken })));
        for (const status of out.WorkspacesConnectionStatus ?? []) {
          if (status.WorkspaceId !== undefined && batch.includes(status.WorkspaceId)) {
            statuses.set(status.WorkspaceId, status);
          }
        }
        nextToken = out.NextToken;
      } while (nextToken);
    }
    return statuses;
  }

  /**
   * The times of the WorkSpace's snapshots (restore and rebuild snapshots alike), in no order: what
   * a migration would restore the user volume from is the newest.
   */
  async snapshotTimes(workspaceId: string): Promise<Date[]> {
    const out = await this.call('DescribeWorkspaceSnapshots', `WorkSpace ${workspaceId}`,
      () => this.client.send(new DescribeWorkspaceSnapshotsCommand({ WorkspaceId: workspaceId })));
    return [...out.RestoreSnapshots ?? [], ...out.RebuildSnapshots ?? []]
      .map((s) => s.SnapshotTime)
      .filter((t): t is Date => t instanceof Date && !Number.isNaN(t.getTime()));
  }

  /**
   * Starts the migration of a WorkSpace to another bundle and returns the new WorkSpace's id. The
   * service answers at once; the new WorkSpace is built afterwards, and if that fails the original
   * keeps its id.
   */
  async migrate(workspaceId: string, bundleId: string): Promise<string> {
    const out = await this.call('MigrateWorkspace', `WorkSpace ${workspaceId} to bundle ${bundleId}`,
      () => this.client.send(new MigrateWorkspaceCommand({ SourceWorkspaceId: workspaceId, BundleId: bundleId })));
    if (!out.TargetWorkspaceId) {
      throw new Error(`MigrateWorkspace returned no new WorkSpace id for WorkSpace ${workspaceId} (bundle ${bundleId})`);
    }
    return out.TargetWorkspaceId;
  }

  async modifyProperties(workspaceId: string, properties: WorkspaceProperties): Promise<void> {
    await this.call('ModifyWorkspaceProperties', `WorkSpace ${workspaceId}`,
      () => this.client.send(new ModifyWorkspacePropertiesCommand({ WorkspaceId: workspaceId, WorkspaceProperties: properties })));
  }

  async createTags(workspaceId: string, tags: readonly WorkspaceTag[]): Promise<void> {
    await this.call('CreateTags', `WorkSpace ${workspaceId}`,
      () => this.client.send(new CreateTagsCommand({ ResourceId: workspaceId, Tags: tags.map((t) => ({ Key: t.Key, Value: t.Value })) })));
  }

  async deleteTags(workspaceId: string, keys: readonly string[]): Promise<void> {
    await this.call('DeleteTags', `WorkSpace ${workspaceId}`,
      () => this.client.send(new DeleteTagsCommand({ ResourceId: workspaceId, TagKeys: [...keys] })));
  }

  /**
   * Asks for the WorkSpace to be terminated. Safe to repeat.
   *
   * @throws Error with the service's ErrorCode and ErrorMessage when the refusal is not one to wait out
   */
  async terminate(workspaceId: string, onBusy?: (refusal: string) => void): Promise<TerminateOutcome> {
    const out = await this.call('TerminateWorkspaces', `WorkSpace ${workspaceId}`,
      () => this.client.send(new TerminateWorkspacesCommand({ TerminateWorkspaceRequests: [{ WorkspaceId: workspaceId }] })));
    const failed = out.FailedRequests?.find((f) => f.WorkspaceId === undefined || f.WorkspaceId === workspaceId);
    if (!failed) {
      return 'requested';
    }
    const code = failed.ErrorCode ?? '';
    if (/not.?found/i.test(code)) {
      return 'not-found';
    }
    if (isBusyCode(code)) {
      onBusy?.(`TerminateWorkspaces: ${code}: ${failed.ErrorMessage ?? '(no error message)'}`);
      return 'busy';
    }
    throw new FailedRequestError(`TerminateWorkspaces refused to terminate WorkSpace ${workspaceId}: `
      + `${code || '(no error code)'}: ${failed.ErrorMessage ?? '(no error message)'}`, 'TerminateWorkspaces', code);
  }

  /**
   * Asks for these WorkSpaces to be terminated, 25 per call, each call when the pacer allows.
   * Returns the outcome of each, in the order given. Safe to repeat.
   *
   * @throws FailedRequestError for a refusal that is not one to wait out
   */
  async terminateMany(workspaceIds: readonly string[], pacer: Pacer, what: string): Promise<TerminateOutcome[]> {
    const outcomes: TerminateOutcome[] = [];
    for (let start = 0; start < workspaceIds.length; start += CREATE_BATCH) {
      const batch = workspaceIds.slice(start, start + CREATE_BATCH);
      await pacer.take();
      const out = await this.call('TerminateWorkspaces', `${batch.length} WorkSpaces of ${what}`, () => this.client.send(
        new TerminateWorkspacesCommand({ TerminateWorkspaceRequests: batch.map((id) => ({ WorkspaceId: id })) })));
      for (const workspaceId of batch) {
        const failed = out.FailedRequests?.find((f) => f.WorkspaceId === workspaceId);
        const code = failed?.ErrorCode ?? '';
        if (!failed) {
          outcomes.push('requested');
        } else if (/not.?found/i.test(code)) {
          outcomes.push('not-found');
        } else if (isBusyCode(code)) {
          outcomes.push('busy');
        } else {
          throw new FailedRequestError(`TerminateWorkspaces refused to terminate WorkSpace ${workspaceId}: `
            + `${code || '(no error code)'}: ${failed.ErrorMessage ?? '(no error message)'}`, 'TerminateWorkspaces', code);
        }
      }
    }
    return outcomes;
  }

  private async call<T>(call: string, target: string, send: () => Promise<T>): Promise<T> {
    try {
      return await send();
    } catch (e) {
      throw new WorkspacesCallError(call, target, e);
    }
  }
}

/** What CreateWorkspaces did with one request of a batch: its new id, or the service's refusal. */
export type CreateOutcome =
  | { readonly request: WorkspaceRequest; readonly workspaceId: string }
  | { readonly request: WorkspaceRequest; readonly workspaceId?: undefined; readonly errorCode: string; readonly errorMessage: string };

function userTarget(userName: string, directoryId: string): string {
  return `user "${userName}" in directory ${directoryId}`;
}
