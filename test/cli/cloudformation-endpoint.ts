// A loopback CloudFormation endpoint for `drift --stack`: it answers ListStackResources (the
// only call the command may make) from the deployed stacks a test gives it, in the AWS query
// protocol that the SDK speaks, and refuses every other action, counting what was asked.
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';

export interface DeployedStackResource {
  readonly logicalId: string;
  readonly physicalId: string;
  readonly type: string;
}

export interface LocalCloudFormation {
  /** The value for AWS_ENDPOINT_URL_CLOUDFORMATION. */
  readonly url: string;
  /** The actions asked for, in order, with the stack name. */
  readonly requests: Array<{ action: string; stackName?: string }>;
  deploy(stackName: string, resources: readonly DeployedStackResource[]): void;
  stop(): Promise<void>;
}

/** Resources a page, smaller than the service's 100 so that the paging is exercised. */
const PAGE = 2;

export async function startLocalCloudFormation(): Promise<LocalCloudFormation> {
  const stacks = new Map<string, readonly DeployedStackResource[]>();
  const requests: Array<{ action: string; stackName?: string }> = [];
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => { body += chunk; });
    req.on('end', () => {
      const params = new URLSearchParams(body);
      const action = params.get('Action') ?? '';
      const stackName = params.get('StackName') ?? undefined;
      requests.push({ action, stackName });
      const reply = (status: number, xml: string) => {
        res.writeHead(status, { 'Content-Type': 'text/xml' });
        res.end(`<?xml version="1.0" encoding="UTF-8"?>\n${xml}`);
      };
      const error = (code: string, message: string) => reply(400,
        `<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${escape(message)}</Message></Error><RequestId>local</RequestId></ErrorResponse>`);
      if (action !== 'ListStackResources') {
        error('AccessDenied', `the test endpoint answers only ListStackResources, not ${action}`);
        return;
      }
      const resources = stackName === undefined ? undefined : stacks.get(stackName);
      if (resources === undefined) {
        error('ValidationError', `Stack with id ${stackName} does not exist`);
        return;
      }
      const start = Number(params.get('NextToken') ?? '0');
      const page = resources.slice(start, start + PAGE);
      const next = start + PAGE < resources.length ? `<NextToken>${start + PAGE}</NextToken>` : '';
      const members = page.map((r) => `<member><LogicalResourceId>${escape(r.logicalId)}</LogicalResourceId><PhysicalResourceId>${escape(r.physicalId)}</PhysicalResourceId>`
        + `<ResourceType>${escape(r.type)}</ResourceType><LastUpdatedTimestamp>2026-01-01T00:00:00Z</LastUpdatedTimestamp><ResourceStatus>CREATE_COMPLETE</ResourceStatus></member>`).join('');
      reply(200, '<ListStackResourcesResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><ListStackResourcesResult>'
        + `<StackResourceSummaries>${members}</StackResourceSummaries>${next}</ListStackResourcesResult><ResponseMetadata><RequestId>local</RequestId></ResponseMetadata></ListStackResourcesResponse>`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    deploy: (stackName, resources) => { stacks.set(stackName, resources); },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
