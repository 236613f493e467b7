/**
 * A cdktf app for the e2e tests: stack `e2e` with the devices given as JSON
 * in env TUNFORM_E2E_DEVICES (an array of TunNetdev props; the construct id
 * is the device name), in namespace TUNFORM_NETNS, with the host's backend
 * TUNFORM_BACKEND (default: the constructs' default).
 */
import { App, TerraformStack } from 'cdktf';
import { TunformHost, TunNetdev, type TunformBackend, type TunNetdevProps } from '../../../constructs/index.js';

const app = new App();
const stack = new TerraformStack(app, 'e2e');
const { TUNFORM_NETNS: netns, TUNFORM_BACKEND: backend } = process.env;
new TunformHost(stack, 'host', { ...(netns ? { netns } : {}), ...(backend ? { backend: backend as TunformBackend } : {}) });
const devices = JSON.parse(process.env.TUNFORM_E2E_DEVICES ?? '[]') as TunNetdevProps[];
for (const props of devices) new TunNetdev(stack, props.name, props);
app.synth();
