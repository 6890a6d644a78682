import { ValidationError } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/**
 * aws-cdk-lib's own error for a prop that fails its rule: `cdk synth` prints its message and the
 * construct's place in the app, without the library's stack trace. The message starts with the
 * construct's path (or the `path` given, for a construct not yet made), since it names what the
 * user must change.
 *
 * `ValidationError` is exported but not part of aws-cdk-lib's documented API, and its
 * constructor has changed before (2.177 took the message first); every call goes through here,
 * and `npx projen test:cdk-latest` proves it against the newest aws-cdk-lib.
 */
export function validationError(scope: IConstruct, message: string, path: string = scope.node.path): Error {
  // The name must be a literal string (aws-cdk-lib brands it); it is the error's code.
  const name = 'CdkWorkspacesValidation' as ConstructorParameters<typeof ValidationError>[0];
  return new ValidationError(name, `${path}: ${message}`, scope);
}
