// CloudFormation's own WorkSpaces resource types, done by the runner with the calls CloudFormation
// makes for them, against the local endpoint: so that a stack with an IP group or a connection
// alias deploys through the runner as a whole. Test support, not part of the library.
import {
  CreateConnectionAliasCommand,
  CreateIpGroupCommand,
  DeleteConnectionAliasCommand,
  DeleteIpGroupCommand,
  DescribeConnectionAliasesCommand,
  WorkSpacesClient,
} from '@aws-sdk/client-workspaces';
import type { LocalWorkspaces } from './endpoint';
import { NativeResource, sleep } from './runner';

type Json = any;

const POLL_MS = 20;
const MAX_POLLS = 500;

/** AWS::WorkSpaces::ConnectionAlias and AWS::WorkSpaces::WorkspaceIpGroup, against this endpoint. */
export function nativeWorkspacesResources(endpoint: LocalWorkspaces): Record<string, NativeResource> {
  const client = new WorkSpacesClient({ ...endpoint.clientConfig(), maxAttempts: 1 });
  const aliasState = async (aliasId: string) => {
    const out = await client.send(new DescribeConnectionAliasesCommand({ AliasIds: [aliasId] }));
    return out.ConnectionAliases?.find((a) => a.AliasId === aliasId)?.State;
  };
  const waitFor = async (what: string, done: () => Promise<boolean>) => {
    for (let poll = 0; poll < MAX_POLLS; poll++) {
      if (await done()) return;
      await sleep(POLL_MS);
    }
    throw new Error(`${what} did not finish in ${MAX_POLLS} polls`);
  };
  return {
    'AWS::WorkSpaces::ConnectionAlias': {
      async create(properties: Json) {
        const { AliasId } = await client.send(new CreateConnectionAliasCommand({
          ConnectionString: properties.ConnectionString,
          Tags: properties.Tags,
        }));
        // CloudFormation's handler returns once the alias is CREATED.
        await waitFor(`CreateConnectionAlias ${AliasId}`, async () => (await aliasState(AliasId!)) === 'CREATED');
        return { physicalId: AliasId!, attributes: { AliasId: AliasId!, ConnectionAliasState: 'CREATED' } };
      },
      async delete(aliasId: string) {
        await client.send(new DeleteConnectionAliasCommand({ AliasId: aliasId }));
        await waitFor(`DeleteConnectionAlias ${aliasId}`, async () => (await aliasState(aliasId)) === undefined);
      },
    },
    'AWS::WorkSpaces::WorkspaceIpGroup': {
      async create(properties: Json) {
        const { GroupId } = await client.send(new CreateIpGroupCommand({
          GroupName: properties.GroupName,
          GroupDesc: properties.GroupDesc,
          UserRules: (properties.UserRules ?? []).map((r: Json) => ({ ipRule: r.IpRule, ruleDesc: r.RuleDesc })),
        }));
        const arn = `arn:aws:workspaces:${endpoint.region}:123456789012:workspaceipgroup/${GroupId}`;
        return { physicalId: GroupId!, attributes: { GroupId: GroupId!, Arn: arn } };
      },
      async delete(groupId: string) {
        await client.send(new DeleteIpGroupCommand({ GroupId: groupId }));
      },
    },
  };
}
