// Reading a directory's WorkSpaces from the service, for both commands. The client and the
// tag reading are the handler's own (its user agent, its retry strategy, its error naming), so
// the command behaves against the service exactly as the provider does.
import type { Workspace } from '@aws-sdk/client-workspaces';
import { createClient, WorkspacesApi } from '../lambda/api';

/** A WorkSpace as the service describes it, with its tags. */
export interface LiveWorkspace {
  readonly workspace: Workspace;
  readonly tags: Readonly<Record<string, string>>;
}

/** Where progress lines go (stderr), so that stdout carries only the result. */
export type Progress = (line: string) => void;

/**
 * A few attempts with the SDK's adaptive backoff: enough for throttling on a large directory,
 * while an unreachable endpoint fails within seconds rather than minutes.
 */
const CLI_MAX_ATTEMPTS = 5;
/** DescribeTags calls in flight at once: a large directory is read faster, within the API's rate. */
const TAG_CONCURRENCY = 4;

/** The API as the commands use it, configured from the standard AWS settings only. */
export function createApi(): WorkspacesApi {
  return new WorkspacesApi(createClient(CLI_MAX_ATTEMPTS));
}

/** Every WorkSpace of the directory, all pages, whatever its state (the API layer's own listing). */
export async function listDirectory(api: WorkspacesApi, directoryId: string, progress: Progress): Promise<Workspace[]> {
  return api.listDirectory(directoryId, (count) => progress(`DescribeWorkspaces: ${count} WorkSpaces of directory ${directoryId} so far`));
}

/** The tags of each WorkSpace, in the order given, a few requests at a time. */
export async function withTags(api: WorkspacesApi, workspaces: readonly Workspace[], progress: Progress): Promise<LiveWorkspace[]> {
  const result: LiveWorkspace[] = new Array(workspaces.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < workspaces.length) {
      const i = next++;
      const workspace = workspaces[i];
      result[i] = { workspace, tags: await api.tags(workspace.WorkspaceId ?? '') };
      done++;
      if (done % 25 === 0 || done === workspaces.length) {
        progress(`DescribeTags: ${done} of ${workspaces.length} WorkSpaces`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(TAG_CONCURRENCY, workspaces.length) }, worker));
  return result;
}

/** States in which a WorkSpace is gone or going: it is no one's to declare or compare. */
export const GONE_STATES: ReadonlySet<string> = new Set(['TERMINATING', 'TERMINATED']);

/**
 * Text from the service or a template as it may go to a terminal: as it is when it is printable
 * ASCII, else quoted with every control character escaped (no escape sequence reaches the terminal).
 */
export function printable(text: string): string {
  return /^[\x20-\x7e]*$/.test(text) ? text : JSON.stringify(text).replace(/[\u007f-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
