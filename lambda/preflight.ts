// CONTRACT between issue 12 (which implements this file) and issue 14 (which calls it).
// Both Custom::Workspace and Custom::WorkspaceFleet call preflight() in onEvent before any
// CreateWorkspaces (and on an Update that changes the bundle), so a wrong directory or bundle
// fails in seconds with nothing created.
import { DesiredProperties } from './properties';
import { WorkspacesApi } from './workspaces-api';

/** The bundle as the wire names it: `BundleId`, or `BundleName` with an optional `BundleOwner`. */
export interface BundleSpec {
  readonly bundleId?: string;
  readonly bundleName?: string;
  /** `AMAZON` or `ACCOUNT`; absent = both. */
  readonly bundleOwner?: 'AMAZON' | 'ACCOUNT';
}

export interface PreflightRequest {
  readonly directoryId: string;
  readonly bundle: BundleSpec;
  /** Every WorkSpace the request would create: its properties must fit the bundle. */
  readonly workspaces: readonly { readonly userName: string; readonly properties: DesiredProperties }[];
}

export interface PreflightResult {
  /** The resolved bundle id: returned to CloudFormation as the `BundleId` attribute. */
  readonly bundleId: string;
}

/**
 * Checks, with Describe calls only, that the directory is registered and the bundle exists and
 * fits; throws an InputError-like error naming the prop and what the service reported.
 */
export async function preflight(_api: WorkspacesApi, request: PreflightRequest): Promise<PreflightResult> {
  if (request.bundle.bundleId) {
    return { bundleId: request.bundle.bundleId };
  }
  throw new Error('CONTRACT: issue 12 implements bundle names and the pre-flight checks');
}
