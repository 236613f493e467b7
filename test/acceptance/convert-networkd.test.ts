/**
 * `tunform convert --from-networkd` against networkd's own parser: the same
 * files are given to Debian's systemd-networkd in a throwaway namespace, which
 * creates and configures the devices; the converted spec, after `tunform
 * import`, must match them exactly (`tunform drift` exits 0).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireBuiltCli, runTunform } from '../support/cli.js';
import { createNetns, destroyNetns } from '../support/netns.js';
import { addresses, eventually, link, maybeLink } from '../support/traffic.js';
import { startNetworkd, type Networkd } from '../support/networkd.js';
import { skipUnlessRoot } from '../support/require-root.js';

const FILES: Record<string, string> = {
  '10-nt0.netdev': '[NetDev]\nName=nt0\nKind=tun\nDescription=office vpn\n\n[Tun]\nMultiQueue=yes\nUser=nobody\n',
  '10-nt0.network':
    '[Match]\nName=nt0\n\n[Network]\nConfigureWithoutCarrier=yes\nAddress=172.31.5.1/24\nAddress=FD00:5::1/64\nDNS=192.0.2.53\nLinkLocalAddressing=no\nIPv6AcceptRA=no\n\n[Link]\nMTUBytes=1400\n',
  '20-nt1.netdev': '[NetDev]\nName=nt1\nKind=tap\nMTUBytes=4000\n\n[Tap]\nVNetHeader=yes\nPacketInfo=yes\n',
  '20-nt1.network': '[Match]\nName=nt1\n\n[Network]\nConfigureWithoutCarrier=yes\nAddress=172.31.6.1/24\nLinkLocalAddressing=no\n\n[Link]\nMTUBytes=9000\n',
  '30-nt2.netdev': '[NetDev]\nName=nt2\nKind=tun\n',
  '40-ntbr.netdev': '[NetDev]\nName=ntbr\nKind=bridge\n',
};

let ns = '';
let conf = '';
let nd: Networkd | undefined;

describe.skipIf(skipUnlessRoot())('acceptance: convert --from-networkd matches what networkd builds', () => {
  beforeAll(() => {
    requireBuiltCli();
    conf = mkdtempSync(join(tmpdir(), 'tunform-networkd-'));
    for (const [name, text] of Object.entries(FILES)) writeFileSync(join(conf, name), text);
    ns = createNetns('nd');
  });
  afterAll(async () => {
    await nd?.stop();
    destroyNetns(ns);
    rmSync(conf, { recursive: true, force: true });
  });

  it('GIVEN networkd has built its devices WHEN the converted spec is imported THEN drift exits 0', async () => {
    nd = startNetworkd(ns, conf);
    await eventually(() => {
      if (nd!.child.exitCode !== null) throw new Error(`systemd-networkd exited: ${nd!.log().slice(-2000)}`);
      const nt0 = maybeLink(ns, 'nt0');
      const nt1 = maybeLink(ns, 'nt1');
      const done =
        nt0?.flags.includes('UP') && addresses(ns, 'nt0').length === 2 && (nt0 as { mtu?: number }).mtu === 1400 && nt1?.flags.includes('UP') && addresses(ns, 'nt1').length === 1 && (nt1 as { mtu?: number }).mtu === 9000 && maybeLink(ns, 'nt2');
      return done ? true : undefined;
    }, 'systemd-networkd to configure nt0, nt1 and nt2', 30_000);

    const converted = await runTunform(['convert', '--from-networkd', conf]);
    expect(converted.code, converted.stderr).toBe(0);
    const out = converted.stdout;
    expect(out).toContain(`# not carried over: [Network] DNS=192.0.2.53 (${join(conf, '10-nt0.network')}:8): tunform does not manage DNS`);
    expect(out).toContain(`# not carried over: [NetDev] Description=office vpn (${join(conf, '10-nt0.netdev')}:4): `);
    expect(out).toContain('no .network file matches this device: networkd leaves it down and unconfigured (up: false)');
    expect(out).toContain(`# not carried over: [NetDev] MTUBytes=4000 (${join(conf, '20-nt1.netdev')}:4): networkd ignores MTUBytes= in a tun/tap .netdev`);
    expect(out).not.toContain('ntbr');
    const spec = join(conf, 'converted.yaml');
    writeFileSync(spec, out);

    const before = await runTunform(['drift', '-f', spec, '--netns', ns]);
    expect(before.code).toBe(2); // networkd's devices carry no marker: conflicts until imported
    const imported = await runTunform(['import', '-f', spec, '--netns', ns]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain('Import complete: 3 device(s) adopted.');
    expect(imported.stdout).toContain('No changes. Live state matches the spec.');

    const drift = await runTunform(['drift', '-f', spec, '--netns', ns]);
    expect(drift.code, drift.stdout + drift.stderr).toBe(0);
    expect(link(ns, 'nt1').linkinfo?.info_data).toMatchObject({ type: 'tap', pi: true, vnet_hdr: true });
  });
});
