/**
 * A tap device for a VM run by an unprivileged user: vnetHeader for virtio-net
 * offloads, owned by `nobody` so qemu can attach without CAP_NET_ADMIN.
 *
 *   TUNFORM_NETNS=lab npx cdktf deploy --app 'npx tsx examples/vm-tap/main.ts' --auto-approve
 */
import { App, TerraformStack } from 'cdktf';
import { TunformHost, TunNetdev } from '../../constructs/index.js';
import { exampleNetns } from '../netns.js';

const app = new App();
const stack = new TerraformStack(app, 'vm-tap');
new TunformHost(stack, 'host', { netns: exampleNetns(app) });

new TunNetdev(stack, 'vm0', {
  name: 'tap-vm0',
  mode: 'tap',
  vnetHeader: true,
  multiQueue: true,
  user: 'nobody',
  mtu: 9000,
  addresses: ['192.168.122.1/24'],
});

app.synth();
