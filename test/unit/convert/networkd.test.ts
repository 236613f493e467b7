import { describe, expect, it } from 'vitest';
import yaml from 'js-yaml';
import { convertNetworkd, renderConvertedYaml } from '../../../src/convert/networkd.js';

const convert = (files: Record<string, string>) => convertNetworkd(Object.entries(files).map(([path, text]) => ({ path, text })));

describe('convert --from-networkd (pure)', () => {
  it('GIVEN a tap netdev and a .network matched by an inverted glob list WHEN converted THEN flags, owner, mtu, addresses and link state carry over', () => {
    const [c] = convert({
      '/n/50-vm.netdev': '[NetDev]\nName=vm0\nKind=tap\n[Tap]\nVNetHeader=on\nMultiQueue=0\nUser=1000\nGroup=kvm\nKeepCarrier=yes\n',
      '/n/10-other.network': '[Match]\nName=!vm*\n[Network]\nAddress=10.9.9.9/24\n',
      '/n/20-vm.network': '[Match]\nName=eth0 vm?\n[Network]\nAddress=10.0.0.1/24\n[Address]\nAddress=FD00::1/64\n[Link]\nMTUBytes=9K\nActivationPolicy=always-down\n',
    });
    expect(c!.device).toEqual({
      name: 'vm0',
      mode: 'tap',
      multiQueue: false,
      vnetHeader: true,
      keepCarrier: true,
      user: 1000,
      group: 'kvm',
      addresses: ['10.0.0.1/24', 'fd00::1/64'],
      mtu: 9216,
      up: false,
    });
    expect(c!.sources).toEqual(['/n/50-vm.netdev', '/n/20-vm.network']);
    expect(c!.notes).toEqual([]);
  });

  it('GIVEN settings tunform cannot carry WHEN converted THEN each is a comment with file, line and reason, and the YAML still parses', () => {
    const converted = convert({
      '/n/a.netdev': '[Match]\nHost=box\n[NetDev]\nName=t0\nKind=tun\nMACAddress=02:00:00:00:00:01\n[Tun]\nPacketInfo=maybe\n',
      '/n/a.network': '[Match]\nName=t0\nDriver=tun\n[Network]\nAddress=10.0.0.1/24\nAddress=10.0.0.300/24\nDHCP=yes\n',
    });
    expect(converted[0]!.notes).toEqual([
      '[Tun] PacketInfo=maybe (/n/a.netdev:8): not a boolean; networkd ignores it, and so does this conversion',
      '[NetDev] MACAddress=02:00:00:00:00:01 (/n/a.netdev:6): tunform does not set MAC addresses',
      '[Match] Host=box (/n/a.netdev:2): tunform has no match conditions; the device is declared unconditionally',
      expect.stringMatching(/^Address=10\.0\.0\.300\/24 \(\/n\/a\.network:6\): not carried over: /),
      '/n/a.network: networkd configures these addresses only once the device has carrier (an application attached; no KeepCarrier=, ConfigureWithoutCarrier=no); tunform configures them at once',
      '[Network] DHCP=yes (/n/a.network:7): tunform does not run DHCP',
      '[Match] Driver=tun (/n/a.network:3): converted as if this condition held',
    ]);
    const text = renderConvertedYaml(converted, 'header');
    // Neither User= nor Group=: networkd's device is open to every local user, and the converted one says so.
    expect(yaml.load(text)).toEqual({ devices: [{ name: 't0', mode: 'tun', anyoneMayAttach: true, addresses: ['10.0.0.1/24'] }] });
    expect(text).toContain('    # networkd sets neither User= nor Group= here, so every local user may attach: anyoneMayAttach keeps that; delete it to make the device private');
    expect(text).toContain('    # not carried over: [Network] DHCP=yes (/n/a.network:7): tunform does not run DHCP\n');
  });

  it('GIVEN only non-tun netdevs WHEN converted THEN the document declares no devices', () => {
    const converted = convert({ '/n/br.netdev': '[NetDev]\nName=br0\nKind=bridge\n' });
    expect(converted).toEqual([]);
    expect(yaml.load(renderConvertedYaml(converted, 'h'))).toEqual({ devices: [] });
  });
});
