import { Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';

// The roles of each stack's WorkspaceProvider, for the event rules that must tell the
// provider's own calls apart (onOutOfBandChange). Kept here, not on the provider, so that the
// constructs can ask without creating a provider in a stack that has none.

const rolesByStack = new WeakMap<Stack, readonly iam.IRole[]>();

export function registerProviderRoles(stack: Stack, roles: readonly iam.IRole[]): void {
  rolesByStack.set(stack, roles);
}

/** The roles of the stack's provider, once it exists; none before. */
export function providerRoles(stack: Stack): readonly iam.IRole[] {
  return rolesByStack.get(stack) ?? [];
}
