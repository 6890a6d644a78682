// Custom::WorkspacesConnectionAliasAssociation in the provider contract.
import { aliasAssociationIsComplete, aliasAssociationOnEvent } from './alias-association';
import { IsCompleteResult, OnEventResult, ResolvedDeps, secondsSince, WorkspaceIsCompleteEvent, WorkspaceResourceEvent } from '../../core/contract';

export async function onAliasAssociationEvent(event: WorkspaceResourceEvent, deps: ResolvedDeps, startedAt: string): Promise<OnEventResult> {
  return { PhysicalResourceId: await aliasAssociationOnEvent(deps.api, event, deps.log), Data: { StartedAt: startedAt } };
}

export function isAliasAssociationComplete(event: WorkspaceIsCompleteEvent, deps: ResolvedDeps): Promise<IsCompleteResult> {
  return aliasAssociationIsComplete(deps.api, event, secondsSince(event.Data?.StartedAt, deps.now(), deps.log), deps.log);
}
