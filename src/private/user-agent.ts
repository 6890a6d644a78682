// Shared by the construct (which must recognise the provider's calls in CloudTrail) and the
// handler (which makes them), so the two cannot drift apart. Nothing here may import
// aws-cdk-lib: it is bundled into the handler.

/**
 * The product name that every WorkSpaces call of this library carries in its user agent, as
 * `cdk-workspaces/<version>`; CloudTrail records it in the `userAgent` of each call.
 */
export const USER_AGENT_PRODUCT = 'cdk-workspaces';

