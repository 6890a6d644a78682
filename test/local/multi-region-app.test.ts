// The multi-Region example (multi-region-app.ts): its DNS stack names both associations in a
// failover pair, and its two Regions' stacks deploy through the runners against two linked local
// endpoints. Needs the bundle: `npx projen bundle` first.
import { Template } from 'aws-cdk-lib/assertions';
import { CONNECTION_STRING, multiRegionApp, REGIONS } from './multi-region-app';
import { twoRegions } from './two-region-helpers';

test('the DNS stack is a TXT failover pair naming each Region\'s association, the primary one with a health check', () => {
  const { dns, primary, secondary } = multiRegionApp();
  const template = Template.fromStack(dns).toJSON();
  const records = Object.values<any>(template.Resources).filter((r) => r.Type === 'AWS::Route53::RecordSet').map((r) => r.Properties);
  expect(records.map((r) => [r.Name, r.Type, r.Failover])).toEqual([
    [`${CONNECTION_STRING}.`, 'TXT', 'PRIMARY'],
    [`${CONNECTION_STRING}.`, 'TXT', 'SECONDARY'],
  ]);
  expect(records[0].HealthCheckId).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^PrimaryHealth/), 'HealthCheckId'] });
  expect(records[1].HealthCheckId).toBeUndefined();
  // Each record's value comes from its Region's association: the primary's by an export of the
  // same Region, the secondary's by a cross-Region reference.
  const value = (r: any) => JSON.stringify(r.ResourceRecords);
  expect(value(records[0])).toMatch(/Fn::ImportValue.*AliasAssociation.*ConnectionIdentifier/);
  expect(value(records[1])).toMatch(/ExportsReader.*DesktopsSecondary.*ConnectionIdentifier|ExportsReader.*AliasAssociation.*ConnectionIdentifier/);
  // The secondary stack reads the fleet's ids from the primary's.
  expect(Object.values<any>(Template.fromStack(secondary).toJSON().Resources).filter((r) => r.Type === 'Custom::WorkspacesStandby')).toHaveLength(2);
  expect(Template.fromStack(primary).findResources('Custom::CrossRegionExportWriter')).not.toEqual({});
});

test('the example\'s two Regions deploy: the fleet, its standbys, and each Region\'s alias association with its own connection identifier', async () => {
  const { primary: primaryStack, secondary: secondaryStack } = multiRegionApp();
  const regions = await twoRegions(
    { ...REGIONS.primary, stackName: primaryStack.stackName },
    { ...REGIONS.secondary, stackName: secondaryStack.stackName },
  );
  try {
    expect(await regions.primary.stack.deploy(Template.fromStack(primaryStack).toJSON())).toMatchObject({ ok: true });
    expect(await regions.secondary.stack.deploy(Template.fromStack(secondaryStack).toJSON())).toMatchObject({ ok: true });
    expect(regions.secondary.endpoint.standbyInventory().map((s) => s.UserName).sort()).toEqual(['alice', 'bob']);
    const identifiers = [regions.primary, regions.secondary].map((r) => {
      const [alias] = r.endpoint.aliasInventory();
      expect(alias.ConnectionString).toBe(CONNECTION_STRING);
      const association = [...r.stack.resources.values()].find((x) => x.type === 'Custom::WorkspacesConnectionAliasAssociation')!;
      expect(association.data.ConnectionIdentifier).toBe(alias.Associations![0].ConnectionIdentifier);
      return association.data.ConnectionIdentifier;
    });
    // Two associations, two identifiers: the DNS record decides which one users reach.
    expect(new Set(identifiers).size).toBe(2);
    // The IP group of each Region is associated with that Region's directory.
    expect(regions.secondary.endpoint.ipGroupInventory()).toEqual([expect.objectContaining({ Directories: [REGIONS.secondary.directoryId] })]);
  } finally {
    await regions.stop();
  }
}, 120_000);
