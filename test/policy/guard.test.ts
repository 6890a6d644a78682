import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as workspaces from 'aws-cdk-lib/aws-workspaces';
import { compliantStack, noncompliantStack } from './stacks';

// The Guard rules shipped in the npm package (policy/guard/), run the way a user runs them:
// aws-cdk-lib's policy validation with @cdklabs/cdk-validator-cfnguard, which runs cfn-guard
// on the synthesized templates and fails the synthesis with its report.

const RULES = path.join(__dirname, '..', '..', 'policy', 'guard');
const RULE_NAMES = [
  'cdk_workspaces_user_volume_encrypted',
  'cdk_workspaces_root_volume_encrypted',
  'cdk_workspaces_volume_key_customer_managed',
  'cdk_workspaces_retained_on_delete',
];

function synthWithGuard(build: (app: App) => Stack): string | undefined {
  const app = new App();
  build(app);
  Validations.of(app).addPlugins(new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: [RULES] }));
  try {
    app.synth();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

test('a stack whose WorkSpaces are encrypted with a customer managed key and retained passes every rule', () => {
  expect(synthWithGuard(compliantStack)).toBeUndefined();
});

test('a stack with an unencrypted WorkSpace that is deleted with the stack fails each rule, naming the resource', () => {
  const report = synthWithGuard(noncompliantStack);
  expect(report).toBeDefined();
  for (const rule of RULE_NAMES) {
    expect(report).toContain(rule);
  }
  expect(report).toContain('Noncompliant/Bob/Resource');
  expect(report).toContain('The WorkSpace\'s user volume is not encrypted');
});

test('the same rules flag CloudFormation\'s own AWS::WorkSpaces::Workspace alike', () => {
  const report = synthWithGuard((app) => {
    const stack = new Stack(app, 'Native');
    new workspaces.CfnWorkspace(stack, 'Carol', { directoryId: 'd-1234567890', bundleId: 'wsb-12345678', userName: 'carol' });
    return stack;
  });
  expect(report).toContain('cdk_workspaces_user_volume_encrypted');
  expect(report).toContain('cdk_workspaces_root_volume_encrypted');
  expect(report).toContain('Native/Carol');
});
