import * as cdk from 'aws-cdk-lib';
import { App, Aspects, CfnResource, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as nag2 from 'cdk-nag';
import * as nag3 from 'cdk-nag3';
import { IConstruct } from 'constructs';
import { directory } from './directories';
import { readmeExamples } from './readme-examples';
import {
  BundleOwner,
  ComputeType,
  ConnectionAlias,
  CustomWorkspaceBundle,
  IpAccessControlGroup,
  IpRule,
  RunningMode,
  Workspace,
  WorkspaceBundle,
  WorkspaceFleet,
  WorkspaceImage,
  WorkspaceProvider,
  WorkspacesDirectory,
} from '../src';

// The same tests prove the floor (`npm test`) and the newest aws-cdk-lib (`npx projen test:cdk-latest`).

type Acknowledgement = { id: string; reason: string };
/** The part of aws-cdk-lib's `Validations` that cdk-nag 3 works through (typed here, since the floor has none). */
interface ValidationsApi {
  readonly ACKNOWLEDGED_RULES_METADATA_KEY: string;
  readonly prototype: { acknowledge(...rules: Acknowledgement[]): void };
  of(scope: IConstruct): { addPlugins(...plugins: nag3.AwsSolutionsChecks[]): void; acknowledge(...rules: Acknowledgement[]): void };
}
/**
 * cdk-nag 3 is a policy validation plugin of aws-cdk-lib's `Validations`, which releases before
 * 2.257.0 (the lowest cdk-nag 3 accepts) do not have: there its tests are skipped, and the one
 * below proves that the library records no acknowledgement. The floor is such a release; the
 * newest (`test:cdk-latest`) runs them.
 */
const Validations = (cdk as unknown as { Validations?: ValidationsApi }).Validations;
const withNag3 = Validations ? test : test.skip;
const withoutNag3 = Validations ? test.skip : test;

type Env = { account: string; region: string } | undefined;
const ENV = { account: '111122223333', region: 'eu-west-1' };

/**
 * A stack that uses every part of the library: two WorkSpaces (one encrypted with a customer
 * managed key, with another bundle), an imported one, a registered directory with an IP access
 * control group and a connection alias associated with it, grants, an alarm, both kinds of event
 * rule, and a golden image of Alice's WorkSpace and of the imported one, with a custom bundle that a fleet uses.
 */
function representativeStack(app: App, env: Env): Stack {
  const stack = new Stack(app, 'Desktops', { env });
  const key = new kms.Key(stack, 'VolumeKey', { enableKeyRotation: true });
  const alice = new Workspace(stack, 'Alice', { directory: directory('d-1234567890'), bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'alice' });
  new Workspace(stack, 'Bob', {
    directory: directory('d-1234567890'),
    bundle: WorkspaceBundle.fromBundleId('wsb-87654321'),
    userName: 'bob',
    runningMode: RunningMode.ALWAYS_ON,
    userVolumeEncrypted: true,
    volumeEncryptionKey: key,
    removalPolicy: RemovalPolicy.DESTROY,
  });
  const imported = Workspace.fromWorkspaceId(stack, 'Carol', 'ws-abcd12345');
  const office = new IpAccessControlGroup(stack, 'Office', { rules: [IpRule.cidr('203.0.113.0/24', 'office')] });
  const registered = new WorkspacesDirectory(stack, 'Registered', { directoryId: 'd-2234567890', ipGroups: [office] });
  new ConnectionAlias(stack, 'Alias', { connectionString: 'desktop.example.com' }).associate(registered);

  const helpdesk = new iam.Role(stack, 'Helpdesk', { assumedBy: new iam.AccountRootPrincipal() });
  alice.grantReboot(helpdesk);
  imported.grantStartStop(helpdesk);
  alice.metricUnhealthy({ period: Duration.minutes(5) })
    .createAlarm(stack, 'AliceUnhealthy', { threshold: 1, evaluationPeriods: 1, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD });
  alice.onAccess('AliceLogins');
  imported.onCloudTrailEvent('CarolApiCalls');
  const golden = WorkspaceImage.fromWorkspace(stack, 'Golden', alice, { imageName: 'golden-1' });
  WorkspaceImage.fromWorkspace(stack, 'CarolImage', imported, { imageName: 'carol-1' });
  const bundle = new CustomWorkspaceBundle(stack, 'GoldenBundle', { image: golden, bundleName: 'golden', computeType: ComputeType.STANDARD });
  new WorkspaceFleet(stack, 'Team', { directory: directory('d-1234567890'), bundle, users: ['dave', 'erin'] });
  return stack;
}

/** cdk-nag 2: an aspect whose findings become error and warning annotations. */
function nag2Findings(env: Env): string[] {
  const app = new App();
  const stack = representativeStack(app, env);
  Aspects.of(app).add(new nag2.AwsSolutionsChecks());
  app.synth();
  const pattern = Match.stringLikeRegexp('AwsSolutions-.*');
  return [
    ...Annotations.fromStack(stack).findError('*', pattern),
    ...Annotations.fromStack(stack).findWarning('*', pattern),
  ].map((m) => `${m.id}: ${m.entry.data}`);
}

/** cdk-nag 3: a policy validation plugin, which fails the synthesis with its report. */
function nag3Report(env: Env): string | undefined {
  const app = new App();
  representativeStack(app, env);
  Validations!.of(app).addPlugins(new nag3.AwsSolutionsChecks(app));
  try {
    app.synth();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

/**
 * Every finding of the AwsSolutions pack on each resource, suppressed or not: the pack's own
 * rules, run with the suppressions and acknowledgements left out.
 */
function allFindings(pack: 'v2' | 'v3', root: IConstruct): Map<CfnResource, Set<string>> {
  const found = new Map<CfnResource, Set<string>>();
  const record = (node: CfnResource, id: string) => {
    found.set(node, new Set([...found.get(node) ?? [], id]));
  };
  interface Rule {
    ruleSuffixOverride?: string;
    rule: ((node: CfnResource) => unknown) & { name: string };
    node: CfnResource;
  }
  const apply = (packName: string, params: Rule, nonCompliant: string) => {
    const ruleId = `${packName}-${params.ruleSuffixOverride ?? params.rule.name}`;
    let result: unknown;
    try {
      result = params.rule(params.node);
    } catch {
      result = nonCompliant;
    }
    if (result === nonCompliant) {
      record(params.node, ruleId);
    } else if (Array.isArray(result)) {
      result.forEach((finding) => record(params.node, `${ruleId}[${finding}]`));
    }
  };
  if (pack === 'v2') {
    class Recorder extends nag2.AwsSolutionsChecks {
      protected applyRule(params: nag2.IApplyRule): void {
        apply(this.readPackName, params as unknown as Rule, nag2.NagRuleCompliance.NON_COMPLIANT);
      }
    }
    const recorder = new Recorder();
    root.node.findAll().forEach((c) => recorder.visit(c));
  } else {
    class Recorder extends nag3.AwsSolutionsChecks {
      protected applyRule(params: nag3.IApplyRule): void {
        apply(this.readPackName, params as unknown as Rule, nag3.NagRuleCompliance.NON_COMPLIANT);
      }
    }
    new Recorder().validateScope(root);
  }
  return found;
}

function providerResources(stack: Stack): CfnResource[] {
  return WorkspaceProvider.getOrCreate(stack).node.findAll().filter(CfnResource.isCfnResource);
}

/** The cdk-nag 2 suppressions that a resource carries. */
function nag2Suppressions(resource: CfnResource): Array<{ id: string; reason: string; applies_to?: Array<string | { regex: string }> }> {
  return resource.getMetadata('cdk_nag')?.rules_to_suppress ?? [];
}

/** The finding ids a resource acknowledges for cdk-nag 3, with their reasons. */
function nag3Acknowledgements(resource: CfnResource): Map<string, string> {
  const acknowledged = new Map<string, string>();
  for (const entry of resource.node.metadata) {
    if (entry.type === Validations?.ACKNOWLEDGED_RULES_METADATA_KEY) {
      for (const [id, reason] of Object.entries(entry.data as Record<string, string>)) {
        acknowledged.set(id.replace(/^annotation::/i, ''), reason);
      }
    }
  }
  return acknowledged;
}

describe.each([
  ['an environment-agnostic stack', undefined],
  ['a stack with account and region', ENV],
])('cdk-nag AwsSolutions on %s', (_name, env) => {
  test('cdk-nag 2 reports no unsuppressed error or warning', () => {
    expect(nag2Findings(env)).toEqual([]);
  });

  withNag3('cdk-nag 3 lets the synthesis pass: every finding on the provider is acknowledged', () => {
    expect(nag3Report(env)).toBeUndefined();
  });

  test('every cdk-nag 2 suppression matches a finding its resource really has', () => {
    const app = new App();
    const stack = representativeStack(app, env);
    app.synth();
    const found = allFindings('v2', stack);
    const unused: string[] = [];
    for (const resource of providerResources(stack)) {
      const findings = [...found.get(resource) ?? []];
      for (const s of nag2Suppressions(resource)) {
        const patterns = s.applies_to ?? [undefined];
        for (const pattern of patterns) {
          const hit = findings.some((f) => pattern === undefined
            ? f === s.id || f.startsWith(`${s.id}[`)
            : typeof pattern === 'string'
              ? f === `${s.id}[${pattern}]`
              : f.startsWith(`${s.id}[`) && new RegExp(pattern.regex.slice(1, -1)).test(f.slice(s.id.length + 1, -1)));
          if (!hit) {
            unused.push(`${resource.node.path}: ${s.id} ${JSON.stringify(pattern ?? '')}`);
          }
        }
      }
    }
    expect(unused).toEqual([]);
  });

  withNag3('every cdk-nag 3 acknowledgement names a finding its resource really has', () => {
    const app = new App();
    const stack = representativeStack(app, env);
    app.synth();
    const found = allFindings('v3', stack);
    const unused: string[] = [];
    let count = 0;
    for (const resource of providerResources(stack)) {
      for (const id of nag3Acknowledgements(resource).keys()) {
        count++;
        if (!found.get(resource)?.has(id)) {
          unused.push(`${resource.node.path}: ${id}`);
        }
      }
    }
    expect(count).toBeGreaterThan(0);
    expect(unused).toEqual([]);
  });
});

test('each suppression names its rule and gives a reason, the same for cdk-nag 2 and 3', () => {
  const app = new App();
  const stack = representativeStack(app, undefined);
  app.synth();
  const v2 = providerResources(stack).flatMap((r) => nag2Suppressions(r).map((s) => [s.id, s.reason]));
  const v3 = providerResources(stack).flatMap((r) => [...nag3Acknowledgements(r)].map(([id, reason]) => [id.replace(/\[.*\]$/, ''), reason]));
  for (const [id, reason] of [...v2, ...v3]) {
    expect(id).toMatch(/^AwsSolutions-[A-Z]+[0-9]+$/);
    expect(reason.length).toBeGreaterThanOrEqual(40);
  }
  // AwsSolutions-L1 only where aws-cdk-lib runs its framework on an older runtime than the handlers' (before 2.259.0).
  const handlerRuntime = (WorkspaceProvider.getOrCreate(stack).onEventHandler.node.defaultChild as lambda.CfnFunction).runtime;
  const frameworkOlder = providerResources(stack)
    .some((r) => r instanceof lambda.CfnFunction && r.runtime !== handlerRuntime);
  const expectedV2 = ['AwsSolutions-IAM4', 'AwsSolutions-IAM5', 'AwsSolutions-SF1', 'AwsSolutions-SF2', ...frameworkOlder ? ['AwsSolutions-L1'] : []];
  expect(new Set(v2.map(([id]) => id))).toEqual(new Set(expectedV2));
  // Without Validations there is no cdk-nag 3, and nothing is acknowledged (the test at the end).
  const expectedV3 = Validations ? v2 : [];
  expect(new Set(v3.map(([id, reason]) => `${id}: ${reason}`))).toEqual(new Set(expectedV3.map(([id, reason]) => `${id}: ${reason}`)));
});

test('the SF1 reason is true: the waiter state machine has no logging configuration', () => {
  const app = new App();
  const stack = representativeStack(app, undefined);
  const machines = Template.fromStack(stack).findResources('AWS::StepFunctions::StateMachine');
  expect(Object.keys(machines)).toHaveLength(1);
  for (const machine of Object.values(machines)) {
    expect(machine.Properties.LoggingConfiguration).toBeUndefined();
  }
});

describe('the suppressions of wildcard permissions cover only the findings they name', () => {
  function wideStack(app: App): Stack {
    const stack = new Stack(app, 'Wide');
    new Workspace(stack, 'Alice', { directory: directory('d-1234567890'), bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'alice' });
    const role = new iam.Role(stack, 'Operator', { assumedBy: new iam.AccountRootPrincipal() });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['workspaces:RebootWorkspaces'], resources: ['*'] }));
    return stack;
  }

  test('cdk-nag 2', () => {
    const app = new App();
    const stack = wideStack(app);
    Aspects.of(app).add(new nag2.AwsSolutionsChecks());
    app.synth();
    const pattern = Match.stringLikeRegexp('AwsSolutions-.*');
    const findings = [...Annotations.fromStack(stack).findError('*', pattern), ...Annotations.fromStack(stack).findWarning('*', pattern)]
      .map((m) => `${m.id}: ${m.entry.data}`);
    expect(findings).toEqual([
      expect.stringMatching(/^\/Wide\/Operator\/DefaultPolicy\/Resource: AwsSolutions-IAM5\[Resource::\*\]/),
    ]);
  });

  withNag3('cdk-nag 3', () => {
    const app = new App();
    wideStack(app);
    Validations!.of(app).addPlugins(new nag3.AwsSolutionsChecks(app));
    expect(() => app.synth()).toThrow(/AwsSolutions-IAM5\[Resource::\*\]/);
    // Typed here: the report's type is aws-cdk-lib's, which the floor does not have.
    const report: { violations: Array<{ ruleName: string; violatingResources: Array<{ constructPath?: string }> }> } =
      new nag3.AwsSolutionsChecks().validateScope(app);
    expect(report.violations.flatMap((v) => v.violatingResources.map((r) => `${r.constructPath}: ${v.ruleName}`))).toEqual([
      'Wide/Operator/DefaultPolicy/Resource: AwsSolutions-IAM5[Resource::*]',
    ]);
  });
});

withNag3('on an aws-cdk-lib whose acknowledge() rejects finding ids with "::", cdk-nag 3 still sees every acknowledgement', () => {
  // As aws-cdk-lib 2.257.0 (the lowest cdk-nag 3 accepts) to 2.264.0 do.
  const original = Validations!.prototype.acknowledge;
  const rejectColons = jest.spyOn(Validations!.prototype, 'acknowledge').mockImplementation(function (this: unknown, ...rules: Acknowledgement[]) {
    if (rules.some((r) => r.id.includes('::'))) {
      throw Object.assign(new Error(`Invalid validation rule ID '${rules[0].id}'`), { name: 'InvalidValidationId' });
    }
    original.apply(this, rules);
  });
  try {
    expect(nag3Report(ENV)).toBeUndefined();
    expect(rejectColons).toHaveBeenCalled();
  } finally {
    rejectColons.mockRestore();
  }
});

withoutNag3('on an aws-cdk-lib without Validations, the provider synthesizes with cdk-nag 2 and records no acknowledgement', () => {
  const app = new App();
  const stack = representativeStack(app, ENV);
  Aspects.of(app).add(new nag2.AwsSolutionsChecks());
  app.synth();
  expect(providerResources(stack).flatMap(nag2Suppressions).length).toBeGreaterThan(0);
  const keys = providerResources(stack).flatMap((r) => r.node.metadata.map((m) => m.type));
  expect(keys.filter((k) => /acknowledged/.test(k))).toEqual([]);
});

// Every path a user can take, each in an app of its own, with both cdk-nag versions: the
// acknowledgements are generated from what the provider grants on that path, so a path that
// grants something new (a bundle by name's workspacebundle/*) needs its own reason.

type Path = (stack: Stack) => void;
const BY_NAME = WorkspaceBundle.fromName('Standard with Windows 10 (Server 2022 based)');

/** A VPC of the account, imported as platform teams do: it adds no resource of its own. */
function importedVpc(stack: Stack): ec2.IVpc {
  return ec2.Vpc.fromVpcAttributes(stack, 'Vpc', {
    vpcId: 'vpc-0123456789abcdef0',
    availabilityZones: ['eu-west-1a', 'eu-west-1b'],
    privateSubnetIds: ['subnet-0aaaaaaaaaaaaaaa1', 'subnet-0aaaaaaaaaaaaaaa2'],
  });
}

const PATHS: Array<[string, Path]> = [
  ['a WorkSpace with a bundle by id', (stack) => {
    new Workspace(stack, 'Alice', { directory: WorkspacesDirectory.fromDirectoryId(stack, 'Dir', 'd-1234567890'), bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'alice' });
  }],
  ['a WorkSpace with a bundle by name', (stack) => {
    new Workspace(stack, 'Alice', { directory: WorkspacesDirectory.fromDirectoryId(stack, 'Dir', 'd-1234567890'), bundle: BY_NAME, userName: 'alice' });
  }],
  ['a WorkSpace with a bundle of the account by name', (stack) => {
    new Workspace(stack, 'Alice', { directory: WorkspacesDirectory.fromDirectoryId(stack, 'Dir', 'd-1234567890'), bundle: WorkspaceBundle.fromName('Team image', BundleOwner.ACCOUNT), userName: 'alice' });
  }],
  ['a directory registered in the app, with IP groups, and a WorkSpace in it', (stack) => {
    const registered = new WorkspacesDirectory(stack, 'Registered', { directoryId: 'd-2234567890', ipGroups: [IpAccessControlGroup.fromGroupId(stack, 'Office', 'wsipg-12345678')], removalPolicy: RemovalPolicy.DESTROY });
    new Workspace(stack, 'Alice', { directory: registered, bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'alice' });
  }],
  ['a directory with an IP group declared in the app and a connection alias associated with it', (stack) => {
    const office = new IpAccessControlGroup(stack, 'Office', { rules: [IpRule.cidr('203.0.113.0/24', 'office')] });
    const registered = new WorkspacesDirectory(stack, 'Registered', { directoryId: 'd-2234567890', ipGroups: [office] });
    new ConnectionAlias(stack, 'Alias', { connectionString: 'desktop.example.com' }).associate(registered);
  }],
  ['a directory registered in the app only', (stack) => {
    new WorkspacesDirectory(stack, 'Registered', { directoryId: 'd-2234567890' });
  }],
  ['a fleet with a bundle by name', (stack) => {
    const fleet = new WorkspaceFleet(stack, 'Team', { directory: WorkspacesDirectory.fromDirectoryId(stack, 'Dir', 'd-1234567890'), bundle: BY_NAME, users: ['alice', 'bob'] });
    fleet.workspace('alice').onOutOfBandChange('AliceChanged');
  }],
  ['a lookup of an existing WorkSpace', (stack) => {
    const carol = Workspace.fromUserName(stack, 'Carol', { directory: WorkspacesDirectory.fromDirectoryId(stack, 'Dir', 'd-1234567890'), userName: 'carol' });
    carol.onOutOfBandChange('CarolChanged');
  }],
  ['a provider in a VPC', (stack) => {
    WorkspaceProvider.configure(stack, { vpc: importedVpc(stack) });
    new Workspace(stack, 'Alice', { directory: WorkspacesDirectory.fromDirectoryId(stack, 'Dir', 'd-1234567890'), bundle: BY_NAME, userName: 'alice' });
  }],
  ['a provider in a VPC with its own subnets, security group and log retention', (stack) => {
    const vpc = importedVpc(stack);
    const securityGroup = ec2.SecurityGroup.fromSecurityGroupId(stack, 'Egress', 'sg-0123456789abcdef0');
    WorkspaceProvider.configure(stack, {
      vpc,
      vpcSubnets: { subnets: vpc.privateSubnets },
      securityGroups: [securityGroup],
      logRetention: logs.RetentionDays.ONE_MONTH,
    });
    new WorkspacesDirectory(stack, 'Registered', { directoryId: 'd-2234567890' });
  }],
];

/** The unacknowledged findings of an app with cdk-nag 2 (annotations) and cdk-nag 3 (the synthesis' report). */
function findingsOfApp(build: (app: App) => void): { v2: string[]; v3: string | undefined } {
  const app2 = new App();
  build(app2);
  Aspects.of(app2).add(new nag2.AwsSolutionsChecks());
  app2.synth();
  const pattern = Match.stringLikeRegexp('AwsSolutions-.*');
  const v2 = app2.node.findAll().filter(Stack.isStack).flatMap((stack) => [
    ...Annotations.fromStack(stack).findError('*', pattern),
    ...Annotations.fromStack(stack).findWarning('*', pattern),
  ]).map((m) => `${m.id}: ${String(m.entry.data).split('\n')[0]}`);

  // cdk-nag 3 only where aws-cdk-lib has Validations (not at the floor): see withNag3.
  let v3: string | undefined;
  if (Validations) {
    const app3 = new App();
    build(app3);
    Validations.of(app3).addPlugins(new nag3.AwsSolutionsChecks(app3));
    try {
      app3.synth();
    } catch (e) {
      v3 = (e as Error).message;
    }
  }
  return { v2, v3 };
}

describe.each([
  ['environment-agnostic', undefined],
  ['with account and region', ENV],
])('cdk-nag 2 and 3 find nothing unacknowledged on each path (%s)', (_name, env) => {
  test.each(PATHS)('%s', (_path, build) => {
    const { v2, v3 } = findingsOfApp((app) => build(new Stack(app, 'Desktops', { env })));
    expect(v2).toEqual([]);
    expect(v3).toBeUndefined();
  });
});

describe('the examples of the README and docs/', () => {
  const examples = readmeExamples();

  test('there are examples to check', () => {
    expect(examples.length).toBeGreaterThanOrEqual(8);
  });

  test.each(examples.map((e) => [`${e.page}:${e.line}`, e] as const))('the example at %s has no unacknowledged finding with cdk-nag 2 and 3', (_where, example) => {
    const v2: string[] = [];
    for (const app of example.run()) {
      Aspects.of(app).add(new nag2.AwsSolutionsChecks());
      app.synth();
      const pattern = Match.stringLikeRegexp('AwsSolutions-.*');
      for (const stack of app.node.findAll().filter(Stack.isStack)) {
        v2.push(...[...Annotations.fromStack(stack).findError('*', pattern), ...Annotations.fromStack(stack).findWarning('*', pattern)]
          .map((m) => `${m.id}: ${String(m.entry.data).split('\n')[0]}`));
      }
    }
    expect(v2).toEqual([]);
    const apps = example.run();
    expect(apps.length).toBeGreaterThan(0);
    for (const app of Validations ? apps : []) {
      Validations!.of(app).addPlugins(new nag3.AwsSolutionsChecks(app));
      expect(() => app.synth()).not.toThrow();
    }
  });
});

describe('a wildcard statement without a reason is reported, whoever adds it to a handler\'s role', () => {
  function withExtra(statement: iam.PolicyStatement, role: 'onEventRole' | 'isCompleteRole') {
    return findingsOfApp((app) => {
      const stack = new Stack(app, 'Desktops', { env: ENV });
      PATHS[1][1](stack);
      WorkspaceProvider.getOrCreate(stack)[role].addToPrincipalPolicy(statement);
    });
  }

  test('a new action on "*", which other statements of the role justify for their actions', () => {
    const { v2, v3 } = withExtra(new iam.PolicyStatement({ actions: ['workspaces:RebootWorkspaces'], resources: ['*'] }), 'onEventRole');
    expect(v2).toEqual([expect.stringMatching(/OnEventHandler\/ServiceRole\/DefaultPolicy\/Resource: AwsSolutions-IAM5\[Resource::\*\]/)]);
    expect(v3).toEqual(Validations ? expect.stringMatching(/AwsSolutions-IAM5\[Resource::\*\]/) : undefined);
  });

  test('a justified action on workspace/* without the ownership condition', () => {
    const stack = new Stack(new App(), 'Arn', { env: ENV });
    const anyWorkspace = stack.formatArn({ service: 'workspaces', resource: 'workspace', resourceName: '*' });
    const { v2, v3 } = withExtra(new iam.PolicyStatement({ actions: ['workspaces:ModifyWorkspaceProperties'], resources: [anyWorkspace] }), 'isCompleteRole');
    expect(v2).toEqual([expect.stringMatching(/IsCompleteHandler\/ServiceRole\/DefaultPolicy\/Resource: AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:workspaces:eu-west-1:111122223333:workspace\/\*\]/)]);
    expect(v3).toEqual(Validations ? expect.stringMatching(/AwsSolutions-IAM5\[Resource::arn:<AWS::Partition>:workspaces:eu-west-1:111122223333:workspace\/\*\]/) : undefined);
  });

  test('a statement scoped to a resource is not a finding', () => {
    const { v2, v3 } = withExtra(new iam.PolicyStatement({ actions: ['workspaces:RebootWorkspaces'], resources: ['arn:aws:workspaces:eu-west-1:111122223333:workspace/ws-abcd12345'] }), 'onEventRole');
    expect(v2).toEqual([]);
    expect(v3).toBeUndefined();
  });
});
