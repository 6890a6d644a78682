// The service's input rules for IP access control groups and connection aliases, as plain
// functions on plain values: the constructs apply them at synth time and the handler again (a
// template can be written by hand), so this file must not import aws-cdk-lib.
import { InputError } from './rules';

export const IP_GROUP_ID_PATTERN = /^wsipg-[0-9a-z]{8,63}$/;
export const ALIAS_ID_PATTERN = /^wsca-[0-9a-z]{8,63}$/;
/** ConnectionString of CreateConnectionAlias: a fully qualified domain name, 1 to 255 characters. */
export const CONNECTION_STRING_PATTERN = /^[.0-9a-zA-Z-]{1,255}$/;

/** The most rules an IP access control group holds (the Administration Guide's WorkSpaces quotas). */
export const MAX_IP_RULES = 10;
/** The most IP access control groups one directory can be associated with (the Administration Guide). */
export const MAX_IP_GROUPS_PER_DIRECTORY = 25;

export function checkIpGroupId(prop: string, value: string): void {
  if (!IP_GROUP_ID_PATTERN.test(value)) {
    throw new InputError(prop, value, `must match ${IP_GROUP_ID_PATTERN.source} (an IP access control group id such as "wsipg-12345678")`);
  }
}

export function checkAliasId(prop: string, value: string): void {
  if (!ALIAS_ID_PATTERN.test(value)) {
    throw new InputError(prop, value, `must match ${ALIAS_ID_PATTERN.source} (a connection alias id such as "wsca-12345678")`);
  }
}

export function checkConnectionString(prop: string, value: string): void {
  if (!CONNECTION_STRING_PATTERN.test(value)) {
    throw new InputError(prop, value, `must match ${CONNECTION_STRING_PATTERN.source}: a fully qualified domain name such as `
      + '"desktop.example.com", 1 to 255 characters');
  }
  const labels = value.split('.');
  if (labels.length < 2 || labels.some((label) => label.length === 0 || label.length > 63 || label.startsWith('-') || label.endsWith('-'))) {
    throw new InputError(prop, value, 'must be a fully qualified domain name such as "desktop.example.com": at least two labels '
      + 'separated by dots, each 1 to 63 characters, none starting or ending with a hyphen');
  }
}

/** An IPv4 range in CIDR notation, read: its network address and prefix length. */
export interface Cidr {
  readonly network: string;
  readonly prefixLength: number;
}

/**
 * Reads an IPv4 CIDR range such as `203.0.113.0/24` (IP access control groups take IPv4 ranges
 * only). A range whose address has bits set beyond the prefix is refused: it names a network the
 * user did not write, and the message says which one was probably meant.
 */
export function parseCidr(prop: string, value: string): Cidr {
  const match = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/.exec(value);
  const rule = 'must be an IPv4 range in CIDR notation, such as "203.0.113.0/24" (a single address is "203.0.113.7/32")';
  if (!match) {
    throw new InputError(prop, value, rule);
  }
  const octets = match.slice(1, 5).map(Number);
  const prefixLength = Number(match[5]);
  if (octets.some((o, i) => o > 255 || (match[i + 1].length > 1 && match[i + 1].startsWith('0'))) || prefixLength > 32) {
    throw new InputError(prop, value, `${rule}: each number of the address 0 to 255 without leading zeros, the prefix length 0 to 32`);
  }
  const address = octets.reduce((acc, o) => acc * 256 + o, 0);
  const size = 2 ** (32 - prefixLength);
  const network = address - (address % size);
  if (network !== address) {
    throw new InputError(prop, value, `${rule}: the address has bits set beyond the /${prefixLength} prefix; `
      + `the range it lies in is "${formatAddress(network)}/${prefixLength}"`);
  }
  return { network: formatAddress(network), prefixLength };
}

function formatAddress(address: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(address / 2 ** shift) % 256).join('.');
}
