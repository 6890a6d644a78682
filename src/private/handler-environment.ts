/**
 * The environment variable that carries this library's version to the handlers, which name it
 * in their user agent (`cdk-workspaces/<version>`, what CloudTrail records).
 *
 * The version reaches them through their configuration, not inside their bundles: a bundle that
 * held it would change, and so would its asset hash, on every release, even one that leaves the
 * handler code alone. An environment variable changes only the functions' configuration (a quick
 * in-place update), never a `Custom::Workspace`'s properties, so an upgrade touches no WorkSpace.
 */
export const LIBRARY_VERSION_ENV = 'CDK_WORKSPACES_VERSION';
