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

/**
 * aws-cdk-lib's cross-Region references (`crossRegionReferences: true`), done as its custom
 * resources do them: the writer, in the producing stack, puts each value into an SSM parameter of
 * the consuming stack's Region; the reader, in the consuming stack, reads them. `parameters` stands
 * for SSM Parameter Store, by Region then name; share it between the two stacks' runners.
 */
export function crossRegionReferences(parameters: Map<string, Map<string, string>>): Record<string, NativeResource> {
  const inRegion = (region: string) => {
    let store = parameters.get(region);
    if (!store) {
      store = new Map();
      parameters.set(region, store);
    }
    return store;
  };
  let writers = 0;
  let readers = 0;
  return {
    'Custom::CrossRegionExportWriter': {
      async create(properties: Json) {
        const { region, exports } = properties.WriterProps;
        for (const [name, value] of Object.entries<string>(exports)) inRegion(region).set(name, value);
        return { physicalId: `writer-${++writers}`, attributes: {} };
      },
      // The parameters stay: nothing reads them once the consuming stack is gone.
      async delete() {},
    },
    'Custom::CrossRegionExportReader': {
      async create(properties: Json) {
        const { region, imports } = properties.ReaderProps;
        const attributes: Record<string, string> = {};
        for (const name of Object.keys(imports)) {
          const value = inRegion(region).get(name);
          if (value === undefined) {
            throw new Error(`SSM parameter ${name} not found in ${region}: deploy the producing stack first`);
          }
          attributes[name] = value;
        }
        return { physicalId: `reader-${++readers}`, attributes };
      },
      async delete() {},
    },
  };
}
