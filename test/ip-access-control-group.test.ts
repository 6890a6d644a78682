import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { IpAccessControlGroup, IpRule, WorkspacesDirectory } from '../src';

const DIRECTORY_ID = 'd-1234567890';

function newStack(): Stack {
  return new Stack(new App(), 'Desks', { env: { account: '111122223333', region: 'eu-west-1' } });
}

function rules(count: number): IpRule[] {
  return Array.from({ length: count }, (_, i) => IpRule.cidr(`198.51.${i}.0/24`, `site ${i}`));
}

describe('IpAccessControlGroup', () => {
  test('declares CloudFormation\'s IP group with the rules as the API names them', () => {
    const stack = newStack();
    new IpAccessControlGroup(stack, 'Office', {
      rules: [IpRule.cidr('203.0.113.0/24', 'office'), IpRule.cidr('198.51.100.7/32')],
      groupName: 'office',
      description: 'Where staff connect from',
    });
    Template.fromStack(stack).hasResourceProperties('AWS::WorkSpaces::WorkspaceIpGroup', {
      GroupName: 'office',
      GroupDesc: 'Where staff connect from',
      UserRules: [{ IpRule: '203.0.113.0/24', RuleDesc: 'office' }, { IpRule: '198.51.100.7/32' }],
    });
  });

  test('without a name, the group gets one from its path, unique in the app', () => {
    const stack = newStack();
    new IpAccessControlGroup(stack, 'Office', { rules: [IpRule.cidr('203.0.113.0/24')] });
    const [group] = Object.values(Template.fromStack(stack).findResources('AWS::WorkSpaces::WorkspaceIpGroup'));
    expect(group.Properties.GroupName).toMatch(/^DesksOffice[0-9A-F]{8}$/);
  });

  test('a directory takes the group: its id reaches IpGroupIds, and the registration waits for the group', () => {
    const stack = newStack();
    const office = new IpAccessControlGroup(stack, 'Office', { rules: [IpRule.cidr('203.0.113.0/24')] });
    const partner = IpAccessControlGroup.fromGroupId(stack, 'Partner', 'wsipg-abcdef12');
    new WorkspacesDirectory(stack, 'Directory', { directoryId: DIRECTORY_ID, ipGroups: [office, partner] });
    const template = Template.fromStack(stack);
    const [groupId] = Object.keys(template.findResources('AWS::WorkSpaces::WorkspaceIpGroup'));
    template.hasResourceProperties('Custom::WorkspacesDirectory', {
      IpGroupIds: [{ 'Fn::GetAtt': [groupId, 'GroupId'] }, 'wsipg-abcdef12'],
    });
  });

  test('the ARN of a declared group is CloudFormation\'s; an imported one\'s is built in the stack\'s Region', () => {
    const stack = newStack();
    const office = new IpAccessControlGroup(stack, 'Office', { rules: [IpRule.cidr('203.0.113.0/24')] });
    const partner = IpAccessControlGroup.fromGroupId(stack, 'Partner', 'wsipg-abcdef12');
    expect(stack.resolve(office.groupArn)).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^Office/), 'Arn'] });
    expect(stack.resolve(partner.groupArn)).toEqual({
      'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':workspaces:eu-west-1:111122223333:workspaceipgroup/wsipg-abcdef12']],
    });
  });

  test('10 rules are allowed; 11 fail, naming the construct, the prop, the count and the quota', () => {
    new IpAccessControlGroup(newStack(), 'Office', { rules: rules(10) });
    expect(() => new IpAccessControlGroup(newStack(), 'Office', { rules: rules(11) }))
      .toThrow(/^Desks\/Office: Invalid rules: 11 rules \(198\.51\.0\.0\/24, .*\); a group holds at most 10 \(the service's quota\)/);
  });

  test.each([
    ['203.0.113.0', 'must be an IPv4 range in CIDR notation'],
    ['203.0.113.0/33', 'the prefix length 0 to 32'],
    ['256.0.113.0/24', 'each number of the address 0 to 255'],
    ['203.0.113.07/32', 'without leading zeros'],
    ['2001:db8::/32', 'must be an IPv4 range in CIDR notation'],
    ['office', 'must be an IPv4 range in CIDR notation'],
  ])('the rule %s fails at synth time: %s', (cidr, rule) => {
    expect(() => new IpAccessControlGroup(newStack(), 'Office', { rules: [IpRule.cidr('198.51.100.0/24'), IpRule.cidr(cidr, 'vpn')] }))
      .toThrow(`Desks/Office: Invalid rules[1] ${JSON.stringify(cidr)}: `);
    expect(() => new IpAccessControlGroup(newStack(), 'Office', { rules: [IpRule.cidr(cidr, 'vpn')] }))
      .toThrow(new RegExp(`${rule.replace(/[()]/g, '\\$&')}.*\\(rule "${cidr.replace(/[./]/g, '\\$&')}" "vpn"\\)$`));
  });

  test('an address with host bits beyond its prefix fails, saying which range it lies in', () => {
    expect(() => new IpAccessControlGroup(newStack(), 'Office', { rules: [IpRule.cidr('203.0.113.77/24', 'office')] }))
      .toThrow('Desks/Office: Invalid rules[0] "203.0.113.77/24": must be an IPv4 range in CIDR notation, such as "203.0.113.0/24" '
        + '(a single address is "203.0.113.7/32"): the address has bits set beyond the /24 prefix; the range it lies in is '
        + '"203.0.113.0/24" (rule "203.0.113.77/24" "office")');
  });

  test('a range given twice fails, naming both rules', () => {
    expect(() => new IpAccessControlGroup(newStack(), 'Office', {
      rules: [IpRule.cidr('203.0.113.0/24', 'office'), IpRule.cidr('198.51.100.0/24'), IpRule.cidr('203.0.113.0/24', 'vpn')],
    })).toThrow('Desks/Office: Invalid rules[2] "203.0.113.0/24": the range 203.0.113.0/24 is given twice '
      + '(rules[0] "203.0.113.0/24" "office" and rules[2] "203.0.113.0/24" "vpn"); give each range once');
  });

  test('a directory with more than 25 groups, or one group twice, fails at synth time', () => {
    const stack = newStack();
    const groups = Array.from({ length: 26 }, (_, i) => IpAccessControlGroup.fromGroupId(stack, `G${i}`, `wsipg-${String(i).padStart(8, '0')}`));
    expect(() => new WorkspacesDirectory(stack, 'Directory', { directoryId: DIRECTORY_ID, ipGroups: groups }))
      .toThrow(/^Desks\/Directory: Invalid ipGroups: 26 groups \(Desks\/G0, .*\); a directory is associated with at most 25/);
    const office = new IpAccessControlGroup(stack, 'Office', { rules: [IpRule.cidr('203.0.113.0/24')] });
    expect(() => new WorkspacesDirectory(stack, 'Directory2', { directoryId: DIRECTORY_ID, ipGroups: [office, groups[0], office] }))
      .toThrow('Desks/Directory2: Invalid ipGroups[2] (Desks/Office): the same group as ipGroups[0]; give each group once');
  });
});
