/**
 * Multi-queue tun devices for a packet-processing application (one worker
 * thread per queue): ingress and egress, carrier kept up while the workers
 * restart, a larger MTU, no addresses managed on the egress side.
 *
 *   TUNFORM_NETNS=lab npx cdktf deploy --app 'npx tsx examples/packet-processing/main.ts' --auto-approve
 */
import { App, TerraformStack } from 'cdktf';
import { TunformHost, TunNetdev } from '../../constructs/index.js';
import { exampleNetns } from '../netns.js';

const app = new App();
const stack = new TerraformStack(app, 'packet-processing');
new TunformHost(stack, 'host', { netns: exampleNetns(app) });

const common = { mode: 'tun', multiQueue: true, keepCarrier: true, mtu: 9000 } as const;
new TunNetdev(stack, 'ingress', { ...common, name: 'pp-in', addresses: ['10.200.0.1/24', 'fd00:200::1/64'] });
new TunNetdev(stack, 'egress', { ...common, name: 'pp-out' });

app.synth();
