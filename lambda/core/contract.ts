// The provider contract: the events the Provider framework sends, the results it expects, what a
// handler needs from outside (HandlerDeps) and the timing every resource type shares. Every
// resource module speaks these types; nothing here knows a resource type.
import type { Workspace } from '@aws-sdk/client-workspaces';
import { getDefaultApi, isTemporary, WorkspacesApi } from '../api';

/** The custom resource event, as the Provider framework passes it to onEvent. */
export interface WorkspaceResourceEvent {
  readonly RequestType: 'Create' | 'Update' | 'Delete';
  readonly StackId: string;
  readonly LogicalResourceId: string;
  readonly RequestId?: string;
  readonly ResourceType?: string;
  readonly ResponseURL?: string;
  readonly ServiceToken?: string;
  /** Absent on Create. */
  readonly PhysicalResourceId?: string;
  readonly ResourceProperties: Record<string, unknown>;
  /** Present on Update only. */
  readonly OldResourceProperties?: Record<string, unknown>;
}

/** The event isComplete receives: the onEvent event with onEvent's result merged in. */
export interface WorkspaceIsCompleteEvent extends WorkspaceResourceEvent {
  readonly PhysicalResourceId: string;
  readonly Data?: Record<string, unknown>;
}

export interface OnEventResult {
  readonly PhysicalResourceId: string;
  /**
   * When the request started, so that every poll can enforce the resource's timeout (and, for a
   * fleet, what its onEvent found: see lambda/resources/fleet/fleet.ts).
   */
  readonly Data: { readonly StartedAt: string; readonly [key: string]: string };
}

export interface IsCompleteResult {
  readonly IsComplete: boolean;
  /**
   * Only with IsComplete true: the framework merges the result into its answer to CloudFormation,
   * so this replaces the physical id onEvent gave (a WorkSpace migrated to a new id).
   */
  readonly PhysicalResourceId?: string;
  /** Only with IsComplete true: the framework fails a resource that returns Data otherwise. */
  readonly Data?: WorkspaceAttributes | Record<string, string>;
}

/** What the construct exposes with GetAtt. Never absent, so that a GetAtt never fails. */
export interface WorkspaceAttributes {
  readonly WorkspaceId: string;
  readonly IpAddress: string;
  readonly ComputerName: string;
  readonly SubnetId: string;
  readonly State: string;
  /** The WorkSpace's bundle: for a bundle declared by name, the id it resolved to. */
  readonly BundleId: string;
}

/** What the handler needs from outside; the defaults are those of a Lambda container. */
export interface HandlerDeps {
  readonly api?: WorkspacesApi;
  readonly now?: () => Date;
  readonly log?: (message: string) => void;
  /** Waits this many milliseconds. */
  readonly sleep?: (ms: number) => Promise<void>;
  /** The milliseconds left before the Lambda invocation times out (the context's getRemainingTimeInMillis). */
  readonly remainingMs?: () => number;
}

/**
 * How long onEvent waits, in turn, before it looks again for a WorkSpace that CreateWorkspaces
 * says exists but DescribeWorkspaces does not show yet: 90 seconds in all, at most.
 */
export const LOOK_AGAIN_DELAYS_MS: readonly number[] = [1_000, 2_000, 4_000, 8_000, 15_000, 30_000, 30_000];
/** Time that onEvent keeps in reserve for its last calls and its answer (its Lambda timeout is 5 minutes). */
export const RESERVE_MS = 60_000;

/** HandlerDeps resolved for one invocation, with what the invocation had left when it began. */
export type ResolvedDeps = Required<HandlerDeps> & { readonly startRemainingMs: number };

export function attributesOf(workspaceId: string, workspace: Workspace | undefined): WorkspaceAttributes {
  return {
    WorkspaceId: workspace?.WorkspaceId ?? workspaceId,
    IpAddress: workspace?.IpAddress ?? '',
    ComputerName: workspace?.ComputerName ?? '',
    SubnetId: workspace?.SubnetId ?? '',
    State: workspace?.State ?? '',
    BundleId: workspace?.BundleId ?? '',
  };
}

export function requirePhysicalResourceId(event: WorkspaceResourceEvent): string {
  if (!event.PhysicalResourceId) {
    throw new Error(`${event.RequestType} request without a PhysicalResourceId`);
  }
  return event.PhysicalResourceId;
}

export function secondsSince(startedAt: unknown, now: Date, log: (message: string) => void): number | undefined {
  const start = typeof startedAt === 'string' ? Date.parse(startedAt) : NaN;
  if (Number.isNaN(start)) {
    log('No valid Data.StartedAt in the event: the timeout is not enforced');
    return undefined;
  }
  return (now.getTime() - start) / 1000;
}

/** The ResponseURL is a presigned URL: anyone holding it can answer for the resource. */
export function redact(event: WorkspaceResourceEvent): WorkspaceResourceEvent {
  return event.ResponseURL === undefined ? event : { ...event, ResponseURL: '(hidden)' };
}

/** The service's message as a sentence of ours: one full stop at the end, not two. */
export function endSentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`;
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export function resolveDeps(deps: HandlerDeps, maxAttempts?: number): ResolvedDeps {
  // Outside Lambda (tests, scripts) there is no invocation deadline: the 5-minute Lambda timeout.
  const remainingMs = deps.remainingMs ?? (() => 300_000);
  return {
    api: deps.api ?? getDefaultApi(maxAttempts),
    now: deps.now ?? (() => new Date()),
    log: deps.log ?? ((message: string) => console.log(message)),
    sleep: deps.sleep ?? ((ms: number) => new Promise((resolve) => setTimeout(resolve, ms))),
    remainingMs,
    startRemainingMs: remainingMs(),
  };
}

/**
 * CloudFormation retries nothing: a temporary error that outlasted the SDK's retries fails the
 * request, but says so (the message already names the call and the WorkSpace or user).
 */
export async function explainingTemporary<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    if (isTemporary(e)) {
      throw new Error(`${(e as Error).message}. This error is temporary (throttling or a service-side failure) and outlasted `
        + 'the SDK\'s own retries. Try the deployment again.');
    }
    throw e;
  }
}
