import { App, CfnParameter, Duration, Size, Stack, Tags, Token } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { directory } from './directories';
import { ComputeType, Protocol, RunningMode, Workspace, WorkspaceProps, WorkspaceBundle } from '../src';

const base: WorkspaceProps = { directory: directory('d-1234567890'), bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'alice' };

function declare(props: Partial<WorkspaceProps>, setup?: (stack: Stack) => Partial<WorkspaceProps>): () => void {
  return () => {
    const stack = new Stack(new App(), 'TestStack');
    new Workspace(stack, 'Ws', { ...base, ...props, ...setup?.(stack) });
  };
}

/** Declare, then synthesize: the rules that depend on the whole tree run at synth time. */
function synth(tag: (ws: Workspace) => void): () => void {
  return () => {
    const stack = new Stack(new App(), 'TestStack');
    tag(new Workspace(stack, 'Ws', base));
    Template.fromStack(stack);
  };
}

describe('fails at synth time, naming the prop, the value and the rule', () => {
  test.each([
    ['bundleId', { bundle: WorkspaceBundle.fromBundleId('wsb-123') }, /Invalid bundle.bundleId "wsb-123": must match \^wsb-\[0-9a-z\]\{8,63\}\$/],
    ['an empty bundle name', { bundle: WorkspaceBundle.fromName(' ') }, /Invalid bundle.bundleName " ": must be a bundle's name, not empty/],
    ['an empty userName', { userName: '' }, /Invalid userName "": must be 1 to 63 characters long/],
    ['a 64-character userName', { userName: 'u'.repeat(64) }, /Invalid userName "u{64}": must be 1 to 63 characters long \(it is 64\)/],
    ['an auto-stop timeout in minutes', { autoStopTimeout: Duration.minutes(90) }, /Invalid autoStopTimeout 90 minutes: must be a whole number of hours/],
    ['an auto-stop timeout in seconds', { autoStopTimeout: Duration.seconds(30) }, /Invalid autoStopTimeout "30 seconds": must be a whole number of hours/],
    ['an auto-stop timeout with ALWAYS_ON', { runningMode: RunningMode.ALWAYS_ON, autoStopTimeout: Duration.hours(1) },
      /Invalid autoStopTimeout 60 minutes: can only be set when the running mode is AUTO_STOP \(it is ALWAYS_ON\)/],
    ['an auto-stop timeout with MANUAL', { runningMode: RunningMode.MANUAL, autoStopTimeout: Duration.hours(2) },
      /Invalid autoStopTimeout 120 minutes: can only be set when the running mode is AUTO_STOP \(it is MANUAL\)/],
    ['a running mode the service does not know', { runningMode: 'SOMETIMES' as RunningMode }, /Invalid runningMode "SOMETIMES": must be one of AUTO_STOP, ALWAYS_ON, MANUAL/],
    ['a root volume of 90 GiB', { rootVolumeSize: Size.gibibytes(90) }, /Invalid rootVolumeSize 90 GiB: root volume must be 80 or 100 GiB, or 175 to 2000 GiB/],
    ['a root volume over 2000 GiB', { rootVolumeSize: Size.tebibytes(3) }, /Invalid rootVolumeSize 3072 GiB: root volume must be/],
    ['a user volume of 20 GiB', { userVolumeSize: Size.gibibytes(20) }, /Invalid userVolumeSize 20 GiB: user volume must be 10 or 50 GiB, or 100 to 2000 GiB/],
    ['a volume that is not whole GiB', { userVolumeSize: Size.mebibytes(1500) }, /Invalid userVolumeSize "1500 MiB": must be a whole number of GiB/],
    ['a large root volume with a small user volume', { rootVolumeSize: Size.gibibytes(175), userVolumeSize: Size.gibibytes(50) },
      /Invalid rootVolumeSize\/userVolumeSize "175\/50 GiB": a root volume of 175 GiB or more needs a user volume of at least 100 GiB/],
    ['no protocol', { protocols: [] }, /Invalid protocols \[\]: must name at least one protocol/],
    ['a protocol twice', { protocols: [Protocol.WSP, Protocol.WSP] }, /Invalid protocols \["WSP","WSP"\]: must not name a protocol twice/],
    ['an unknown protocol', { protocols: ['RDP' as Protocol] }, /Invalid protocols "RDP": must be one of PCOIP, WSP/],
    ['a compute type name that is not an API name', { computeType: ComputeType.of('Graphics.g4dn') }, /Invalid computeType "Graphics.g4dn": must be a compute type name in upper case/],
    ['a timeout past the hour', { timeout: Duration.hours(1) }, /Ws: Invalid timeout "1 hour": must be from 1 minute to 55 minutes: CloudFormation fails a custom resource 60 minutes after its request/],
    ['a timeout under a minute', { timeout: Duration.seconds(10) }, /Invalid timeout "10 seconds": must be from 1 minute to 55 minutes/],
  ])('%s', (_name, props, message) => {
    expect(declare(props)).toThrow(message);
  });

  test('a key without an encrypted volume', () => {
    expect(declare({}, (stack) => ({ volumeEncryptionKey: new kms.Key(stack, 'Key') })))
      .toThrow(/Invalid volumeEncryptionKey: it is only used when rootVolumeEncrypted or userVolumeEncrypted is true/);
  });

  test('an imported WorkSpace id that is not one', () => {
    const stack = new Stack();
    expect(() => Workspace.fromWorkspaceId(stack, 'Imported', 'i-12345678'))
      .toThrow(/Invalid workspaceId "i-12345678": must match \^ws-\[0-9a-z\]\{8,63\}\$/);
  });

  test('a tag key longer than 127 characters', () => {
    expect(synth((ws) => Tags.of(ws).add('k'.repeat(128), 'v')))
      .toThrow(/Invalid tags "k{64}…" \(128 characters\): a tag key must be 1 to 127 characters long \(it is 128\)/);
  });

  test('a tag value longer than 255 characters', () => {
    expect(synth((ws) => Tags.of(ws).add('owner', 'v'.repeat(256))))
      .toThrow(/Invalid tags "v{64}…" \(256 characters\): the value of tag "owner" must be at most 255 characters long \(it is 256\)/);
  });

  test('a tag key in the aws: namespace', () => {
    expect(synth((ws) => Tags.of(ws).add('aws:owner', 'me'))).toThrow(/Invalid tags "aws:owner": a tag key must not start with "aws:"/);
  });

  test('the tag key that marks ownership', () => {
    expect(synth((ws) => Tags.of(ws).add('cdk-workspaces:owner', 'me'))).toThrow(/Invalid tags "cdk-workspaces:owner": this tag key is reserved/);
  });

  test('more than 49 tags', () => {
    expect(synth((ws) => {
      for (let i = 0; i < 50; i++) {
        Tags.of(ws).add(`tag${i}`, `${i}`);
      }
    })).toThrow(/Invalid tags 50: a WorkSpace takes at most 50 tags, and cdk-workspaces uses one of them, so at most 49 may be declared/);
  });

  test('49 tags are accepted', () => {
    expect(synth((ws) => {
      for (let i = 0; i < 49; i++) {
        Tags.of(ws).add(`tag${i}`, `${i}`);
      }
    })).not.toThrow();
  });
});

describe('accepts values that are only known at deploy time', () => {
  test('parameters for ids, user, sizes and timeouts are passed through unchecked', () => {
    const stack = new Stack(new App(), 'TestStack');
    const text = (name: string) => new CfnParameter(stack, name).valueAsString;
    const num = (name: string) => new CfnParameter(stack, name, { type: 'Number' }).valueAsNumber;
    new Workspace(stack, 'Ws', {
      directory: directory(text('Directory')),
      bundle: WorkspaceBundle.fromBundleId(text('Bundle')),
      userName: text('User'),
      autoStopTimeout: Duration.minutes(num('AutoStopMinutes')),
      rootVolumeSize: Size.gibibytes(num('RootGib')),
      userVolumeSize: Size.gibibytes(num('UserGib')),
      computeType: ComputeType.of(text('Compute')),
      timeout: Duration.seconds(num('TimeoutSeconds')),
    });
    Template.fromStack(stack).hasResourceProperties('Custom::Workspace', {
      DirectoryId: { Ref: 'Directory' },
      BundleId: { Ref: 'Bundle' },
      UserName: { Ref: 'User' },
      WorkspaceProperties: {
        RunningMode: 'AUTO_STOP',
        RunningModeAutoStopTimeoutInMinutes: { Ref: 'AutoStopMinutes' },
        ComputeTypeName: { Ref: 'Compute' },
        RootVolumeSizeGib: { Ref: 'RootGib' },
        UserVolumeSizeGib: { Ref: 'UserGib' },
      },
      TimeoutSeconds: { Ref: 'TimeoutSeconds' },
    });
  });

  test('a tag whose value is a token is passed through unchecked', () => {
    const stack = new Stack(new App(), 'TestStack');
    const ws = new Workspace(stack, 'Ws', base);
    Tags.of(ws).add('owner', Token.asString({ Ref: 'AWS::StackName' }));
    Template.fromStack(stack).hasResourceProperties('Custom::Workspace', {
      Tags: [{ Key: 'owner', Value: { Ref: 'AWS::StackName' } }],
    });
  });
});
