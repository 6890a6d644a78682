// Custom::WorkspaceLookup in the provider contract. Read-only: nothing here creates or
// terminates (its Delete does nothing).
import { onLookupEvent } from './lookup';
import { IsCompleteResult, OnEventResult, ResolvedDeps, WorkspaceResourceEvent } from '../../core/contract';

export async function lookupOnEvent(event: WorkspaceResourceEvent, deps: ResolvedDeps, startedAt: string): Promise<OnEventResult> {
  const found = await onLookupEvent(deps.api, event.RequestType, event.ResourceProperties, event.PhysicalResourceId, deps.log);
  return { PhysicalResourceId: found.PhysicalResourceId, Data: { StartedAt: startedAt, ...found.Data } };
}

/** onEvent found it; the framework hands onEvent's Data on as the attributes. */
export async function lookupIsComplete(): Promise<IsCompleteResult> {
  return { IsComplete: true };
}
