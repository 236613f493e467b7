/**
 * The systemd PR 30504 scenario: a VPN's multi-queue tun device whose carrier
 * stays up while the VPN daemon restarts, without the holder eating packets.
 *
 *   TUNFORM_NETNS=lab npx cdktf deploy --auto-approve
 */
import { App, TerraformStack } from 'cdktf';
import { TunformHost, TunNetdev } from '../../constructs/index.js';
import { exampleNetns } from '../netns.js';

const app = new App();
const stack = new TerraformStack(app, 'vpn-keepcarrier');
new TunformHost(stack, 'host', { netns: exampleNetns(app) });

new TunNetdev(stack, 'tun-test', {
  name: 'tun-test',
  mode: 'tun',
  multiQueue: true,
  keepCarrier: true,
  addresses: ['172.31.0.1/24'],
});

app.synth();
