// The deployed stack's resources, for the ids that the template holds as tokens (a directory
// created in the same app). Read-only: ListStackResources is the only call.
import { CloudFormationClient, paginateListStackResources } from '@aws-sdk/client-cloudformation';
import { userAgent } from '../lambda/api';

/** A deployed resource: its physical id and type, by logical id. */
export interface DeployedResource {
  readonly physicalId?: string;
  readonly type?: string;
  readonly status?: string;
}

/** Reads the resources of a deployed stack, by logical id. */
export type StackResourceReader = (stackName: string) => Promise<ReadonlyMap<string, DeployedResource>>;

/** The reader that asks CloudFormation, configured from the standard AWS settings. */
export const cloudFormationResources: StackResourceReader = async (stackName) => {
  const client = new CloudFormationClient({ retryMode: 'adaptive', maxAttempts: 5, customUserAgent: [userAgent()] });
  try {
    const resources = new Map<string, DeployedResource>();
    for await (const page of paginateListStackResources({ client }, { StackName: stackName })) {
      for (const r of page.StackResourceSummaries ?? []) {
        if (r.LogicalResourceId !== undefined) {
          resources.set(r.LogicalResourceId, { physicalId: r.PhysicalResourceId, type: r.ResourceType, status: r.ResourceStatus });
        }
      }
    }
    return resources;
  } catch (e) {
    const error = e as Error;
    throw new Error(`CloudFormation ListStackResources for stack ${stackName} failed: ${error.name}: ${error.message}`);
  } finally {
    client.destroy();
  }
};
