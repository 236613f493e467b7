import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findOtherManagers, handOverAdvice } from '../../../src/live/other-managers.js';

const dirs: string[] = [];
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'tunform-om-'));
  dirs.push(d);
  return d;
};
afterEach(() => dirs.splice(0).forEach((d) => rmSync(d, { recursive: true, force: true })));

describe('other managers of a device', () => {
  it('GIVEN a networkd .netdev and a NetworkManager keyfile WHEN searched THEN each declared name is found with its file', async () => {
    const nd = tempDir();
    const nm = tempDir();
    writeFileSync(join(nd, '10-a.netdev'), '[NetDev]\nName=vpn0\nKind=tun\n');
    writeFileSync(join(nd, '10-b.netdev'), '[NetDev]\nName=other\nKind=tap\n');
    writeFileSync(join(nm, 'vpn1.nmconnection'), '[connection]\nid=office vpn\ntype=tun\ninterface-name=vpn1\n');
    const found = await findOtherManagers(['vpn0', 'vpn1', 'vpn2'], { networkd: [nd], networkManager: [nm] });
    expect(found).toEqual([
      { name: 'vpn0', manager: 'systemd-networkd', file: join(nd, '10-a.netdev') },
      { name: 'vpn1', manager: 'NetworkManager', file: join(nm, 'vpn1.nmconnection'), connection: 'office vpn' },
    ]);
    expect(handOverAdvice(found[1]!)).toBe(
      `'vpn1' is still declared by NetworkManager (connection 'office vpn', ${join(nm, 'vpn1.nmconnection')}), which may reconfigure it behind tunform's back; to hand it over, run 'nmcli device set vpn1 managed no', then delete that connection file (deleting an active connection would remove the device)`,
    );
  });

  it('GIVEN directories that do not exist WHEN searched THEN nothing is found and nothing fails', async () => {
    expect(await findOtherManagers(['vpn0'], { networkd: ['/nonexistent/tunform'], networkManager: [] })).toEqual([]);
  });
});
