// Helpers for the WorkspaceFleet scenarios: a local endpoint and handlers that share one fast
// clock (compressed time: a 30 s poll, minutes of provisioning and the endpoint's request rate all
// pass S times faster, and keep their ratios), an app with a fleet, and the inventory check.
import { App, RemovalPolicy, Stack, Tags } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { LocalWorkspaces, startLocalWorkspaces } from './endpoint';
import type { Faults, Timing } from './endpoint';
import { Handlers, LocalStack, LocalStackOptions, loadBundledHandlers } from './runner';
import { BUNDLE_ID, DIRECTORY_ID, fastClock } from './scenario-helpers';
import { parseOwnership, resourcePart, stackUuid } from '../../lambda/core/ownership';
import { anchorPending, parseFleetId, parseFleetTag } from '../../lambda/resources/fleet/fleet-generations';
import { Workspace, WorkspaceBundle, WorkspaceFleet, WorkspaceFleetProps, WorkspaceFleetUserOptions, WorkspacesDirectory } from '../../src';
import { FLEET_TAG_KEY, MIGRATION_TAG_KEY, OWNERSHIP_TAG_KEY } from '../../src/private/rules';

type Json = any;

/** Service time, in simulated ms: what a real deployment meets, in its proportions. */
export const FLEET_TIMING: Partial<Timing> = {
  invisibleMs: 10_000,
  pendingMs: 300_000,
  updatingMs: 60_000,
  terminatingMs: 60_000,
  terminatedVisibleMs: 10_000,
};
/** The Provider's queryInterval, simulated. */
export const POLL_MS = 30_000;

export interface FleetScenario {
  readonly endpoint: LocalWorkspaces;
  readonly stack: LocalStack;
  readonly handlerLog: string[];
  /** The simulated clock (ms), the one the endpoint and the handlers see. */
  readonly now: () => number;
  /** When each isComplete invocation began, on the simulated clock. */
  readonly pollStarts: number[];
  stop(): Promise<void>;
}

/**
 * An endpoint and a LocalStack whose handlers see time `speedUp` times faster than real time:
 * the endpoint's states and rate limit, the handlers' clock and sleeps (the SDK's backoff, the
 * fleet's pacing), the Provider's interval and CloudFormation's hour all in simulated time.
 */
export async function startFleetScenario(options: {
  readonly speedUp?: number;
  readonly faults?: Partial<Faults>;
  readonly timing?: Partial<Timing>;
  readonly seed?: number;
  /** The access key id each handler signs with, for an endpoint that authorizes calls (see LoadHandlersOptions). */
  readonly accessKeyIds?: { readonly onEvent: string; readonly isComplete: string };
  /** The order the runner runs one deployment's creates and updates in (see LocalStackOptions). */
  readonly operationOrder?: LocalStackOptions['operationOrder'];
  /** The custom resource types the runner sends to the handlers (see LocalStackOptions). */
  readonly resourceTypes?: LocalStackOptions['resourceTypes'];
  /** Wraps the bundled handlers, e.g. to begin an invocation late. */
  readonly wrapHandlers?: (handlers: Handlers) => Handlers;
  /** Sees every step of the runner (see LocalStackOptions). */
  readonly onProgress?: LocalStackOptions['onProgress'];
} = {}): Promise<FleetScenario> {
  const speedUp = options.speedUp ?? 1000;
  const clock = fastClock(speedUp);
  const now = () => clock.Date.now();
  const endpoint = await startLocalWorkspaces({
    timing: { ...FLEET_TIMING, ...options.timing },
    faults: options.faults,
    seed: options.seed ?? 1,
    clock: now,
  });
  Object.assign(process.env, endpoint.env(), { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' });
  const handlerLog: string[] = [];
  const log = (line: string) => handlerLog.push(line);
  const bundled = loadBundledHandlers(log, { globals: clock, accessKeyIds: options.accessKeyIds });
  const handlers = options.wrapHandlers ? options.wrapHandlers(bundled) : bundled;
  const pollStarts: number[] = [];
  const stack = new LocalStack({
    pollIntervalMs: POLL_MS / speedUp,
    totalTimeoutMs: 3_600_000 / speedUp,
    cloudFormationSpeedUp: speedUp,
    operationOrder: options.operationOrder,
    resourceTypes: options.resourceTypes,
    // Each invocation's remaining time runs down in simulated time, as the handlers' own clock does.
    clock: now,
    onProgress: options.onProgress,
    handlers: { onEvent: handlers.onEvent, isComplete: (event, context) => { pollStarts.push(now()); return handlers.isComplete(event, context); } },
    handlerLog: log,
  });
  return { endpoint, stack, handlerLog, now, pollStarts, stop: () => endpoint.stop() };
}

export interface FleetSpec extends Partial<Omit<WorkspaceFleetProps, 'directory' | 'bundle'>> {
  /** Construct id. @default 'Fleet' */
  readonly id?: string;
  /** The fleet's bundle. @default BUNDLE_ID */
  readonly bundleId?: string;
  readonly overrides?: Record<string, WorkspaceFleetUserOptions>;
  readonly tags?: Record<string, string>;
  /** Users whose WorkSpace the app references with fleet.workspace(). */
  readonly exported?: string[];
  /** Workspace constructs of the same app, beside the fleet (construct id: the user name, capitalised). */
  readonly workspaces?: ReadonlyArray<{ readonly userName: string; readonly removalPolicy?: RemovalPolicy }>;
}

/** The template of an app holding one fleet in DIRECTORY_ID from BUNDLE_ID. */
export function synthFleet(spec: FleetSpec): Json {
  const stack = new Stack(new App(), 'FleetScenario');
  const { id, overrides, tags, exported, workspaces, bundleId, ...props } = spec;
  const directory = WorkspacesDirectory.fromDirectoryId(stack, 'Directory', DIRECTORY_ID);
  const fleet = new WorkspaceFleet(stack, id ?? 'Fleet', {
    directory,
    bundle: WorkspaceBundle.fromBundleId(bundleId ?? BUNDLE_ID),
    ...props,
  });
  for (const w of workspaces ?? []) {
    new Workspace(stack, w.userName[0].toUpperCase() + w.userName.slice(1), {
      directory,
      bundle: WorkspaceBundle.fromBundleId(BUNDLE_ID),
      userName: w.userName,
      removalPolicy: w.removalPolicy,
    });
  }
  for (const [userName, options] of Object.entries(overrides ?? {})) {
    fleet.addUser(userName, options);
  }
  for (const [key, value] of Object.entries(tags ?? {})) {
    Tags.of(fleet).add(key, value);
  }
  for (const userName of exported ?? []) {
    fleet.workspace(userName);
  }
  return Template.fromStack(stack).toJSON();
}

export const users = (n: number, prefix = 'user'): string[] => Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(3, '0')}`);

export const DESTROY = RemovalPolicy.DESTROY;

/** The one fleet of a template: its logical id and properties. */
export function fleetOf(template: Json): { logicalId: string; properties: Json } {
  const found = Object.entries<Json>(template.Resources).filter(([, r]) => r.Type === 'Custom::WorkspaceFleet');
  expect(found).toHaveLength(1);
  return { logicalId: found[0][0], properties: found[0][1].Properties };
}

/**
 * The inventory check for a fleet: exactly one WorkSpace per declared user, plus `kept` (removed
 * users' WorkSpaces that the removal policy keeps) and `unchanged`: nothing orphaned, nothing
 * missing; each declared user's WorkSpace settled with the fleet's settings and the user's
 * overrides, the merged tags and the fleet's ownership marking.
 */
export function expectFleetInventory(endpoint: LocalWorkspaces, stack: LocalStack, template: Json, extra: {
  readonly kept?: readonly string[];
  readonly unchanged?: readonly string[];
  /** WorkSpaces in directories other than the fleet's are the caller's to check. @default every WorkSpace counts */
  readonly otherDirectories?: 'ignore';
} = {}): void {
  const all = endpoint.inventory();
  const owners = all.map((w) => `${w.DirectoryId}/${w.UserName.toLowerCase()}`);
  expect(owners.length).toBe(new Set(owners).size);
  const { logicalId, properties: p } = fleetOf(template);
  const inventory = extra.otherDirectories === 'ignore' ? all.filter((w) => w.DirectoryId === p.DirectoryId) : all;
  expect([...stack.resources.values()].filter((r) => r.type === 'Custom::WorkspaceFleet').map((r) => r.logicalId)).toEqual([logicalId]);
  const declared: Json[] = p.Users ?? [];
  const byUser = new Map(inventory.map((w) => [w.UserName.toLowerCase(), w]));
  const others = [...stack.resources.values()].filter((r) => r.type === 'Custom::Workspace').map((r) => String(r.properties.UserName).toLowerCase());
  const expected = [...declared.map((u) => String(u.UserName).toLowerCase()), ...(extra.kept ?? []), ...(extra.unchanged ?? []), ...others];
  expect([...byUser.keys()].sort()).toEqual([...expected].sort());
  const wrong: string[] = [];
  for (const user of declared) {
    const actual = byUser.get(String(user.UserName).toLowerCase())!;
    const label = `user ${user.UserName} (${actual.WorkspaceId})`;
    if (actual.DirectoryId !== p.DirectoryId || (p.BundleId !== undefined && actual.BundleId !== p.BundleId)) wrong.push(`${label}: directory/bundle`);
    if (!['AVAILABLE', 'STOPPED'].includes(actual.State!) || (actual.ModificationStates ?? []).length > 0 || !actual.Visible) {
      wrong.push(`${label}: ${actual.State} ${JSON.stringify(actual.ModificationStates)}`);
    }
    const wantProps = { ...(p.WorkspaceProperties ?? {}), ...(user.WorkspaceProperties ?? {}) };
    if (user.WorkspaceProperties?.RunningMode !== undefined && user.WorkspaceProperties.RunningModeAutoStopTimeoutInMinutes === undefined) {
      delete wantProps.RunningModeAutoStopTimeoutInMinutes;
    }
    const have = actual.WorkspaceProperties as Record<string, unknown>;
    for (const [k, v] of Object.entries(wantProps)) {
      if (String(have[k]) !== String(v)) wrong.push(`${label}: ${k} is ${String(have[k])}, declared ${String(v)}`);
    }
    // The migration marking is a migration scenario's to check.
    const { [OWNERSHIP_TAG_KEY]: marking, [FLEET_TAG_KEY]: fleetTag, [MIGRATION_TAG_KEY]: _migration, ...tags } = actual.Tags;
    const wantTags = Object.fromEntries([...(p.Tags ?? []), ...(user.Tags ?? [])].map((t: Json) => [t.Key, t.Value]));
    if (JSON.stringify(Object.entries(tags).sort()) !== JSON.stringify(Object.entries(wantTags).sort())) {
      wrong.push(`${label}: tags ${JSON.stringify(tags)}, declared ${JSON.stringify(wantTags)}`);
    }
    const owner = parseOwnership(marking);
    if (owner?.stack !== stackUuid(stack.stackId) || owner?.resource !== resourcePart(logicalId)) {
      wrong.push(`${label}: marking ${marking}`);
    }
    // A member of the fleet's current lifetime, with no generation's mark left on it.
    const lifetime = parseFleetId(stack.resources.get(logicalId)!.physicalId)?.lifetime;
    const member = parseFleetTag(fleetTag);
    // A removal mark of a generation that was rolled back stays, without force: its anchor no longer names it.
    const inert = member?.kind === 'removing'
      && !anchorPending(parseFleetTag(inventory.find((w) => w.WorkspaceId === member.anchor)?.Tags[FLEET_TAG_KEY]), member.generation, member.anchor);
    if ((member?.kind !== 'member' && !inert) || member?.lifetime !== lifetime) {
      wrong.push(`${label}: fleet tag ${fleetTag}, lifetime ${lifetime}`);
    }
  }
  expect(wrong).toEqual([]);
  expect(stack.resources.get(logicalId)!.data.Count).toBe(String(declared.length));
}
