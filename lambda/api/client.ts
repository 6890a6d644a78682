import { WorkSpacesClient } from '@aws-sdk/client-workspaces';
import { WorkspacesApi } from './workspaces-api';
import { LIBRARY_VERSION_ENV } from '../../src/private/handler-environment';
import { USER_AGENT_PRODUCT } from '../../src/private/user-agent';

/**
 * The user agent names this library, so that its calls can be told apart in CloudTrail. The
 * version comes from the function's environment, which the construct sets: nothing in the bundle
 * depends on the package's version, so its asset hash changes only when its code does. Without
 * it (a function built by hand, a script) the version reads `unknown`, so that the marker
 * `cdk-workspaces/` that `onOutOfBandChange` filters on is there in every case.
 */
export function userAgent(): [string, string] {
  return [USER_AGENT_PRODUCT, process.env[LIBRARY_VERSION_ENV] || 'unknown'];
}

/**
 * A client configured from the environment only: the endpoint and the region come from the
 * SDK's standard settings (AWS_ENDPOINT_URL_WORKSPACES, AWS_REGION), so the same handler runs
 * against AWS and against a local endpoint.
 */
export function createClient(maxAttempts: number = POLL_MAX_ATTEMPTS): WorkSpacesClient {
  return new WorkSpacesClient({
    retryMode: 'adaptive',
    maxAttempts,
    customUserAgent: [userAgent()],
  });
}

/** isComplete can afford to give up early: a transient failure just waits for the next poll. */
export const POLL_MAX_ATTEMPTS = 8;

/**
 * onEvent cannot: CloudFormation retries nothing, and a deploy of many WorkSpaces starts with
 * a burst of onEvent calls (each in its own container, so each with its own adaptive rate
 * limiter) against an account-wide API rate. More attempts let the SDK's backoff spread the
 * burst out; 15 attempts wait about two minutes at most on average, well inside the
 * 5-minute Lambda timeout.
 */
export const ON_EVENT_MAX_ATTEMPTS = 15;

const defaultApis = new Map<number, WorkspacesApi>();

/** One client per container: a warm Lambda reuses its connections and its retry state. */
export function getDefaultApi(maxAttempts: number = POLL_MAX_ATTEMPTS): WorkspacesApi {
  let api = defaultApis.get(maxAttempts);
  if (!api) {
    api = new WorkspacesApi(createClient(maxAttempts));
    defaultApis.set(maxAttempts, api);
  }
  return api;
}
