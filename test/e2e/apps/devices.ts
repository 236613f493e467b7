/**
 * A cdktf app for the e2e tests: stack `e2e` with the devices given as JSON
 * in env TUNFORM_E2E_DEVICES (an array of TunNetdev props; the construct id
 * is the device name) or, for lists too long for one environment string (the
 * benchmark's thousand), in the file named by TUNFORM_E2E_DEVICES_FILE; in
 * namespace TUNFORM_NETNS, with the host's backend TUNFORM_BACKEND (default:
 * the constructs' default). TUNFORM_E2E_SKIP_CDKTF_VALIDATION=1 (the
 * benchmark's thousand, whose names and addresses are unique by construction)
 * skips cdktf's synth-time validations: they run `terraform version` once per
 * terraform_data resource, most of a thousand devices' synth time; the
 * construct's own checks in its constructor still run.
 */
import { readFileSync } from 'node:fs';
import { App, TerraformStack } from 'cdktf';
import { TunformHost, TunNetdev, type TunformBackend, type TunNetdevProps } from '../../../constructs/index.js';

const app = new App({ skipValidation: process.env.TUNFORM_E2E_SKIP_CDKTF_VALIDATION === '1' });
const stack = new TerraformStack(app, 'e2e');
const { TUNFORM_NETNS: netns, TUNFORM_BACKEND: backend } = process.env;
new TunformHost(stack, 'host', { ...(netns ? { netns } : {}), ...(backend ? { backend: backend as TunformBackend } : {}) });
const { TUNFORM_E2E_DEVICES_FILE: devicesFile, TUNFORM_E2E_DEVICES: devicesJson } = process.env;
const devices = JSON.parse(devicesFile ? readFileSync(devicesFile, 'utf8') : (devicesJson ?? '[]')) as TunNetdevProps[];
for (const props of devices) new TunNetdev(stack, props.name, props);
app.synth();
