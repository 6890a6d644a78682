// The handlers' synthesized IAM policies, resolved for one concrete stack and evaluated with an
// IAM policy simulator that applies AWS's evaluation logic: for the policy tests, and for the
// local endpoint, which then authorizes each handler's calls as IAM would.
import { runSimulation } from '@cloud-copilot/iam-simulate';
import type { AuthorizationRequest, Authorizer } from '../local/endpoint';

type Json = any;
export type Role = 'onEvent' | 'isComplete';
export type Decision = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

export interface StackEnvironment {
  readonly stackId: string;
  readonly account: string;
  readonly region: string;
}

/** The identity policies attached to each handler's role in a template, resolved for this stack. */
export function handlerPolicies(template: Json, env: StackEnvironment): Record<Role, Json[]> {
  const resources: Record<string, Json> = template.Resources;
  const roleOf = (description: string): string => {
    const fn = Object.values(resources).find((r) => r.Type === 'AWS::Lambda::Function' && String(r.Properties.Description).startsWith(description));
    if (!fn) {
      throw new Error(`no handler function "${description}..." in the template`);
    }
    return fn.Properties.Role['Fn::GetAtt'][0];
  };
  const policiesOf = (role: string): Json[] => Object.values(resources)
    .filter((r) => r.Type === 'AWS::IAM::Policy' && r.Properties.Roles.some((ref: Json) => ref.Ref === role))
    .map((r) => resolve(r.Properties.PolicyDocument, env));
  return {
    onEvent: policiesOf(roleOf('cdk-workspaces: starts')),
    isComplete: policiesOf(roleOf('cdk-workspaces: waits')),
  };
}

/** Evaluates one request against a role's policies. */
export async function decide(
  policies: readonly Json[],
  env: StackEnvironment,
  action: string,
  resource: string,
  context: Record<string, string | string[]> = {},
): Promise<Decision> {
  const result = await runSimulation({
    identityPolicies: policies.map((policy, i) => ({ name: `policy-${i}`, policy })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    request: {
      action,
      principal: `arn:aws:iam::${env.account}:role/handler`,
      resource: { resource, accountId: env.account },
      contextVariables: context,
    },
  }, {});
  if (result.resultType === 'error') {
    throw new Error(`the simulator refused the request ${action} on ${resource}: ${JSON.stringify(result.errors)}`);
  }
  return result.overallResult as Decision;
}

/** The context of a request that carries these tags (CreateWorkspaces, CreateTags). */
export function requestTags(tags: Record<string, string>): Record<string, string | string[]> {
  return {
    'aws:TagKeys': Object.keys(tags),
    ...Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:RequestTag/${k}`, v])),
  };
}

/** The context of a request on a WorkSpace that has these tags. */
export function resourceTags(tags: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(tags).map(([k, v]) => [`aws:ResourceTag/${k}`, v]));
}

/** One caller the local endpoint knows: its access key id, its stack and its role's policies. */
export interface Caller {
  readonly env: StackEnvironment;
  readonly policies: readonly Json[];
}

/**
 * An authorizer for the local endpoint: each call of a known caller is evaluated, resource by
 * resource, as IAM would evaluate it for the handler's role; a caller it does not know is
 * denied. The account's WorkSpaces ARNs are built from the caller's account and region.
 */
export function iamAuthorizer(callers: ReadonlyMap<string, Caller>): Authorizer {
  return async (request: AuthorizationRequest) => {
    const caller = callers.get(request.accessKeyId);
    if (!caller) {
      return `Unknown caller ${request.accessKeyId}`;
    }
    const { env } = caller;
    const arn = (resource: string) => `arn:aws:workspaces:${env.region}:${env.account}:${resource}`;
    const checks: Array<[string, Record<string, string | string[]>, string?]> = [];
    const tagsOf = (id: string) => resourceTags(request.tagsOf(id) ?? {});
    const withTags = (tags: Json) => requestTags(Object.fromEntries((tags ?? []).map((t: Json) => [t.Key, t.Value ?? ''])));
    const body = request.body;
    switch (request.operation) {
      case 'CreateWorkspaces':
        for (const w of body.Workspaces ?? []) {
          const context = requestTags(Object.fromEntries((w.Tags ?? []).map((t: Json) => [t.Key, t.Value ?? ''])));
          checks.push([arn('workspace/ws-new'), context], [arn(`directory/${w.DirectoryId}`), context], [arn(`workspacebundle/${w.BundleId}`), context]);
        }
        break;
      case 'TerminateWorkspaces':
        for (const r of body.TerminateWorkspaceRequests ?? []) {
          checks.push([arn(`workspace/${r.WorkspaceId}`), resourceTags(request.tagsOf(r.WorkspaceId) ?? {})]);
        }
        break;
      case 'ModifyWorkspaceProperties':
        checks.push([arn(`workspace/${body.WorkspaceId}`), resourceTags(request.tagsOf(body.WorkspaceId) ?? {})]);
        break;
      // A migration names the WorkSpace and the target bundle; snapshots are read per WorkSpace.
      case 'MigrateWorkspace':
        checks.push([arn(`workspace/${body.SourceWorkspaceId}`), resourceTags(request.tagsOf(body.SourceWorkspaceId) ?? {})],
          [arn(`workspacebundle/${body.BundleId}`), {}]);
        break;
      case 'DescribeWorkspaceSnapshots':
        checks.push([arn(`workspace/${body.WorkspaceId}`), {}]);
        break;
      case 'CreateTags':
        checks.push(['*', requestTags(Object.fromEntries((body.Tags ?? []).map((t: Json) => [t.Key, t.Value ?? ''])))]);
        break;
      case 'DeleteTags':
        checks.push(['*', { 'aws:TagKeys': body.TagKeys ?? [] }]);
        break;
      // Tags given at creation need CreateTags too (the API reference of CreateWorkspaceImage).
      case 'CreateWorkspaceImage':
        checks.push([arn('workspaceimage/wsi-new'), withTags(body.Tags)], [arn(`workspace/${body.WorkspaceId}`), { ...withTags(body.Tags), ...tagsOf(body.WorkspaceId) }]);
        checks.push(['*', withTags(body.Tags), 'workspaces:CreateTags']);
        break;
      case 'DeleteWorkspaceImage':
        checks.push([arn(`workspaceimage/${body.ImageId}`), tagsOf(body.ImageId)]);
        break;
      case 'CreateWorkspaceBundle':
        checks.push([arn('workspacebundle/wsb-new'), withTags(body.Tags)], [arn(`workspaceimage/${body.ImageId}`), withTags(body.Tags)]);
        checks.push(['*', withTags(body.Tags), 'workspaces:CreateTags']);
        break;
      case 'UpdateWorkspaceBundle':
        checks.push([arn(`workspacebundle/${body.BundleId}`), tagsOf(body.BundleId)], [arn(`workspaceimage/${body.ImageId}`), {}]);
        break;
      case 'DeleteWorkspaceBundle':
        checks.push([arn(`workspacebundle/${body.BundleId}`), tagsOf(body.BundleId)]);
        break;
      // The directory's actions name it (resource type directoryid), and an IP group's its group.
      case 'RegisterWorkspaceDirectory':
        checks.push([arn(`directory/${body.DirectoryId}`), requestTags(Object.fromEntries((body.Tags ?? []).map((t: Json) => [t.Key, t.Value ?? ''])))]);
        break;
      case 'DeregisterWorkspaceDirectory':
        checks.push([arn(`directory/${body.DirectoryId}`), {}]);
        break;
      case 'ModifySelfservicePermissions':
      case 'ModifyWorkspaceCreationProperties':
      case 'ModifyWorkspaceAccessProperties':
        checks.push([arn(`directory/${body.ResourceId}`), {}]);
        break;
      case 'AssociateIpGroups':
      case 'DisassociateIpGroups':
        checks.push([arn(`directory/${body.DirectoryId}`), {}], ...(body.GroupIds ?? []).map((g: string): [string, {}] => [arn(`workspaceipgroup/${g}`), {}]));
        break;
      default:
        checks.push(['*', {}]);
    }
    for (const [resource, context, action = `workspaces:${request.operation}`] of checks) {
      const decision = await decide(caller.policies, env, action, resource, context);
      if (decision !== 'Allowed') {
        return `User: ${request.accessKeyId} is not authorized to perform: ${action} on resource: ${resource} (${decision})`;
      }
    }
    return undefined;
  };
}

const PSEUDO = (env: StackEnvironment): Record<string, string> => ({
  'AWS::Partition': 'aws',
  'AWS::Region': env.region,
  'AWS::AccountId': env.account,
  'AWS::StackId': env.stackId,
  'AWS::StackName': env.stackId.split('/')[1],
  'AWS::URLSuffix': 'amazonaws.com',
});

/** Resolves the intrinsics a policy document holds, as CloudFormation would in this stack. */
function resolve(value: Json, env: StackEnvironment): Json {
  if (Array.isArray(value)) {
    return value.map((v) => resolve(v, env));
  }
  if (value === null || typeof value !== 'object') {
    return value;
  }
  const keys = Object.keys(value);
  if (keys.length === 1) {
    const arg = value[keys[0]];
    switch (keys[0]) {
      case 'Ref': {
        const pseudo = PSEUDO(env);
        if (!(arg in pseudo)) {
          throw new Error(`unresolved Ref ${arg} in a handler policy`);
        }
        return pseudo[arg];
      }
      case 'Fn::Join':
        return (resolve(arg[1], env) as string[]).join(arg[0]);
      case 'Fn::Split':
        return String(resolve(arg[1], env)).split(arg[0]);
      case 'Fn::Select':
        return resolve(arg[1], env)[Number(resolve(arg[0], env))];
      case 'Fn::GetAtt':
        // Other resources' ARNs (a KMS key): not WorkSpaces, named as such.
        return `arn:aws:local:${env.region}:${env.account}:${arg[0]}/${arg[1]}`;
    }
  }
  return Object.fromEntries(keys.map((k) => [k, resolve(value[k], env)]));
}
