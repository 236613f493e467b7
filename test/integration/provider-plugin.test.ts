/**
 * The built plugin executable (bin/terraform-provider-tunform.cjs, the
 * bundle with its code cache) spoken to as Terraform does: magic cookie,
 * AutoMTLS with a client certificate, the handshake line, gRPC over the unix
 * socket, and a clean stop. No Terraform here: see
 * test/acceptance/provider-terraform.test.ts for that.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterEach, beforeAll, describe, expect, test } from 'vitest';
import { connectPlugin, type PluginClient } from '../../src/provider/protocol/client.js';
import { MAGIC_COOKIE_KEY, MAGIC_COOKIE_VALUE, NOT_STARTED_BY_TERRAFORM } from '../../src/provider/protocol/handshake.js';
import { createServerCertificate } from '../../src/provider/protocol/server-cert.js';
import { repoRoot } from '../support/cli.js';

const PLUGIN = join(repoRoot, 'bin', 'terraform-provider-tunform.cjs');
const BUNDLE = join(repoRoot, 'dist', 'tunform-provider.cjs');

interface Started {
  readonly child: ChildProcess;
  readonly line: string;
  readonly fields: string[];
  readonly exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
}

const children: ChildProcess[] = [];
const clients: PluginClient[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
});

function start(env: NodeJS.ProcessEnv): Started {
  const child = spawn(process.execPath, [PLUGIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((r) => child.on('close', (code) => r({ code, stdout, stderr })));
  return {
    child,
    exited,
    get line() {
      return stdout;
    },
    get fields() {
      return stdout.trimEnd().split('|');
    },
  };
}

async function handshake(env: NodeJS.ProcessEnv): Promise<Started> {
  const s = start(env);
  const deadline = Date.now() + 60_000;
  while (!s.line.includes('\n')) {
    if (s.child.exitCode !== null || Date.now() > deadline) throw new Error(`no handshake line; stderr: ${(await s.exited).stderr}`);
    await new Promise((r) => setTimeout(r, 10));
  }
  return s;
}

const derToPem = (b64: string) => new X509Certificate(Buffer.from(b64, 'base64')).toString();

describe('terraform-provider-tunform executable', () => {
  beforeAll(() => {
    if (!existsSync(BUNDLE)) throw new Error(`the plugin bundle is missing (${BUNDLE}); run 'npm run build' first`);
  });

  test('GIVEN no magic cookie WHEN started by hand THEN it prints its one sentence, nothing on stdout, and exits 1', async () => {
    const env = { ...process.env };
    delete env[MAGIC_COOKIE_KEY];
    const r = await start(env).exited;
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(NOT_STARTED_BY_TERRAFORM);
  });

  test('GIVEN the cookie and a client certificate WHEN started THEN the handshake line, mTLS, health and schema work and Shutdown ends it cleanly', async () => {
    // GIVEN
    const client = createServerCertificate();
    const s = await handshake({ ...process.env, [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_PROTOCOL_VERSIONS: '5,6', PLUGIN_CLIENT_CERT: client.certPem });
    // THEN the line is exactly one line of six fields
    expect(s.line.split('\n')).toEqual([expect.any(String), '']);
    const [core, app, network, socket, protocol, cert] = s.fields;
    expect([core, app, network, protocol]).toEqual(['1', '6', 'unix', 'grpc']);
    expect(cert).not.toContain('=');
    expect(new X509Certificate(Buffer.from(cert!, 'base64')).subjectAltName).toBe('DNS:localhost');
    expect(existsSync(socket!)).toBe(true);
    // WHEN Terraform connects with its certificate
    const c = connectPlugin(socket!, { serverCertPem: derToPem(cert!), clientKeyPem: client.keyPem, clientCertPem: client.certPem });
    clients.push(c);
    // THEN
    expect(await c.health('plugin')).toEqual({ status: 1 });
    const schema = (await c.call('GetProviderSchema')) as { resource_schemas: Record<string, { block: { attributes: { name: string }[] } }> };
    expect(schema.resource_schemas.tunform_netdev!.block.attributes.map((a) => a.name)).toEqual(expect.arrayContaining(['name', 'mode', 'addresses', 'ifindex']));
    const unsupported = (await c.call('OpenEphemeralResource')) as { diagnostics: { summary: string }[] };
    expect(unsupported.diagnostics[0]!.summary).toContain('tunform does not support ephemeral resources');
    // WHEN
    await c.shutdown();
    // THEN
    const r = await s.exited;
    expect(r.code).toBe(0);
    expect(existsSync(dirname(socket!))).toBe(false);
  });

  test('GIVEN a client with another certificate than PLUGIN_CLIENT_CERT WHEN it calls THEN the TLS handshake refuses it', async () => {
    const expected = createServerCertificate();
    const intruder = createServerCertificate();
    const s = await handshake({ ...process.env, [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_CLIENT_CERT: expected.certPem });
    const [, , , socket, , cert] = s.fields;
    const c = connectPlugin(socket!, { serverCertPem: derToPem(cert!), clientKeyPem: intruder.keyPem, clientCertPem: intruder.certPem });
    clients.push(c);
    await expect(c.health('plugin')).rejects.toThrow();
    s.child.kill('SIGTERM');
    expect((await s.exited).code).toBe(0);
    expect(existsSync(dirname(socket!))).toBe(false);
  });

  test('GIVEN a running plugin WHEN Terraform sends StopProvider THEN it answers and exits 0', async () => {
    const client = createServerCertificate();
    const s = await handshake({ ...process.env, [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE, PLUGIN_CLIENT_CERT: client.certPem });
    const [, , , socket, , cert] = s.fields;
    const c = connectPlugin(socket!, { serverCertPem: derToPem(cert!), clientKeyPem: client.keyPem, clientCertPem: client.certPem });
    clients.push(c);
    expect(await c.call('StopProvider')).toEqual({});
    expect((await s.exited).code).toBe(0);
  });
});
