// What a failure's reason has to fit in. The Provider framework (aws-cdk-lib
// custom-resources/lib/provider-framework/runtime) answers CloudFormation with one JSON body:
// Status, Reason, StackId, RequestId, PhysicalResourceId, LogicalResourceId and Data, where
// Reason is the handler's message, then "\n\nLogs: /aws/lambda/<function>\n", then every line of
// the Lambda error's trace after its first; and Data is, after isComplete fails, onEvent's Data.
// CloudFormation refuses a body above 4,096 bytes ("Response object is too long"), and the user
// sees that instead of the reason. So each part gets a budget, and the worst case of every
// handler is tested against the whole body (test/handler/response-limit.test.ts).

/** CloudFormation's limit for a custom resource's response body, in bytes. */
export const RESPONSE_LIMIT_BYTES = 4096;
/** The most bytes a failure's message takes in the response (JSON-encoded, UTF-8). */
export const MAX_REASON_BYTES = 2000;
/**
 * The most bytes onEvent's Data may take in the response: the framework sends it with the
 * failure of a later isComplete as well. The rest of the body (the ids, at most 255-character
 * logical ids and 128-character stack names, and the framework's log line) takes under 1,000.
 */
export const MAX_EVENT_DATA_BYTES = 1000;

/** The bytes a string takes inside the response's JSON. */
export function jsonBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text), 'utf8') - 2;
}

/**
 * The message on one line (a line break would end the framework's first line of the reason)
 * and within `maxBytes`, cut with what was cut stated: the beginning says what failed and why.
 */
export function boundMessage(message: string, maxBytes: number = MAX_REASON_BYTES): string {
  const oneLine = message.replace(/[\r\n\u2028\u2029]+/g, ' ');
  if (jsonBytes(oneLine) <= maxBytes) {
    return oneLine;
  }
  const chars = Array.from(oneLine);
  const suffix = (kept: number) => `… (message cut after ${kept.toLocaleString('en-US')} of ${chars.length.toLocaleString('en-US')} `
    + 'characters; the whole message is in the handler\'s log)';
  // The longest head that fits with its suffix.
  let low = 0;
  let high = chars.length;
  while (low < high) {
    const mid = Math.ceil((low + high) / 2);
    if (jsonBytes(chars.slice(0, mid).join('') + suffix(mid)) <= maxBytes) {
      low = mid;
    } else {
      high = mid - 1;
    }
  }
  return chars.slice(0, low).join('') + suffix(low);
}

/**
 * The error as the Lambda runtime should report it: its message bounded, and a stack of that
 * one line. The framework appends the stack's lines after the first to the reason; the frames
 * would take a quarter of the response and tell the user nothing (the log has them).
 */
export function boundedError(e: unknown, log: (message: string) => void): unknown {
  if (!(e instanceof Error)) {
    return e;
  }
  const bounded = boundMessage(e.message);
  if (bounded !== e.message || (e.stack ?? '').includes('\n')) {
    log(`Failed: ${e.stack ?? e.message}`);
  }
  e.message = bounded;
  e.stack = `${e.name}: ${bounded}`;
  return e;
}

/**
 * Fits a Data map into `maxBytes`, as the response encodes it: values are cut from the last
 * key on, each cut stated, and the keys named in `keep` are never cut (what a later poll reads).
 */
export function boundData(data: Record<string, string>, keep: readonly string[], maxBytes: number = MAX_EVENT_DATA_BYTES): Record<string, string> {
  const size = (d: Record<string, string>) => Buffer.byteLength(JSON.stringify(d), 'utf8');
  const out = { ...data };
  for (const key of Object.keys(out).reverse()) {
    const over = size(out) - maxBytes;
    if (over <= 0) {
      break;
    }
    if (!keep.includes(key)) {
      out[key] = boundMessage(out[key], Math.max(0, jsonBytes(out[key]) - over));
    }
  }
  return out;
}
