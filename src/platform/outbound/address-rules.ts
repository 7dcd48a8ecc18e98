import ipaddr from 'ipaddr.js';

/**
 * Address rules of the outbound guard (contracts §2): a destination a tenant configures may not reach this
 * machine, the private network or the cloud metadata service. Ranges by ipaddr.js's classification, with
 * IPv4-mapped IPv6 addresses judged as the IPv4 address they carry.
 */
const FORBIDDEN_V4 = new Set(['unspecified', 'broadcast', 'multicast', 'linkLocal', 'loopback', 'carrierGradeNat', 'private', 'reserved']);
const FORBIDDEN_V6 = new Set(['unspecified', 'linkLocal', 'multicast', 'loopback', 'uniqueLocal', 'reserved', 'benchmarking', 'discard', 'orchid2', 'as112v6']);
/** Cloud metadata endpoints outside the ranges above (AWS IPv6, Alibaba). 169.254.169.254 is link-local already. */
const METADATA = ['fd00:ec2::254', '100.100.100.200'].map((a) => ipaddr.parse(a).toString());

/** Why an address is refused, or null when a destination may use it. */
export function forbiddenAddressReason(address: string): string | null {
  if (!ipaddr.isValid(address)) return `not an IP address: ${address}`;
  let ip = ipaddr.parse(address);
  if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
  if (METADATA.includes(ip.toString())) return `${address} is a cloud metadata address`;
  const range = ip.range();
  if (ip.kind() === 'ipv4' ? FORBIDDEN_V4.has(range) : FORBIDDEN_V6.has(range)) return `${address} is a ${rangeLabel(range)} address`;
  // 6to4 / Teredo / NAT64 tunnels embed an IPv4 address that could be private
  if (ip.kind() === 'ipv6' && ['6to4', 'teredo', 'rfc6052', 'rfc6145'].includes(range)) return `${address} is a tunnelled (${range}) address`;
  return null;
}

function rangeLabel(range: string): string {
  return (
    (
      {
        loopback: 'loopback',
        private: 'private (RFC 1918)',
        uniqueLocal: 'unique local (ULA)',
        linkLocal: 'link-local',
        carrierGradeNat: 'carrier-grade NAT',
        unspecified: 'unspecified',
      } as Record<string, string>
    )[range] ?? `${range}`
  );
}

/**
 * `OUTBOUND_ALLOW_HOSTS`: comma-separated host names, IP addresses or CIDR ranges exempt from the guard
 * (tests and development reach fake servers on 127.0.0.1 through it).
 */
export class AllowList {
  private readonly hosts = new Set<string>();
  private readonly ranges: [ipaddr.IPv4 | ipaddr.IPv6, number][] = [];

  constructor(spec: string) {
    for (const raw of spec.split(',')) {
      const item = raw.trim().toLowerCase();
      if (!item) continue;
      if (item.includes('/')) this.ranges.push(ipaddr.parseCIDR(item));
      else if (ipaddr.isValid(item)) this.ranges.push([ipaddr.parse(item), ipaddr.parse(item).kind() === 'ipv4' ? 32 : 128]);
      else this.hosts.add(item.replace(/\.$/, ''));
    }
  }

  get empty(): boolean {
    return this.hosts.size === 0 && this.ranges.length === 0;
  }

  /** A host name (as written in the URL, brackets removed) on the list. */
  allowsHost(host: string): boolean {
    const h = host.toLowerCase().replace(/\.$/, '');
    if (this.hosts.has(h)) return true;
    return ipaddr.isValid(h) && this.allowsAddress(h);
  }

  allowsAddress(address: string): boolean {
    if (!ipaddr.isValid(address)) return false;
    let ip = ipaddr.parse(address);
    if (ip.kind() === 'ipv6' && (ip as ipaddr.IPv6).isIPv4MappedAddress()) ip = (ip as ipaddr.IPv6).toIPv4Address();
    return this.ranges.some(([net, bits]) => net.kind() === ip.kind() && ip.match(net, bits));
  }
}
