import { AllowList, forbiddenAddressReason } from './address-rules';

describe('outbound address rules', () => {
  it.each([
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['::1', 'loopback'],
    ['10.0.0.1', 'private (RFC 1918)'],
    ['172.16.5.4', 'private (RFC 1918)'],
    ['172.31.255.255', 'private (RFC 1918)'],
    ['192.168.1.1', 'private (RFC 1918)'],
    ['169.254.169.254', 'link-local'],
    ['fe80::1', 'link-local'],
    ['fd12:3456::1', 'unique local (ULA)'],
    ['0.0.0.0', 'unspecified'],
    ['::', 'unspecified'],
    ['::ffff:10.0.0.1', 'private (RFC 1918)'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['100.64.0.1', 'carrier-grade NAT'],
  ])('refuses %s (%s)', (address, label) => {
    expect(forbiddenAddressReason(address)).toBe(`${address} is a ${label} address`);
  });

  it('refuses cloud metadata addresses outside the link-local range', () => {
    expect(forbiddenAddressReason('fd00:ec2::254')).toBe('fd00:ec2::254 is a cloud metadata address');
    expect(forbiddenAddressReason('100.100.100.200')).toBe('100.100.100.200 is a cloud metadata address');
  });

  it('refuses multicast, broadcast and 6to4 tunnels', () => {
    expect(forbiddenAddressReason('224.0.0.1')).not.toBeNull();
    expect(forbiddenAddressReason('255.255.255.255')).not.toBeNull();
    expect(forbiddenAddressReason('2002:0a00:0001::1')).toBe('2002:0a00:0001::1 is a tunnelled (6to4) address');
  });

  it.each(['93.184.215.14', '8.8.8.8', '172.32.0.1', '2606:4700::6810:85e5', '::ffff:8.8.8.8'])('accepts public %s', (address) => {
    expect(forbiddenAddressReason(address)).toBeNull();
  });

  it('says when the input is not an address', () => {
    expect(forbiddenAddressReason('example.com')).toBe('not an IP address: example.com');
  });

  it('allow-lists host names, addresses and CIDR ranges', () => {
    const list = new AllowList(' localhost , 127.0.0.1,10.1.0.0/16,fd00::/8, Hooks.Internal. ');
    expect(list.empty).toBe(false);
    expect(list.allowsHost('LOCALHOST')).toBe(true);
    expect(list.allowsHost('hooks.internal')).toBe(true);
    expect(list.allowsHost('127.0.0.1')).toBe(true);
    expect(list.allowsAddress('127.0.0.1')).toBe(true);
    expect(list.allowsAddress('::ffff:127.0.0.1')).toBe(true);
    expect(list.allowsAddress('127.0.0.2')).toBe(false);
    expect(list.allowsAddress('10.1.200.3')).toBe(true);
    expect(list.allowsAddress('10.2.0.1')).toBe(false);
    expect(list.allowsAddress('fd00::5')).toBe(true);
    expect(list.allowsHost('other.internal')).toBe(false);
    expect(new AllowList('').empty).toBe(true);
  });
});
