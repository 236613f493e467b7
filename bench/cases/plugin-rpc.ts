/**
 * What one gRPC call costs the plugin, against what it costs a bare
 * node:http2 server. An in-sync `terraform plan` of N resources makes about
 * 4 N calls (ValidateResourceConfig, UpgradeResourceState, ReadResource,
 * PlanResourceChange) while the floor's terraform_data is served inside
 * Terraform; this row says how much of that per-call cost is Node's HTTP/2
 * and TLS, which any plugin written for Node pays, and how much is
 * tunform's (grpc-js, protobuf, cty/msgpack, the handler).
 *
 * Both servers run as their own process with the same AutoMTLS setup (a
 * fresh P-256 certificate, the client's certificate required) on a unix
 * socket, and get the same calls from one grpc-js client in this process:
 * CALLS ValidateResourceConfig requests for one device, TERRAFORM_PARALLELISM
 * in flight, after WARMUP untimed calls. What is measured is the server
 * process's CPU time (utime + stime from /proc/PID/stat) across the timed
 * calls, per call. The bare server answers every call with an empty
 * ValidateResourceConfig.Response without decoding the request.
 */
import type { ChildProcess } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { connectPlugin, type PluginClient } from '../../src/provider/protocol/client.js';
import { createServerCertificate } from '../../src/provider/protocol/server-cert.js';
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE } from '../../src/provider/protocol/handshake.js';
import { encodeDynamic, schemaType } from '../../src/provider/protocol/wire.js';
import { resourceSchema } from '../../src/provider/tunform/schema.js';
import { RESOURCE_TYPE } from '../../src/provider/address.js';
import { paired, spawnUntil, stats, stop, work } from '../lib/env.js';
import { install } from './provider.js';
import { ratioRow, type Row } from '../lib/report.js';
import type { Ctx } from './core.js';

const CALLS = 2000;
const WARMUP = 300;
/** Terraform's default -parallelism: calls in flight. */
const TERRAFORM_PARALLELISM = 10;
const CLOCK_TICKS_PER_S = 100;

/** A server that speaks just enough gRPC: every call gets an empty message and grpc-status 0. */
const BARE_SERVER = `
const http2 = require('node:http2');
const { writeFileSync } = require('node:fs');
const [socket, keyPem, certPem, clientPem] = process.argv.slice(2);
const EMPTY = Buffer.alloc(5);
const server = http2.createSecureServer({ key: keyPem, cert: certPem, ca: clientPem, requestCert: true, rejectUnauthorized: true });
server.on('stream', (stream) => {
  stream.on('data', () => {});
  stream.on('end', () => {
    stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.end(EMPTY);
  });
});
server.listen(socket, () => process.stdout.write('listening\\n'));
`;

interface Server {
  readonly child: ChildProcess;
  readonly client: PluginClient;
}

const cpuTicks = (pid: number): number => {
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return Number(fields[11]) + Number(fields[12]);
};

async function startPlugin(launcher: string, clientCert: ReturnType<typeof createServerCertificate>): Promise<Server> {
  const env = ['env', `${MAGIC_COOKIE_KEY}=${MAGIC_COOKIE_VALUE}`, 'PLUGIN_PROTOCOL_VERSIONS=6', `PLUGIN_CLIENT_CERT=${clientCert.certPem}`];
  const { child, out } = await spawnUntil([...env, launcher], '|grpc|');
  const [, , , socket, , cert] = out().split('\n')[0]!.trimEnd().split('|');
  const serverCertPem = new X509Certificate(Buffer.from(cert!, 'base64')).toString();
  return { child, client: connectPlugin(socket!, { serverCertPem, clientKeyPem: clientCert.keyPem, clientCertPem: clientCert.certPem }) };
}

async function startBare(clientCert: ReturnType<typeof createServerCertificate>): Promise<Server> {
  const script = join(work(), 'bare-grpc-server.cjs');
  writeFileSync(script, BARE_SERVER);
  const socket = join(work(), `bare-grpc-${process.pid}-${Date.now()}.sock`);
  const server = createServerCertificate();
  const { child } = await spawnUntil([process.execPath, script, socket, server.keyPem, server.certPem, clientCert.certPem], 'listening');
  return { child, client: connectPlugin(socket, { serverCertPem: server.certPem, clientKeyPem: clientCert.keyPem, clientCertPem: clientCert.certPem }) };
}

/** The request Terraform sends to validate one tun device with one address. */
function validateRequest(): Record<string, unknown> {
  const schema = resourceSchema();
  const config = Object.fromEntries(schema.attributes.map((a) => [a.name, null])) as Record<string, unknown>;
  Object.assign(config, { name: 'bt0', mode: 'tun', addresses: ['10.64.0.1/24'] });
  return { type_name: RESOURCE_TYPE, config: encodeDynamic(config as never, schemaType(schema)) };
}

async function calls(client: PluginClient, count: number, request: Record<string, unknown>): Promise<void> {
  let left = count;
  await Promise.all(
    Array.from({ length: TERRAFORM_PARALLELISM }, async () => {
      while (left-- > 0) await client.call('ValidateResourceConfig', request);
    }),
  );
}

/** µs of the server's CPU per call over CALLS calls, after WARMUP. */
async function perCall(start: () => Promise<Server>, request: Record<string, unknown>): Promise<number> {
  const s = await start();
  try {
    await calls(s.client, WARMUP, request);
    const before = cpuTicks(s.child.pid!);
    await calls(s.client, CALLS, request);
    const ticks = cpuTicks(s.child.pid!) - before;
    return ((ticks / CLOCK_TICKS_PER_S) * 1e6) / CALLS;
  } finally {
    s.client.close();
    await stop(s.child, 'SIGTERM');
  }
}

export async function casePluginRpc(ctx: Ctx): Promise<Row[]> {
  const { launcher } = install();
  const clientCert = createServerCertificate();
  const request = validateRequest();
  ctx.log(`plugin-rpc: ${CALLS} ValidateResourceConfig calls per run, ${TERRAFORM_PARALLELISM} in flight`);
  const t = await paired(
    Math.max(ctx.runs, 5),
    () => perCall(() => startPlugin(launcher, clientCert), request),
    () => perCall(() => startBare(clientCert), request),
  );
  const s = stats(t.subject);
  const b = stats(t.baseline);
  return [
    ratioRow(
      {
        case: 'plugin-rpc',
        metric: 'server CPU per gRPC call',
        n: CALLS,
        unit: 'µs',
        subjectLabel: 'the installed plugin answering ValidateResourceConfig (grpc-js, protobuf, msgpack, the validator)',
        subject: s,
        baselineLabel: 'a bare node:http2 server, same mTLS, answering an empty message',
        baseline: b,
        target: 'informational',
        note: `at 4 calls per resource, an in-sync plan of 1000 resources costs the plugin about ${((4000 * s.median) / 1e6).toFixed(1)} s of CPU, ${((4000 * b.median) / 1e6).toFixed(1)} s of it Node's HTTP/2 and TLS alone`,
      },
      null,
    ),
  ];
}
