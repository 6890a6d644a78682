import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { directory } from './directories';
import { parseProperties } from '../lambda/parse';
import { Workspace, WorkspaceBundle } from '../src';

const base = { directory: directory('d-1234567890'), bundle: WorkspaceBundle.fromBundleId('wsb-12345678'), userName: 'alice' };

function propertiesOf(props: Partial<typeof base> & { adoptExisting?: boolean }): Record<string, unknown> {
  const stack = new Stack(new App(), 'TestStack', { env: { account: '111122223333', region: 'eu-west-1' } });
  new Workspace(stack, 'Alice', { ...base, ...props });
  const [resource] = Object.values(Template.fromStack(stack).findResources('Custom::Workspace'));
  return resource.Properties;
}

describe('adoptExisting', () => {
  test('is absent from the template by default, so the handler never adopts', () => {
    const properties = propertiesOf({});

    expect(properties).not.toHaveProperty('AdoptExisting');
    expect(parseProperties(withoutToken(properties)).adoptExisting).toBe(false);
  });

  test('reaches the handler as "true" when set', () => {
    const properties = propertiesOf({ adoptExisting: true });

    expect(properties.AdoptExisting).toBe('true');
    expect(parseProperties(withoutToken(properties)).adoptExisting).toBe(true);
  });

  test('false is the same as not set', () => {
    expect(propertiesOf({ adoptExisting: false })).not.toHaveProperty('AdoptExisting');
  });

  test('a hand-written template with another value fails naming the property', () => {
    expect(() => parseProperties({ DirectoryId: 'd-1234567890', BundleId: 'wsb-12345678', UserName: 'alice', AdoptExisting: 'yes' }))
      .toThrow(/Invalid AdoptExisting "yes": must be "true" or "false"/);
  });
});

/** The properties as the handler reads them (the service token is a template token here). */
function withoutToken(properties: Record<string, unknown>): Record<string, unknown> {
  const { ServiceToken: _, ...rest } = properties;
  return rest;
}
