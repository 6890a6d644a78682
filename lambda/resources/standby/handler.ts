// Custom::WorkspacesStandby in the provider contract: Create and Update. The router sends its
// Delete to the workspace module, since a standby is a WorkSpace of this Region, marked as one.
import { standbyIsComplete, standbyOnEvent } from './standby';
import { IsCompleteResult, OnEventResult, ResolvedDeps, secondsSince, WorkspaceIsCompleteEvent, WorkspaceResourceEvent } from '../../core/contract';

export async function onStandbyEvent(event: WorkspaceResourceEvent, deps: ResolvedDeps, startedAt: string): Promise<OnEventResult> {
  return { PhysicalResourceId: await standbyOnEvent(deps.api, event, deps.log), Data: { StartedAt: startedAt } };
}

export function isStandbyComplete(event: WorkspaceIsCompleteEvent, deps: ResolvedDeps): Promise<IsCompleteResult> {
  return standbyIsComplete(deps.api, event, secondsSince(event.Data?.StartedAt, deps.now(), deps.log), deps.log);
}
