// The checks before any CreateWorkspaces: Custom::Workspace and Custom::WorkspaceFleet call
// preflight() in onEvent before they create anything (and on an Update that changes the
// bundle), so a wrong directory or bundle fails in seconds with nothing created. Describe calls
// only: nothing here changes anything.
import type { WorkspaceBundle } from '@aws-sdk/client-workspaces';
import { WorkspacesApi } from '../api';
import type { BundleSpec, DesiredProperties } from '../parse';

export interface PreflightRequest {
  readonly directoryId: string;
  readonly bundle: BundleSpec;
  /** Every WorkSpace the request would create: its properties must fit the bundle. */
  readonly workspaces: readonly { readonly userName: string; readonly properties: DesiredProperties }[];
}

export interface PreflightResult {
  /** The resolved bundle id: returned to CloudFormation as the `BundleId` attribute. */
  readonly bundleId: string;
  /** The bundle as DescribeWorkspaceBundles described it. */
  readonly bundleDescription?: WorkspaceBundle;
}

/**
 * A pre-flight check that failed: the request is wrong (or the account is not ready for it),
 * not the service. Names the prop and what the service reported.
 */
export class PreflightError extends Error {
  constructor(readonly prop: string, message: string) {
    super(message);
    this.name = 'PreflightError';
  }
}

/** How many of the closest names a "not found" lists. */
const CLOSEST_NAMES = 5;

/**
 * Checks, with Describe calls only, that the directory is registered and the bundle exists and
 * fits; throws a PreflightError naming the prop and what the service reported.
 */
export async function preflight(api: WorkspacesApi, request: PreflightRequest): Promise<PreflightResult> {
  await checkDirectory(api, request.directoryId);
  const bundle = await resolveBundle(api, request.bundle);
  for (const workspace of request.workspaces) {
    checkFit(bundle, workspace.userName, workspace.properties);
  }
  return { bundleId: bundle.BundleId!, bundleDescription: bundle };
}

async function checkDirectory(api: WorkspacesApi, directoryId: string): Promise<void> {
  const directory = await api.directory(directoryId);
  if (directory === undefined) {
    throw new PreflightError('directory', `Invalid directory (DirectoryId ${directoryId}): DescribeWorkspaceDirectories does not `
      + 'list it, so it is not registered with WorkSpaces in this account and region. Register it first (a WorkspacesDirectory in '
      + 'the app, or the WorkSpaces console), or use a registered directory. No WorkSpace was created.');
  }
  if (directory.State !== undefined && directory.State !== 'REGISTERED') {
    throw new PreflightError('directory', `Invalid directory (DirectoryId ${directoryId}): DescribeWorkspaceDirectories reports `
      + `it as ${directory.State}, and WorkSpaces are created only in a REGISTERED directory. No WorkSpace was created.`);
  }
}

/** The bundle the spec names, described. */
export async function resolveBundle(api: WorkspacesApi, spec: BundleSpec): Promise<WorkspaceBundle> {
  if (spec.bundleId !== undefined) {
    const bundle = await api.bundle(spec.bundleId);
    if (bundle === undefined) {
      throw new PreflightError('bundle', `Invalid bundle (BundleId ${spec.bundleId}): DescribeWorkspaceBundles does not list it, `
        + 'so it does not exist in this region or is not visible to this account (Amazon\'s public bundles have another id in '
        + 'each region: WorkspaceBundle.fromName finds a bundle by its name). No WorkSpace was created.');
    }
    return bundle;
  }
  const name = spec.bundleName;
  if (name === undefined) {
    throw new PreflightError('bundle', 'Invalid bundle: neither BundleId nor BundleName is given');
  }
  const owners: readonly ('AMAZON' | 'ACCOUNT')[] = spec.bundleOwner ? [spec.bundleOwner] : ['AMAZON', 'ACCOUNT'];
  const all: WorkspaceBundle[] = [];
  for (const owner of owners) {
    all.push(...await api.bundles(owner));
  }
  const where = spec.bundleOwner === 'AMAZON' ? 'Amazon\'s bundles'
    : spec.bundleOwner === 'ACCOUNT' ? 'this account\'s own bundles' : 'Amazon\'s bundles or this account\'s own';
  const matches = all.filter((b) => b.Name === name);
  if (matches.length === 0) {
    const closest = closestNames(name, all.map((b) => b.Name ?? '').filter((n) => n !== ''));
    throw new PreflightError('bundle', `Invalid bundle (BundleName ${JSON.stringify(name)}): DescribeWorkspaceBundles lists no `
      + `bundle of that exact name among ${where} in this region (${all.length} listed). `
      + (closest.length > 0 ? `The closest names: ${closest.map((n) => JSON.stringify(n)).join(', ')}. ` : '')
      + 'Names are compared exactly, case included. No WorkSpace was created.');
  }
  if (matches.length > 1) {
    const listed = matches.map((b) => `${b.BundleId} (owner ${b.Owner ?? 'unknown'})`).join(', ');
    throw new PreflightError('bundle', `Invalid bundle (BundleName ${JSON.stringify(name)}): ${matches.length} bundles among `
      + `${where} have that name: ${listed}. Say whose bundle it is (WorkspaceBundle.fromName(name, BundleOwner.AMAZON or `
      + 'BundleOwner.ACCOUNT)), or give its id (WorkspaceBundle.fromBundleId). No WorkSpace was created.');
  }
  return matches[0];
}

/**
 * The declared properties against the bundle, only by rules the service documents:
 * - the volume pairs WorkSpaces offers (the administration guide, "Modify a WorkSpace": root
 *   80 GiB with user 10, 50 or 100 GiB, or root 175 to 2000 GiB with user 100 to 2000 GiB), with
 *   the bundle's size for a volume that is not declared;
 * - a compute type stays in its family: GPU-based (Graphics) and the others do not mix (the
 *   same guide), so a Graphics compute type needs a Graphics bundle and the other way round.
 * Whether a declared volume may be smaller than the bundle's at creation is not documented,
 * so it is not checked here.
 */
function checkFit(bundle: WorkspaceBundle, userName: string, properties: DesiredProperties): void {
  const bundleRoot = capacity(bundle.RootStorage?.Capacity);
  const bundleUser = capacity(bundle.UserStorage?.Capacity);
  const of = `of user "${userName}"`;
  const named = `bundle ${bundle.BundleId} (${JSON.stringify(bundle.Name ?? '')})`;
  if (properties.rootVolumeSizeGib !== undefined || properties.userVolumeSizeGib !== undefined) {
    const root = properties.rootVolumeSizeGib ?? bundleRoot;
    const user = properties.userVolumeSizeGib ?? bundleUser;
    const broken = root !== undefined && user !== undefined ? volumePairRule(root, user) : undefined;
    if (broken !== undefined) {
      const declared = properties.rootVolumeSizeGib !== undefined ? 'rootVolumeSize' : 'userVolumeSize';
      throw new PreflightError(declared, `Invalid ${declared} ${of}: with ${named}, whose root volume is ${bundleRoot} GiB and `
        + `user volume ${bundleUser} GiB (DescribeWorkspaceBundles), the WorkSpace would have root ${root} GiB and user `
        + `${user} GiB: ${broken}. Declare both volume sizes, or pick a bundle that fits. No WorkSpace was created.`);
    }
  }
  const bundleCompute = bundle.ComputeType?.Name;
  const declaredCompute = properties.computeTypeName;
  if (declaredCompute !== undefined && bundleCompute !== undefined && isGraphics(declaredCompute) !== isGraphics(bundleCompute)) {
    throw new PreflightError('computeType', `Invalid computeType ${JSON.stringify(declaredCompute)} ${of}: ${named} has compute `
      + `type ${bundleCompute} (DescribeWorkspaceBundles), and a WorkSpace's compute type stays within its family (GPU-based `
      + 'Graphics types and the others do not mix). Pick a bundle of that family. No WorkSpace was created.');
  }
}

/** The documented pairs: root 80 GiB goes with user 10, 50 or 100 GiB; root 175 GiB or more with user 100 GiB or more. */
function volumePairRule(root: number, user: number): string | undefined {
  if (root === 80 && ![10, 50, 100].includes(user)) {
    return 'a root volume of 80 GiB goes with a user volume of 10, 50 or 100 GiB';
  }
  if (root >= 175 && user < 100) {
    return 'a root volume of 175 GiB or more needs a user volume of at least 100 GiB';
  }
  return undefined;
}

function isGraphics(computeType: string): boolean {
  return computeType.startsWith('GRAPHICS');
}

function capacity(raw: string | undefined): number | undefined {
  const n = Number(raw);
  return raw === undefined || raw.trim() === '' || !Number.isFinite(n) ? undefined : n;
}

/** The names closest to `name` (edit distance without regard to case), closest first. */
export function closestNames(name: string, names: readonly string[], count = CLOSEST_NAMES): string[] {
  const target = name.toLowerCase();
  return [...new Set(names)]
    .map((n) => ({ n, d: editDistance(target, n.toLowerCase()) }))
    .sort((a, b) => a.d - b.d || a.n.localeCompare(b.n))
    .slice(0, count)
    .map(({ n }) => n);
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
