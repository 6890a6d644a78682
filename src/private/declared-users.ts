import { Token } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

// The WorkSpaces each app declares and the lookups (`Workspace.fromUserName`) it makes, by
// directory and user: a lookup of a user whose WorkSpace the same app creates must run after the
// creation, or it finds nothing on the first deployment.

interface Registry {
  readonly declared: Map<string, IConstruct>;
  readonly lookups: Map<string, IConstruct[]>;
}

const byApp = new WeakMap<IConstruct, Registry>();

function registryOf(scope: IConstruct): Registry {
  const root = scope.node.root;
  let registry = byApp.get(root);
  if (registry === undefined) {
    registry = { declared: new Map(), lookups: new Map() };
    byApp.set(root, registry);
  }
  return registry;
}

function keyOf(directoryId: string, userName: string): string | undefined {
  return Token.isUnresolved(directoryId) || Token.isUnresolved(userName) ? undefined : `${directoryId}/${userName.toLowerCase()}`;
}

/** A construct of the app creates this user's WorkSpace: each lookup of the user waits for it. */
export function declareUser(creator: IConstruct, directoryId: string, userName: string): void {
  const key = keyOf(directoryId, userName);
  if (key === undefined) {
    return;
  }
  const registry = registryOf(creator);
  registry.declared.set(key, creator);
  for (const lookup of registry.lookups.get(key) ?? []) {
    lookup.node.addDependency(creator);
  }
}

/** A lookup of this user: it waits for the construct of the app that creates the user's WorkSpace, if there is one. */
export function lookUpUser(lookup: IConstruct, directoryId: string, userName: string): void {
  const key = keyOf(directoryId, userName);
  if (key === undefined) {
    return;
  }
  const registry = registryOf(lookup);
  registry.lookups.set(key, [...registry.lookups.get(key) ?? [], lookup]);
  const creator = registry.declared.get(key);
  if (creator !== undefined) {
    lookup.node.addDependency(creator);
  }
}
