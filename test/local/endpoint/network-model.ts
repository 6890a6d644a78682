// IP access control groups, connection aliases and their associations, for the local endpoint:
// the calls that CloudFormation's AWS::WorkSpaces::WorkspaceIpGroup and ConnectionAlias make, and
// that the association handler makes. States move on the endpoint's clock, as WorkSpaces do.
import type { ConnectionAlias, ConnectionAliasAssociation, WorkspaceDirectory } from '@aws-sdk/client-workspaces';
import { ACCOUNT_ID, ApiError } from './model';
import { Prng } from './prng';

/** How long each transition takes, in milliseconds of the endpoint's clock. */
export interface NetworkTiming {
  /** A new alias is CREATING this long, then CREATED. */
  readonly aliasCreatingMs: number;
  /** An association is PENDING_ASSOCIATION this long, then ASSOCIATED_WITH_OWNER_ACCOUNT. */
  readonly associatingMs: number;
  /** A disassociation is PENDING_DISASSOCIATION this long, then NOT_ASSOCIATED. */
  readonly disassociatingMs: number;
  /** A deleted alias is DELETING this long, then gone. */
  readonly aliasDeletingMs: number;
}

export const DEFAULT_NETWORK_TIMING: NetworkTiming = {
  aliasCreatingMs: 200,
  associatingMs: 300,
  disassociatingMs: 300,
  aliasDeletingMs: 100,
};

const ALIAS_ID = /^wsca-[0-9a-z]{8,63}$/;
const IP_GROUP_ID = /^wsipg-[0-9a-z]{8,63}$/;
const CONNECTION_STRING = /^[.0-9a-zA-Z-]{1,255}$/;
const CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;
const MAX_RULES = 10;
const MAX_GROUPS_PER_DIRECTORY = 25;

/** A transition under way: the state reached, and when. */
interface Pending<S> {
  readonly to: S;
  readonly at: number;
}

interface AliasRecord {
  readonly id: string;
  readonly connectionString: string;
  readonly createdAt: number;
  state: 'CREATING' | 'CREATED' | 'DELETING';
  statePending?: Pending<'CREATED' | 'GONE'>;
  association?: { directoryId: string; status: NonNullable<ConnectionAliasAssociation['AssociationStatus']>; connectionIdentifier: string; since: number };
  associationPending?: Pending<'ASSOCIATED_WITH_OWNER_ACCOUNT' | 'NOT_ASSOCIATED'>;
  tags: Record<string, string>;
}

interface IpGroupRecord {
  readonly id: string;
  readonly name: string;
  readonly description?: string;
  rules: Array<{ ipRule: string; ruleDesc?: string }>;
  tags: Record<string, string>;
}

/** What the network model needs of the WorkSpaces model: the directories, live. */
export interface DirectoryAccess {
  /** The directory's record (changes to it stay), or undefined when Directory Service has no such directory. */
  directoryRecord(directoryId: string): WorkspaceDirectory | undefined;
  /** Every directory's id. */
  directoryIds(): string[];
}

/** An alias as a test sees it: its association with the time of each change. */
export interface AliasSnapshot extends ConnectionAlias {
  readonly CreatedAt: number;
  readonly Tags: Record<string, string>;
  /** When the association's last status began (endpoint clock, ms). */
  readonly AssociationSince?: number;
}

export class NetworkModel {
  private readonly aliases = new Map<string, AliasRecord>();
  private readonly ipGroups = new Map<string, IpGroupRecord>();

  constructor(
    private readonly timing: NetworkTiming,
    private readonly clock: () => number,
    private readonly prng: Prng,
    private readonly directories: DirectoryAccess,
  ) {}

  /** Whether a tag call names a resource of this model (an alias or an IP group). */
  ownsResource(resourceId: unknown): boolean {
    return typeof resourceId === 'string' && (resourceId.startsWith('wsca-') || resourceId.startsWith('wsipg-'));
  }

  // ------------------------------------------------------------ IP access control groups

  createIpGroup(body: any): any {
    requireString(body.GroupName, 'GroupName');
    const rules = this.checkRules(body.UserRules ?? []);
    if ([...this.ipGroups.values()].some((g) => g.name === body.GroupName)) {
      throw new ApiError('ResourceAlreadyExistsException', `An IP access control group named ${body.GroupName} already exists.`);
    }
    const id = this.newId('wsipg-', this.ipGroups);
    this.ipGroups.set(id, { id, name: body.GroupName, description: body.GroupDesc, rules, tags: tagMap(body.Tags) });
    return { GroupId: id };
  }

  describeIpGroups(body: any): any {
    const ids: string[] | undefined = body.GroupIds;
    const result = [...this.ipGroups.values()]
      .filter((g) => ids === undefined || ids.includes(g.id))
      .map((g) => ({ groupId: g.id, groupName: g.name, groupDesc: g.description, userRules: g.rules.map((r) => ({ ...r })) }));
    return { Result: result };
  }

  updateRulesOfIpGroup(body: any): any {
    const group = this.ipGroup(body.GroupId);
    group.rules = this.checkRules(body.UserRules ?? []);
    return {};
  }

  deleteIpGroup(body: any): any {
    const group = this.ipGroup(body.GroupId);
    if (this.directoriesWithGroup(group.id).length > 0) {
      throw new ApiError('ResourceAssociatedException', `The IP access control group ${group.id} is associated with directory `
        + `${this.directoriesWithGroup(group.id).join(', ')}.`);
    }
    this.ipGroups.delete(group.id);
    return {};
  }

  associateIpGroups(body: any): any {
    const directory = this.registeredDirectory(body.DirectoryId);
    const groups: string[] = requireList(body.GroupIds, 'GroupIds');
    groups.forEach((id) => this.ipGroup(id));
    const next = [...new Set([...directory.ipGroupIds ?? [], ...groups])];
    if (next.length > MAX_GROUPS_PER_DIRECTORY) {
      throw new ApiError('ResourceLimitExceededException', `A directory can be associated with at most ${MAX_GROUPS_PER_DIRECTORY} IP access control groups.`);
    }
    directory.ipGroupIds = next;
    return {};
  }

  disassociateIpGroups(body: any): any {
    const directory = this.registeredDirectory(body.DirectoryId);
    const groups: string[] = requireList(body.GroupIds, 'GroupIds');
    directory.ipGroupIds = (directory.ipGroupIds ?? []).filter((g) => !groups.includes(g));
    return {};
  }

  // ------------------------------------------------------------ connection aliases

  createConnectionAlias(body: any): any {
    requireString(body.ConnectionString, 'ConnectionString');
    if (!CONNECTION_STRING.test(body.ConnectionString)) {
      throw invalid(`The value ${body.ConnectionString} of ConnectionString does not match ${CONNECTION_STRING}.`);
    }
    this.settle();
    if ([...this.aliases.values()].some((a) => a.connectionString === body.ConnectionString)) {
      // The service allows one alias per connection string in a Region.
      throw new ApiError('ResourceAlreadyExistsException', `A connection alias with connection string ${body.ConnectionString} already exists.`);
    }
    const id = this.newId('wsca-', this.aliases);
    const now = this.clock();
    this.aliases.set(id, {
      id,
      connectionString: body.ConnectionString,
      createdAt: now,
      state: 'CREATING',
      statePending: { to: 'CREATED', at: now + this.timing.aliasCreatingMs },
      tags: tagMap(body.Tags),
    });
    return { AliasId: id };
  }

  describeConnectionAliases(body: any): any {
    this.settle();
    const ids: string[] | undefined = body.AliasIds;
    if (ids !== undefined) {
      requireList(ids, 'AliasIds').forEach((id) => checkPattern(id, 'AliasIds', ALIAS_ID));
    }
    const resourceId: string | undefined = body.ResourceId;
    const found = [...this.aliases.values()]
      .filter((a) => ids === undefined || ids.includes(a.id))
      .filter((a) => resourceId === undefined || a.association?.directoryId === resourceId);
    return { ConnectionAliases: found.map((a) => this.describeAlias(a)) };
  }

  deleteConnectionAlias(body: any): any {
    const alias = this.alias(body.AliasId);
    if (alias.association && alias.association.status !== 'NOT_ASSOCIATED') {
      throw new ApiError('ResourceAssociatedException', `The connection alias ${alias.id} is associated with directory `
        + `${alias.association.directoryId}; disassociate it first.`);
    }
    if (alias.state === 'CREATING') {
      throw new ApiError('InvalidResourceStateException', `The connection alias ${alias.id} is CREATING.`);
    }
    alias.state = 'DELETING';
    alias.statePending = { to: 'GONE', at: this.clock() + this.timing.aliasDeletingMs };
    return {};
  }

  associateConnectionAlias(body: any): any {
    const alias = this.alias(body.AliasId);
    requireString(body.ResourceId, 'ResourceId');
    if (alias.state !== 'CREATED') {
      throw new ApiError('InvalidResourceStateException', `The connection alias ${alias.id} is ${alias.state}; it must be CREATED.`);
    }
    if (alias.association && alias.association.status !== 'NOT_ASSOCIATED') {
      throw new ApiError('ResourceAssociatedException', `The connection alias ${alias.id} is ${alias.association.status} with directory `
        + `${alias.association.directoryId}.`);
    }
    this.registeredDirectory(body.ResourceId);
    const now = this.clock();
    const connectionIdentifier = this.prng.chars('abcdefghijklmnopqrstuvwxyz0123456789', 12);
    alias.association = { directoryId: body.ResourceId, status: 'PENDING_ASSOCIATION', connectionIdentifier, since: now };
    alias.associationPending = { to: 'ASSOCIATED_WITH_OWNER_ACCOUNT', at: now + this.timing.associatingMs };
    return { ConnectionIdentifier: connectionIdentifier };
  }

  disassociateConnectionAlias(body: any): any {
    const alias = this.alias(body.AliasId);
    if (alias.association?.status !== 'ASSOCIATED_WITH_OWNER_ACCOUNT') {
      throw new ApiError('InvalidResourceStateException', `The connection alias ${alias.id} is `
        + `${alias.association?.status ?? 'NOT_ASSOCIATED'}; only an associated alias can be disassociated.`);
    }
    const now = this.clock();
    alias.association.status = 'PENDING_DISASSOCIATION';
    alias.association.since = now;
    alias.associationPending = { to: 'NOT_ASSOCIATED', at: now + this.timing.disassociatingMs };
    return {};
  }

  // ------------------------------------------------------------ tags of aliases and groups

  createTags(body: any): any {
    const tags = this.tagsOf(body.ResourceId);
    Object.assign(tags, tagMap(body.Tags));
    return {};
  }

  deleteTags(body: any): any {
    const tags = this.tagsOf(body.ResourceId);
    for (const key of requireList(body.TagKeys, 'TagKeys')) delete tags[key];
    return {};
  }

  describeTags(body: any): any {
    return { TagList: Object.entries(this.tagsOf(body.ResourceId)).map(([Key, Value]) => ({ Key, Value })) };
  }

  // ------------------------------------------------------------ for tests

  /** Every alias that exists (DELETING included), with its association and the time of its last change. */
  aliasInventory(): AliasSnapshot[] {
    this.settle();
    return [...this.aliases.values()].map((a) => ({
      ...this.describeAlias(a),
      CreatedAt: a.createdAt,
      Tags: { ...a.tags },
      AssociationSince: a.association?.since,
    }));
  }

  /** Every IP access control group, with the directories it is associated with. */
  ipGroupInventory(): Array<{ GroupId: string; GroupName: string; Rules: string[]; Directories: string[] }> {
    return [...this.ipGroups.values()].map((g) => ({
      GroupId: g.id,
      GroupName: g.name,
      Rules: g.rules.map((r) => r.ipRule),
      Directories: this.directoriesWithGroup(g.id),
    }));
  }

  // ------------------------------------------------------------ internals

  private settle(): void {
    const now = this.clock();
    for (const alias of [...this.aliases.values()]) {
      if (alias.associationPending && now >= alias.associationPending.at && alias.association) {
        alias.association.status = alias.associationPending.to;
        alias.association.since = alias.associationPending.at;
        alias.associationPending = undefined;
      }
      if (alias.statePending && now >= alias.statePending.at) {
        if (alias.statePending.to === 'GONE') {
          this.aliases.delete(alias.id);
          continue;
        }
        alias.state = alias.statePending.to;
        alias.statePending = undefined;
      }
    }
  }

  private describeAlias(a: AliasRecord): ConnectionAlias {
    return {
      AliasId: a.id,
      ConnectionString: a.connectionString,
      State: a.state,
      OwnerAccountId: ACCOUNT_ID,
      // The service lists an association only while it has one (NOT_ASSOCIATED included, as the SDK's enum has it).
      Associations: a.association
        ? [{
          AssociationStatus: a.association.status,
          AssociatedAccountId: ACCOUNT_ID,
          ResourceId: a.association.directoryId,
          ConnectionIdentifier: a.association.status === 'NOT_ASSOCIATED' ? undefined : a.association.connectionIdentifier,
        }]
        : [],
    };
  }

  private alias(aliasId: unknown): AliasRecord {
    requireString(aliasId, 'AliasId');
    checkPattern(aliasId as string, 'AliasId', ALIAS_ID);
    this.settle();
    const alias = this.aliases.get(aliasId as string);
    if (!alias) throw new ApiError('ResourceNotFoundException', `The connection alias ${aliasId} could not be found.`);
    return alias;
  }

  private ipGroup(groupId: unknown): IpGroupRecord {
    requireString(groupId, 'GroupId');
    checkPattern(groupId as string, 'GroupId', IP_GROUP_ID);
    const group = this.ipGroups.get(groupId as string);
    if (!group) throw new ApiError('ResourceNotFoundException', `The IP access control group ${groupId} could not be found.`);
    return group;
  }

  private registeredDirectory(directoryId: unknown): WorkspaceDirectory {
    requireString(directoryId, 'DirectoryId');
    const directory = this.directories.directoryRecord(directoryId as string);
    if (!directory) throw new ApiError('ResourceNotFoundException', `The directory ${directoryId} could not be found.`);
    if (directory.State !== 'REGISTERED') {
      throw new ApiError('InvalidResourceStateException', `The directory ${directoryId} is ${directory.State}; it must be REGISTERED.`);
    }
    return directory;
  }

  private directoriesWithGroup(groupId: string): string[] {
    // A deregistered directory keeps no association.
    return this.directories.directoryIds().filter((id) => {
      const directory = this.directories.directoryRecord(id);
      return directory?.State !== 'DEREGISTERED' && directory?.ipGroupIds?.includes(groupId);
    });
  }

  private tagsOf(resourceId: unknown): Record<string, string> {
    requireString(resourceId, 'ResourceId');
    const id = resourceId as string;
    if (id.startsWith('wsca-')) return this.alias(id).tags;
    return this.ipGroup(id).tags;
  }

  private checkRules(rules: unknown): Array<{ ipRule: string; ruleDesc?: string }> {
    const list = requireList(rules, 'UserRules') as Array<{ ipRule?: unknown; ruleDesc?: unknown }>;
    if (list.length > MAX_RULES) {
      throw new ApiError('ResourceLimitExceededException', `An IP access control group can have at most ${MAX_RULES} rules.`);
    }
    return list.map((r) => {
      if (typeof r?.ipRule !== 'string' || !CIDR.test(r.ipRule)) throw invalid(`The IP rule ${String(r?.ipRule)} is not a valid CIDR range.`);
      return { ipRule: r.ipRule, ...(typeof r.ruleDesc === 'string' && { ruleDesc: r.ruleDesc }) };
    });
  }

  private newId<T>(prefix: string, taken: Map<string, T>): string {
    for (;;) {
      const id = `${prefix}${this.prng.chars('0123456789abcdefghijklmnopqrstuvwxyz', 9)}`;
      if (!taken.has(id)) return id;
    }
  }
}

function invalid(message: string): ApiError {
  return new ApiError('InvalidParameterValuesException', message);
}

function requireString(v: unknown, name: string): void {
  if (typeof v !== 'string' || v.length === 0) throw invalid(`${name} is required, as a string.`);
}

function requireList(v: unknown, name: string): any[] {
  if (!Array.isArray(v)) throw invalid(`${name} must be a list.`);
  return v;
}

function checkPattern(v: string, name: string, pattern: RegExp): void {
  if (!pattern.test(v)) throw invalid(`The value ${v} of ${name} does not match ${pattern}.`);
}

function tagMap(tags: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of Array.isArray(tags) ? tags : []) {
    if (t && typeof t.Key === 'string') out[t.Key] = typeof t.Value === 'string' ? t.Value : '';
  }
  return out;
}
