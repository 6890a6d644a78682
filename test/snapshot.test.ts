import { App, Duration, RemovalPolicy, Size, Stack, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { directory } from './directories';
import { ComputeType, Protocol, RunningMode, Workspace, WorkspaceBundle } from '../src';

/**
 * The template of a representative stack. Asset hashes change with every edit of the
 * handler, so they are masked: the snapshot guards the template's shape, not the bundle.
 */
test('a representative stack synthesizes to the recorded template', () => {
  const app = new App();
  const stack = new Stack(app, 'Desktops', { env: { account: '111122223333', region: 'eu-west-1' } });
  Tags.of(stack).add('team', 'platform');
  const key = new kms.Key(stack, 'VolumeKey', { enableKeyRotation: true });

  new Workspace(stack, 'Alice', {
    directory: directory('d-1234567890'),
    bundle: WorkspaceBundle.fromBundleId('wsb-12345678'),
    userName: 'alice',
  });
  const bob = new Workspace(stack, 'Bob', {
    directory: directory('d-1234567890'),
    bundle: WorkspaceBundle.fromBundleId('wsb-87654321'),
    userName: 'bob',
    runningMode: RunningMode.ALWAYS_ON,
    computeType: ComputeType.POWER,
    rootVolumeSize: Size.gibibytes(175),
    userVolumeSize: Size.gibibytes(100),
    protocols: [Protocol.WSP],
    userVolumeEncrypted: true,
    rootVolumeEncrypted: true,
    volumeEncryptionKey: key,
    removalPolicy: RemovalPolicy.DESTROY,
    timeout: Duration.minutes(30),
  });
  Tags.of(bob).add('cost-center', '42');

  // The package version (in the handlers' environment) changes with every release, so it is masked too.
  const json = JSON.stringify(Template.fromStack(stack).toJSON(), undefined, 2)
    .replace(/[0-9a-f]{64}(\.zip)?/g, (_hash, zip) => `ASSET-HASH${zip ?? ''}`)
    .replace(/"CDK_WORKSPACES_VERSION": "[^"]*"/g, '"CDK_WORKSPACES_VERSION": "VERSION"');
  expect(withoutFrameworkRuntime(JSON.parse(json) as { Resources: { [id: string]: TemplateResource } })).toMatchSnapshot();
});

/**
 * The Provider framework's functions run on the runtime that aws-cdk-lib picks (nodejs22.x at the
 * floor, the newest from 2.259.0 on), and where that is not the handlers' cdk-nag's AwsSolutions-L1
 * is suppressed on them. test/runtime.test.ts and test/nag.test.ts prove both; the snapshot, which
 * must hold at the floor and the newest alike, masks them.
 */
interface TemplateResource {
  Type: string;
  Properties: { Runtime?: string };
  Metadata?: { cdk_nag?: { rules_to_suppress: Array<{ id: string }> } };
}

function withoutFrameworkRuntime(template: { Resources: { [id: string]: TemplateResource } }): unknown {
  for (const [id, resource] of Object.entries(template.Resources)) {
    if (resource.Type !== 'AWS::Lambda::Function' || !/framework/.test(id)) {
      continue;
    }
    resource.Properties.Runtime = 'FRAMEWORK-RUNTIME';
    const nag = resource.Metadata?.cdk_nag;
    if (nag) {
      nag.rules_to_suppress = nag.rules_to_suppress.filter((r) => r.id !== 'AwsSolutions-L1');
      if (nag.rules_to_suppress.length === 0) {
        delete resource.Metadata!.cdk_nag;
      }
    }
    if (resource.Metadata && Object.keys(resource.Metadata).length === 0) {
      delete resource.Metadata;
    }
  }
  return template;
}
