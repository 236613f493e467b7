// One app, two libraries: `node library.mjs cdktf|cdktn OUTDIR` synthesizes
// stack `lib` with the library named in argv and the constructs entry that
// matches it, as a user's app would import them (the package refers to
// itself by name). Devices: TUNFORM_E2E_DEVICES (JSON array of TunNetdev
// props); host: TUNFORM_NETNS, TUNFORM_BACKEND.
const [library, outdir] = process.argv.slice(2);
const entry = { cdktf: 'tunform/constructs', cdktn: 'tunform/constructs/cdktn' }[library];
if (!entry || !outdir) throw new Error('usage: node library.mjs cdktf|cdktn OUTDIR');
const { App, TerraformStack } = await import(library);
const { TunformHost, TunNetdev } = await import(entry);

const app = new App({ outdir });
const stack = new TerraformStack(app, 'lib');
const host = {};
if (process.env.TUNFORM_NETNS) host.netns = process.env.TUNFORM_NETNS;
if (process.env.TUNFORM_BACKEND) host.backend = process.env.TUNFORM_BACKEND;
new TunformHost(stack, 'host', host);
for (const props of JSON.parse(process.env.TUNFORM_E2E_DEVICES ?? '[]')) new TunNetdev(stack, props.name, props);
app.synth();
