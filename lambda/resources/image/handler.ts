// Custom::WorkspaceImage in the provider contract.
import { imageIsComplete, imageOnEvent } from './image';
import { IsCompleteResult, OnEventResult, ResolvedDeps, secondsSince, WorkspaceIsCompleteEvent, WorkspaceResourceEvent } from '../../core/contract';

export async function onImageEvent(event: WorkspaceResourceEvent, deps: ResolvedDeps, startedAt: string): Promise<OnEventResult> {
  return { PhysicalResourceId: await imageOnEvent(event, deps), Data: { StartedAt: startedAt } };
}

export function isImageComplete(event: WorkspaceIsCompleteEvent, deps: ResolvedDeps): Promise<IsCompleteResult> {
  return imageIsComplete(event, deps, secondsSince(event.Data?.StartedAt, deps.now(), deps.log));
}
