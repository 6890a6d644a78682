// Custom::WorkspacesDirectory in the provider contract.
import { directoryIsComplete, directoryOnEvent } from './directory';
import { IsCompleteResult, OnEventResult, ResolvedDeps, secondsSince, WorkspaceIsCompleteEvent, WorkspaceResourceEvent } from '../../core/contract';

export async function onDirectoryEvent(event: WorkspaceResourceEvent, deps: ResolvedDeps, startedAt: string): Promise<OnEventResult> {
  return { PhysicalResourceId: await directoryOnEvent(deps.api, event, deps.log), Data: { StartedAt: startedAt } };
}

export function isDirectoryComplete(event: WorkspaceIsCompleteEvent, deps: ResolvedDeps): Promise<IsCompleteResult> {
  return directoryIsComplete(deps.api, event, secondsSince(event.Data?.StartedAt, deps.now(), deps.log), deps.log);
}
