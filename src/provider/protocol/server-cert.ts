/**
 * go-plugin's AutoMTLS, server side: a fresh P-256 key and a self-signed
 * certificate per plugin process. Terraform trusts exactly this certificate
 * (it arrives in the handshake line); Go's TLS client checks the name
 * "localhost" and, as an extended key usage is present, serverAuth. The
 * fields follow what go-plugin itself generates for either end, so the same
 * kind of certificate also serves as a client's (tests, the warm-up).
 */
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { bitString, boolean, explicit, octetString, oid, sequence, set, tlv, unsignedInteger, utcTime, utf8String } from './der.js';

export interface ServerCertificate {
  /** DER bytes, for the handshake line. */
  readonly der: Uint8Array;
  readonly certPem: string;
  readonly keyPem: string;
}

/** Long enough for any terraform command; the certificate dies with the process anyway. */
const VALIDITY_MS = 30 * 24 * 3600 * 1000;
/** Tolerated clock skew at the start of the validity period. */
const BACKDATE_MS = 5 * 60 * 1000;
export const CERT_HOSTNAME = 'localhost';

const OID = {
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  subjectAltName: '2.5.29.17',
  keyUsage: '2.5.29.15',
  basicConstraints: '2.5.29.19',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
} as const;

/** keyUsage bits, first byte: digitalSignature (0x80), keyEncipherment (0x20), keyCertSign (0x04). */
const KEY_USAGE = 0x80 | 0x20 | 0x04;

const extension = (id: string, critical: boolean, value: Uint8Array) =>
  sequence(oid(id), ...(critical ? [boolean(true)] : []), octetString(value));

const rdn = (id: string, value: string) => set(sequence(oid(id), utf8String(value)));

const pem = (label: string, der: Uint8Array) =>
  `-----BEGIN ${label}-----\n${Buffer.from(der).toString('base64').replace(/.{64}/g, '$&\n').trimEnd()}\n-----END ${label}-----\n`;

export function createServerCertificate(now = Date.now()): ServerCertificate {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const algorithm = sequence(oid(OID.ecdsaWithSha256));
  const name = sequence(rdn(OID.organization, 'tunform plugin'), rdn(OID.commonName, CERT_HOSTNAME));
  const tbs = sequence(
    explicit(0, unsignedInteger(Uint8Array.of(2))), // v3
    unsignedInteger(randomBytes(16)),
    algorithm,
    name,
    sequence(utcTime(new Date(now - BACKDATE_MS)), utcTime(new Date(now + VALIDITY_MS))),
    name,
    publicKey.export({ type: 'spki', format: 'der' }),
    explicit(
      3,
      sequence(
        extension(OID.subjectAltName, false, sequence(tlv(0x82, Buffer.from(CERT_HOSTNAME, 'ascii')))),
        extension(OID.keyUsage, true, bitString(Uint8Array.of(KEY_USAGE), 2)),
        extension(OID.extKeyUsage, false, sequence(oid(OID.serverAuth), oid(OID.clientAuth))),
        extension(OID.basicConstraints, true, sequence(boolean(true))),
      ),
    ),
  );
  const der = sequence(tbs, algorithm, bitString(sign('sha256', tbs, privateKey)));
  return { der, certPem: pem('CERTIFICATE', der), keyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
}

/** The certificate as the handshake line carries it: standard base64 without '=' padding (Go's RawStdEncoding). */
export const handshakeCert = (der: Uint8Array): string => Buffer.from(der).toString('base64').replace(/=+$/, '');
