import { parseProperties, previousTagKeys, readTimeoutSeconds, replacementChanges } from '../../lambda/parse';

const PROPS = {
  ServiceToken: 'arn:aws:lambda:eu-west-1:123456789012:function:desks-Provider',
  DirectoryId: 'd-1234567890',
  BundleId: 'wsb-12345678',
  UserName: 'alice',
};

describe('parseProperties', () => {
  test('reads the minimal properties with defaults: no encryption, no opinions, no tags, 55 minutes', () => {
    expect(parseProperties(PROPS)).toEqual({
      directoryId: 'd-1234567890',
      bundleId: 'wsb-12345678',
      bundle: { bundleId: 'wsb-12345678' },
      userName: 'alice',
      rootVolumeEncryptionEnabled: false,
      userVolumeEncryptionEnabled: false,
      volumeEncryptionKey: undefined,
      properties: {},
      tags: [],
      timeoutSeconds: 3300,
      adoptExisting: false,
      disruptionPolicy: 'WAIT_FOR_DISCONNECT',
      bundleChange: 'MIGRATE',
    });
  });

  test('accepts numbers as CloudFormation sends them (strings) and as a hand-written template may (numbers)', () => {
    const fromStrings = parseProperties({ ...PROPS, TimeoutSeconds: '600', WorkspaceProperties: { RootVolumeSizeGib: '100', UserVolumeSizeGib: '50' } });
    const fromNumbers = parseProperties({ ...PROPS, TimeoutSeconds: 600, WorkspaceProperties: { RootVolumeSizeGib: 100, UserVolumeSizeGib: 50 } });

    expect(fromStrings).toEqual(fromNumbers);
    expect(fromStrings.properties).toEqual({ rootVolumeSizeGib: 100, userVolumeSizeGib: 50 });
    expect(fromStrings.timeoutSeconds).toBe(600);
  });

  test.each([
    [{ DirectoryId: 'directory' }, /DirectoryId "directory"/],
    [{ BundleId: 'wsb-XYZ' }, /BundleId "wsb-XYZ"/],
    [{ UserName: '' }, /UserName ""/],
    [{ UserName: undefined }, /UserName.*is required/],
    [{ RootVolumeEncryptionEnabled: 'yes' }, /RootVolumeEncryptionEnabled "yes".*"true" or "false"/],
    [{ TimeoutSeconds: '7201' }, /TimeoutSeconds "7201".*from 1 to 3300/],
    [{ TimeoutSeconds: 'soon' }, /TimeoutSeconds "soon".*number/],
    [{ WorkspaceProperties: { RunningMode: 'SOMETIMES' } }, /WorkspaceProperties\.RunningMode "SOMETIMES"/],
    [{ WorkspaceProperties: { RunningMode: 'ALWAYS_ON', RunningModeAutoStopTimeoutInMinutes: '60' } },
      /RunningModeAutoStopTimeoutInMinutes.*only.*AUTO_STOP/],
    [{ WorkspaceProperties: { RunningMode: 'AUTO_STOP', RunningModeAutoStopTimeoutInMinutes: '90' } },
      /RunningModeAutoStopTimeoutInMinutes 90.*whole number of hours/],
    [{ WorkspaceProperties: { RootVolumeSizeGib: '90' } }, /RootVolumeSizeGib 90/],
    [{ WorkspaceProperties: { UserVolumeSizeGib: '20' } }, /UserVolumeSizeGib 20/],
    [{ WorkspaceProperties: { RootVolumeSizeGib: '175', UserVolumeSizeGib: '50' } }, /at least 100 GiB/],
    [{ WorkspaceProperties: { Protocols: ['RDP'] } }, /WorkspaceProperties\.Protocols "RDP"/],
    [{ WorkspaceProperties: { Protocols: 'WSP' } }, /WorkspaceProperties\.Protocols.*list/],
    [{ WorkspaceProperties: { ComputeTypeName: 'power' } }, /ComputeTypeName "power"/],
    [{ Tags: [{ Key: 'aws:x', Value: 'v' }] }, /Tags\[0\]\.Key "aws:x"/],
    [{ Tags: [{ Key: 'cdk-workspaces:owner', Value: 'v' }] }, /reserved by cdk-workspaces/],
    [{ Tags: [{ Key: 'a', Value: 'x' }, { Key: 'a', Value: 'y' }] }, /Tags\[1\]\.Key "a".*only once/],
    [{ Tags: Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) }, /at most 49/],
    [{ Colour: 'blue' }, /Colour "blue".*not a property of Custom::Workspace/],
  ])('rejects %j naming the property and the value', (override, message) => {
    expect(() => parseProperties({ ...PROPS, ...override })).toThrow(message);
  });

  test('treats an absent tag value as the empty string', () => {
    expect(parseProperties({ ...PROPS, Tags: [{ Key: 'flag' }] }).tags).toEqual([{ Key: 'flag', Value: '' }]);
  });
});

describe('replacementChanges', () => {
  const desired = parseProperties(PROPS);

  test('is empty when only in-place properties change', () => {
    expect(replacementChanges(desired, { ...PROPS, WorkspaceProperties: { RunningMode: 'ALWAYS_ON' }, Tags: [{ Key: 'a', Value: 'b' }] }))
      .toEqual([]);
  });

  test('names each property that needs a new WorkSpace', () => {
    expect(replacementChanges(desired, { ...PROPS, BundleId: 'wsb-87654321', UserVolumeEncryptionEnabled: 'true' }))
      .toEqual(['BundleId', 'UserVolumeEncryptionEnabled']);
  });

  test('treats an absent encryption flag as "false"', () => {
    expect(replacementChanges(desired, { ...PROPS, RootVolumeEncryptionEnabled: 'false' })).toEqual([]);
  });
});

describe('lenient readers', () => {
  test('previousTagKeys lists the declared keys, never the ownership key', () => {
    expect(previousTagKeys({ Tags: [{ Key: 'a', Value: '1' }, { Key: 'cdk-workspaces:owner', Value: 'x' }] })).toEqual(['a']);
    expect(previousTagKeys(undefined)).toEqual([]);
  });

  test('readTimeoutSeconds falls back to the default instead of failing a Delete', () => {
    expect(readTimeoutSeconds({ TimeoutSeconds: '120' })).toBe(120);
    expect(readTimeoutSeconds({ TimeoutSeconds: 'nonsense' })).toBe(3300);
  });
});

