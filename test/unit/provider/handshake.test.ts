import { X509Certificate, createPrivateKey } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import {
  checkHandshakeEnv,
  handshakeLine,
  MAGIC_COOKIE_KEY,
  MAGIC_COOKIE_VALUE,
  MAX_SOCKET_PATH_BYTES,
  NOT_STARTED_BY_TERRAFORM,
  socketPathIn,
} from '../../../src/provider/protocol/handshake.js';
import { createServerCertificate, handshakeCert } from '../../../src/provider/protocol/server-cert.js';

const cookie = { [MAGIC_COOKIE_KEY]: MAGIC_COOKIE_VALUE };

describe('handshake environment', () => {
  test('GIVEN no magic cookie WHEN checked THEN the answer is the one sentence telling how to install the plugin', () => {
    const r = checkHandshakeEnv({});
    expect(r).toEqual({ ok: false, message: NOT_STARTED_BY_TERRAFORM });
    expect(NOT_STARTED_BY_TERRAFORM).toContain('Terraform provider plugin for tunform');
    expect(NOT_STARTED_BY_TERRAFORM).toContain('tunform install-provider');
    expect(NOT_STARTED_BY_TERRAFORM.trim().split('\n')).toHaveLength(1);
  });

  test('GIVEN a wrong cookie value WHEN checked THEN it is refused like a missing one', () => {
    expect(checkHandshakeEnv({ [MAGIC_COOKIE_KEY]: 'x' }).ok).toBe(false);
  });

  test('GIVEN the cookie and versions offered WHEN 6 is among them THEN it is accepted, otherwise refused with the versions named', () => {
    expect(checkHandshakeEnv({ ...cookie, PLUGIN_PROTOCOL_VERSIONS: '5,6' }).ok).toBe(true);
    expect(checkHandshakeEnv({ ...cookie }).ok).toBe(true);
    expect(checkHandshakeEnv({ ...cookie, PLUGIN_PROTOCOL_VERSIONS: '4,5' })).toEqual({
      ok: false,
      message: "tunform's provider speaks Terraform plugin protocol 6, but this Terraform offers only 4,5: use Terraform 1.0 or later.\n",
    });
  });
});

describe('handshake line and socket path', () => {
  test('GIVEN a socket and a certificate WHEN the line is made THEN it is core 1, protocol 6, unix, path, grpc, cert', () => {
    expect(handshakeLine('/tmp/d/plugin.sock', 'AbC')).toBe('1|6|unix|/tmp/d/plugin.sock|grpc|AbC\n');
  });

  test('GIVEN a directory whose socket path would exceed sun_path WHEN the path is made THEN it is refused, not truncated', () => {
    const dir = `/tmp/${'d'.repeat(MAX_SOCKET_PATH_BYTES - '/tmp//plugin.sock'.length)}`;
    expect(Buffer.byteLength(socketPathIn(dir))).toBe(MAX_SOCKET_PATH_BYTES);
    expect(() => socketPathIn(`${dir}x`)).toThrow(`is ${MAX_SOCKET_PATH_BYTES + 1} bytes, more than a unix socket allows (${MAX_SOCKET_PATH_BYTES}): set TMPDIR`);
  });

  test('GIVEN DER bytes whose base64 needs padding WHEN put in the line THEN the padding is dropped and the bytes survive', () => {
    for (const der of [Uint8Array.of(1), Uint8Array.of(1, 2), Uint8Array.of(1, 2, 3)]) {
      const text = handshakeCert(der);
      expect(text).not.toContain('=');
      expect(new Uint8Array(Buffer.from(text, 'base64'))).toEqual(der);
    }
  });
});

describe('AutoMTLS server certificate', () => {
  test('GIVEN a fresh certificate WHEN parsed by OpenSSL THEN it is self-signed for localhost, for server and client auth, valid now, with its key', () => {
    const c = createServerCertificate();
    const x = new X509Certificate(c.certPem);
    expect(x.subjectAltName).toBe('DNS:localhost');
    expect(x.checkHost('localhost')).toBe('localhost');
    expect(x.keyUsage).toEqual(['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2']);
    expect(x.verify(x.publicKey)).toBe(true);
    expect(x.checkPrivateKey(createPrivateKey(c.keyPem))).toBe(true);
    expect(x.ca).toBe(true);
    expect(new Date(x.validFrom).getTime()).toBeLessThan(Date.now());
    expect(new Date(x.validTo).getTime()).toBeGreaterThan(Date.now());
    expect(new Uint8Array(x.raw)).toEqual(new Uint8Array(c.der));
  });

  test('GIVEN two certificates WHEN made THEN keys and serial numbers differ', () => {
    const [a, b] = [createServerCertificate(), createServerCertificate()];
    expect(new X509Certificate(a.certPem).serialNumber).not.toBe(new X509Certificate(b.certPem).serialNumber);
    expect(a.keyPem).not.toBe(b.keyPem);
  });
});
