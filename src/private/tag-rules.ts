import { Token } from 'aws-cdk-lib';
import * as rules from './rules';

/**
 * The service's tag rules at synth time, every broken one reported (not only the first): the
 * count (`checkCount`, which differs by resource), then each key and value that is known at synth
 * time. Kept apart from rules.ts, which the handler bundle shares and which must not pull in
 * aws-cdk-lib.
 */
export function tagRuleErrors(tags: ReadonlyArray<{ Key: string; Value: string }>, checkCount?: () => void): string[] {
  const errors: string[] = [];
  const collect = (check: () => void) => {
    try {
      check();
    } catch (e) {
      errors.push((e as Error).message);
    }
  };
  if (checkCount !== undefined) {
    collect(checkCount);
  }
  for (const tag of tags) {
    if (!Token.isUnresolved(tag.Key)) {
      collect(() => rules.checkTagKey('tags', tag.Key));
    }
    if (!Token.isUnresolved(tag.Value)) {
      collect(() => rules.checkTagValue('tags', tag.Key, tag.Value));
    }
  }
  return errors;
}
