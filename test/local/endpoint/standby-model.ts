// Standby WorkSpaces (CreateStandbyWorkspaces, Multi-Region Resilience) across local endpoints, one
// per Region: the standby's endpoint finds the primary on the endpoint linked for the primary's
// Region, and creates the standby as one of its own WorkSpaces (PENDING, then AVAILABLE, or ERROR
// under forceErrorForUser), related to the primary both ways in DescribeWorkspaces.
import type { Workspace } from '@aws-sdk/client-workspaces';
import { ApiError, WorkspaceSnapshot, WorkspacesModel } from './model';

const REGION = /^[-0-9a-z]{1,31}$/;
const REPLICATION = ['NO_REPLICATION', 'PRIMARY_AS_SOURCE'];

/** A primary or a standby, as the other Region's endpoint sees it. */
interface Relation {
  readonly otherId: string;
  readonly otherRegion: string;
  dataReplication: string;
}

/** A standby as a test sees it. */
export interface StandbySnapshot {
  readonly WorkspaceId: string;
  readonly PrimaryWorkspaceId: string;
  readonly PrimaryRegion: string;
  readonly DataReplication: string;
  readonly State: string;
  readonly UserName: string;
  readonly DirectoryId: string;
}

export class StandbyModel {
  /** The other Regions' standby models, by Region. */
  private readonly peers = new Map<string, StandbyModel>();
  /** Standbys of this Region, by id: their primary. */
  private readonly standbys = new Map<string, Relation>();
  /** Primaries of this Region, by id: their standby. */
  private readonly primaries = new Map<string, Relation>();

  constructor(readonly region: string, private readonly model: WorkspacesModel) {}

  link(other: StandbyModel): void {
    this.peers.set(other.region, other);
    other.peers.set(this.region, this);
  }

  createStandbyWorkspaces(body: any): any {
    if (typeof body.PrimaryRegion !== 'string' || !REGION.test(body.PrimaryRegion)) {
      throw new ApiError('InvalidParameterValuesException', `The value ${body.PrimaryRegion} of PrimaryRegion does not match ${REGION}.`);
    }
    if (!Array.isArray(body.StandbyWorkspaces) || body.StandbyWorkspaces.length < 1) {
      throw new ApiError('InvalidParameterValuesException', 'StandbyWorkspaces must contain at least one item.');
    }
    if (body.PrimaryRegion === this.region) {
      throw new ApiError('InvalidParameterValuesException', `The primary Region ${body.PrimaryRegion} is this Region; a standby is made in another.`);
    }
    const failed: any[] = [];
    const pending: any[] = [];
    for (const request of body.StandbyWorkspaces) {
      const fail = (code: string, message: string) => failed.push({ StandbyWorkspaceRequest: request, ErrorCode: code, ErrorMessage: message });
      if (request.DataReplication !== undefined && !REPLICATION.includes(request.DataReplication)) {
        throw new ApiError('InvalidParameterValuesException', `DataReplication ${request.DataReplication} is not valid.`);
      }
      const peer = this.peers.get(body.PrimaryRegion);
      const primary = peer?.live(request.PrimaryWorkspaceId);
      if (!peer || !primary) {
        fail('ResourceNotFound.Workspace', `The primary WorkSpace ${request.PrimaryWorkspaceId} could not be found in ${body.PrimaryRegion}.`);
        continue;
      }
      if (peer.primaries.has(primary.WorkspaceId) && this.live(peer.primaries.get(primary.WorkspaceId)!.otherId)) {
        fail('ResourceExists.StandbyWorkspace', `The WorkSpace ${primary.WorkspaceId} has a standby WorkSpace already.`);
        continue;
      }
      // The service mirrors the primary's bundle image; a bundle it cannot offer here fails the request.
      const bundles = this.model.describeWorkspaceBundles({ BundleIds: [primary.BundleId] }).Bundles ?? [];
      if (bundles.length === 0) {
        fail('ResourceNotFound.Bundle', `The bundle ${primary.BundleId} of the primary WorkSpace is not available in ${this.region}.`);
        continue;
      }
      const out = this.model.createWorkspaces({
        Workspaces: [{
          DirectoryId: request.DirectoryId,
          UserName: primary.UserName,
          BundleId: primary.BundleId,
          Tags: request.Tags,
          VolumeEncryptionKey: request.VolumeEncryptionKey,
          UserVolumeEncryptionEnabled: request.VolumeEncryptionKey !== undefined || undefined,
          RootVolumeEncryptionEnabled: request.VolumeEncryptionKey !== undefined || undefined,
          WorkspaceProperties: { RunningMode: 'AUTO_STOP', RunningModeAutoStopTimeoutInMinutes: 60 },
        }],
      });
      const made = out.PendingRequests?.[0] as Workspace | undefined;
      if (!made?.WorkspaceId) {
        const refusal = out.FailedRequests?.[0];
        fail(refusal?.ErrorCode ?? 'InternalError', refusal?.ErrorMessage ?? 'The standby could not be created.');
        continue;
      }
      const dataReplication = request.DataReplication ?? 'NO_REPLICATION';
      this.standbys.set(made.WorkspaceId, { otherId: primary.WorkspaceId, otherRegion: peer.region, dataReplication });
      peer.primaries.set(primary.WorkspaceId, { otherId: made.WorkspaceId, otherRegion: this.region, dataReplication });
      pending.push({ WorkspaceId: made.WorkspaceId, UserName: made.UserName, DirectoryId: made.DirectoryId, State: made.State });
    }
    return { PendingStandbyRequests: pending, FailedStandbyRequests: failed };
  }

  /** DescribeWorkspaces' answer, with each WorkSpace's primary or standby. */
  decorate(out: { Workspaces?: Workspace[] }): any {
    return {
      ...out,
      Workspaces: out.Workspaces?.map((w) => {
        const standbyOf = this.standbys.get(w.WorkspaceId!);
        if (standbyOf) {
          return {
            ...w,
            RelatedWorkspaces: [{ WorkspaceId: standbyOf.otherId, Region: standbyOf.otherRegion, Type: 'PRIMARY' }],
            DataReplicationSettings: { DataReplication: standbyOf.dataReplication },
          };
        }
        const primaryOf = this.primaries.get(w.WorkspaceId!);
        const standby = primaryOf && this.peers.get(primaryOf.otherRegion)?.live(primaryOf.otherId);
        if (primaryOf && standby) {
          return {
            ...w,
            RelatedWorkspaces: [{ WorkspaceId: primaryOf.otherId, Region: primaryOf.otherRegion, Type: 'STANDBY', State: standby.State }],
            StandbyWorkspacesProperties: [{ StandbyWorkspaceId: primaryOf.otherId, DataReplication: primaryOf.dataReplication }],
          };
        }
        return w;
      }),
    };
  }

  /** ModifyWorkspaceProperties with DataReplication only (on a standby): undefined when the call is not one. */
  modifyDataReplication(body: any): any | undefined {
    if (body.DataReplication === undefined || body.WorkspaceProperties !== undefined) {
      return undefined;
    }
    const relation = this.standbys.get(body.WorkspaceId);
    if (!relation || !this.live(body.WorkspaceId)) {
      throw new ApiError('InvalidParameterValuesException', `The WorkSpace ${body.WorkspaceId} is not a standby WorkSpace.`);
    }
    if (!REPLICATION.includes(body.DataReplication)) {
      throw new ApiError('InvalidParameterValuesException', `DataReplication ${body.DataReplication} is not valid.`);
    }
    relation.dataReplication = body.DataReplication;
    const primary = this.peers.get(relation.otherRegion)?.primaries.get(relation.otherId);
    if (primary) primary.dataReplication = body.DataReplication;
    return {};
  }

  /** The standbys of this Region that exist (not TERMINATED). */
  inventory(): StandbySnapshot[] {
    return [...this.standbys].flatMap(([id, relation]) => {
      const w = this.live(id);
      return w ? [{
        WorkspaceId: id,
        PrimaryWorkspaceId: relation.otherId,
        PrimaryRegion: relation.otherRegion,
        DataReplication: relation.dataReplication,
        State: w.State,
        UserName: w.UserName,
        DirectoryId: w.DirectoryId,
      }] : [];
    });
  }

  private live(workspaceId: unknown): WorkspaceSnapshot | undefined {
    return this.model.inventory().find((w) => w.WorkspaceId === workspaceId);
  }
}
