import { App } from 'aws-cdk-lib';

/** The names of the settings of the integration test, as context keys. */
export type IntegSettingName = 'directoryId' | 'bundleName' | 'userName';

const ENVIRONMENT_VARIABLES: { [name in IntegSettingName]: string } = {
  directoryId: 'CDK_WORKSPACES_INTEG_DIRECTORY_ID',
  bundleName: 'CDK_WORKSPACES_INTEG_BUNDLE_NAME',
  userName: 'CDK_WORKSPACES_INTEG_USER_NAME',
};

/**
 * A setting of the integration test: the context value `cdk-workspaces:integ:<name>`, else the
 * environment variable `CDK_WORKSPACES_INTEG_<NAME>`, else the default, which keeps the
 * committed snapshot independent of the machine that checks it.
 */
export function integSetting(app: App, name: IntegSettingName, defaultValue: string): string {
  const fromContext = app.node.tryGetContext(`cdk-workspaces:integ:${name}`);
  if (typeof fromContext === 'string' && fromContext.length > 0) {
    return fromContext;
  }
  return process.env[ENVIRONMENT_VARIABLES[name]] || defaultValue;
}
