import { ValidationError } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** ValidationError's constructor in the floor (2.240.0) and the releases before it. */
type MessageFirst = new (message: string, scope: IConstruct) => Error;
/** ValidationError's constructor in later releases: the name is the error's code. */
type NameFirst = new (name: string, message: string, scope: IConstruct) => Error;

/**
 * aws-cdk-lib's own error for a prop that fails its rule: `cdk synth` prints its message and the
 * construct's place in the app, without the library's stack trace. The message starts with the
 * construct's path (or the `path` given, for a construct not yet made), since it names what the
 * user must change.
 *
 * `ValidationError` is exported but not part of aws-cdk-lib's documented API, and its
 * constructor has changed: the floor (2.240.0) takes `(message, scope)`, 2.257.0 and later
 * `(name, message, scope)`. The constructor's own arity tells them apart; `npm test` proves the
 * first at the floor and `npx projen test:cdk-latest` the second.
 */
export function validationError(scope: IConstruct, message: string, path: string = scope.node.path): Error {
  const text = `${path}: ${message}`;
  // Typed as neither, since the type-check runs against both (the floor and the newest).
  if (ValidationError.length < 3) {
    return new (ValidationError as unknown as MessageFirst)(text, scope);
  }
  return new (ValidationError as unknown as NameFirst)('CdkWorkspacesValidation', text, scope);
}
