// Custom::WorkspaceCustomBundle in the provider contract.
import { bundleIsComplete, bundleOnEvent } from './custom-bundle';
import { IsCompleteResult, OnEventResult, ResolvedDeps, secondsSince, WorkspaceIsCompleteEvent, WorkspaceResourceEvent } from '../../core/contract';

export async function onCustomBundleEvent(event: WorkspaceResourceEvent, deps: ResolvedDeps, startedAt: string): Promise<OnEventResult> {
  return { PhysicalResourceId: await bundleOnEvent(event, deps), Data: { StartedAt: startedAt } };
}

export function isCustomBundleComplete(event: WorkspaceIsCompleteEvent, deps: ResolvedDeps): Promise<IsCompleteResult> {
  return bundleIsComplete(event, deps, secondsSince(event.Data?.StartedAt, deps.now(), deps.log));
}
