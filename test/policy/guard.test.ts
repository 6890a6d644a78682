import * as path from 'path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import * as cdk from 'aws-cdk-lib';
import { App, IPolicyValidationPluginBeta1, Stack } from 'aws-cdk-lib';
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

/** `Validations`, where aws-cdk-lib has it (2.257.0 and later; the floor has not). */
const Validations = (cdk as unknown as {
  Validations?: { of(app: App): { addPlugins(...plugins: IPolicyValidationPluginBeta1[]): void } };
}).Validations;

/**
 * The plugin as the README shows it, `Validations.of(app).addPlugins()`, where aws-cdk-lib has
 * it; in earlier releases (the floor) the App's `policyValidationBeta1`, which later releases
 * deprecate in its favour.
 */
function appWithGuard(): App {
  const guard = new CfnGuardValidator({ controlTowerRulesEnabled: false, rules: [RULES] });
  if (!Validations) {
    return new App({ policyValidationBeta1: [guard] });
  }
  const app = new App();
  Validations.of(app).addPlugins(guard);
  return app;
}

/** The validation report that fails the synthesis, or undefined if it passes. */
function synthWithGuard(build: (app: App) => Stack): string | undefined {
  const app = appWithGuard();
  build(app);
  const printed: string[] = [];
  const error = jest.spyOn(console, 'error').mockImplementation((...args: unknown[]) => {
    printed.push(args.join(' '));
  });
  const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
  const exitCode = process.exitCode;
  try {
    app.synth();
    // Releases before Validations print the report and set the exit code (which fails `cdk synth`)
    // instead of throwing it.
    return process.exitCode === 1 && exitCode !== 1 ? printed.join('\n') : undefined;
  } catch (e) {
    return (e as Error).message;
  } finally {
    process.exitCode = exitCode;
    error.mockRestore();
    log.mockRestore();
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
