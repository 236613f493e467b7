/**
 * A fleet: the same VPN device on three machines, each reached over SSH by
 * its own tunform, in one deploy. Each TunformHost is one provider alias;
 * Terraform applies the hosts in parallel.
 *
 *   TUNFORM_FLEET_HOSTS=root@203.0.113.7,root@203.0.113.8,root@203.0.113.9 \
 *   TUNFORM_FLEET_KNOWN_HOSTS=./known_hosts TUNFORM_FLEET_KEY=~/.ssh/fleet_ed25519 \
 *   npx cdktf deploy --app 'npx tsx examples/fleet/main.ts' --auto-approve
 */
import { App, TerraformStack } from 'cdktf';
import { TunformHost, TunNetdev, type TunformSshProps } from '../../constructs/index.js';

const DEFAULT_HOSTS = 'root@192.0.2.11,root@192.0.2.12,root@192.0.2.13';

/** `user@host[:port]` entries from the environment (documentation addresses by default, so synth works anywhere). */
function hosts(): TunformSshProps[] {
  const list = (process.env.TUNFORM_FLEET_HOSTS ?? DEFAULT_HOSTS).split(',').filter(Boolean);
  return list.map((entry) => {
    const m = /^(?:([^@]+)@)?([^:]+)(?::(\d+))?$/.exec(entry.trim());
    if (!m) throw new Error(`TUNFORM_FLEET_HOSTS: '${entry}' is not user@host[:port]`);
    return {
      host: m[2]!,
      ...(m[1] !== undefined ? { user: m[1] } : {}),
      ...(m[3] !== undefined ? { port: Number(m[3]) } : {}),
      ...(process.env.TUNFORM_FLEET_KNOWN_HOSTS ? { knownHostsPath: process.env.TUNFORM_FLEET_KNOWN_HOSTS } : {}),
      ...(process.env.TUNFORM_FLEET_KEY ? { privateKeyPath: process.env.TUNFORM_FLEET_KEY } : {}),
    };
  });
}

const app = new App();
const stack = new TerraformStack(app, 'fleet');
hosts().forEach((ssh, i) => {
  const host = new TunformHost(stack, `host${i + 1}`, { ssh });
  new TunNetdev(stack, `vpn${i + 1}`, { host, name: 'tun-vpn', mode: 'tun', multiQueue: true, keepCarrier: true, addresses: [`172.31.${i + 1}.1/24`] });
});

app.synth();
