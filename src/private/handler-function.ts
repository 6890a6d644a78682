import * as path from 'path';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';

/**
 * The one bundle of both handlers (lambda/index.ts), which `npx projen bundle` builds and the
 * npm package ships.
 */
export const HANDLER_BUNDLE_DIR = path.join(__dirname, '../../assets/lambda/handler');

/**
 * The newest Node.js runtime Lambda offers. .projenrc.ts builds the bundle for the same version
 * (`handlerRuntime`); test/runtime.test.ts checks that the two agree. A plain name, so that it
 * does not depend on what the installed aws-cdk-lib knows.
 */
export const HANDLER_RUNTIME = 'nodejs24.x';

/** The handlers that lambda/index.ts exports. */
export type HandlerEntry = 'onEvent' | 'isComplete';

export interface HandlerFunctionProps extends lambda.FunctionOptions {
  /** Which exported handler of the bundle this function runs. */
  readonly entry: HandlerEntry;
  /** The bundle's code: the same object for both functions, so that synth stages it once and a deployment uploads it once. */
  readonly code: lambda.Code;
}

/** A function of the stack's WorkSpaces Provider, running one handler of the shared bundle. */
export class HandlerFunction extends lambda.Function {
  /** The bundle, as the code of a function. Create it once per provider and give it to each function. */
  public static bundle(): lambda.Code {
    return lambda.Code.fromAsset(HANDLER_BUNDLE_DIR);
  }

  constructor(scope: Construct, id: string, props: HandlerFunctionProps) {
    const { entry, code, ...options } = props;
    super(scope, id, {
      ...options,
      runtime: new lambda.Runtime(HANDLER_RUNTIME, lambda.RuntimeFamily.NODEJS),
      handler: `index.${entry}`,
      code,
    });
    // The SDK's keep-alive for a warm container's calls (what projen's generated functions set).
    this.addEnvironment('AWS_NODEJS_CONNECTION_REUSE_ENABLED', '1', { removeInEdge: true });
  }
}
