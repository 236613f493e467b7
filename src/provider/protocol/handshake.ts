/**
 * go-plugin's handshake, plugin side (hashicorp/go-plugin docs): the host
 * proves it is Terraform with a magic cookie in the environment, names the
 * protocol versions it speaks, and reads one line from the plugin's stdout:
 * CORE-VERSION|APP-VERSION|NETWORK|ADDRESS|PROTOCOL|SERVER-CERT.
 * Nothing else may reach stdout before that line.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const MAGIC_COOKIE_KEY = 'TF_PLUGIN_MAGIC_COOKIE';
export const MAGIC_COOKIE_VALUE = 'd602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2';
/** go-plugin's own handshake version. */
export const CORE_PROTOCOL_VERSION = 1;
/** Terraform's plugin protocol major version tunform speaks. */
export const APP_PROTOCOL_VERSION = 6;
/** sun_path is 108 bytes with its terminating NUL; Node truncates longer paths without a word. */
export const MAX_SOCKET_PATH_BYTES = 107;

/** What a user who runs the plugin by hand reads: one sentence, then exit 1. */
export const NOT_STARTED_BY_TERRAFORM =
  'This is the Terraform provider plugin for tunform, which Terraform starts itself: run `tunform install-provider` to install it where `terraform init` finds it, then use the provider from a Terraform configuration.\n';

export type HandshakeCheck = { readonly ok: true } | { readonly ok: false; readonly message: string };

/** Whether this process was started by Terraform, speaking a protocol version tunform has. */
export function checkHandshakeEnv(env: NodeJS.ProcessEnv): HandshakeCheck {
  if (env[MAGIC_COOKIE_KEY] !== MAGIC_COOKIE_VALUE) return { ok: false, message: NOT_STARTED_BY_TERRAFORM };
  const offered = env.PLUGIN_PROTOCOL_VERSIONS;
  // go-plugin lets an absent list mean "the plugin's default".
  if (offered !== undefined && offered !== '' && !offered.split(',').map((v) => v.trim()).includes(String(APP_PROTOCOL_VERSION))) {
    return {
      ok: false,
      message: `tunform's provider speaks Terraform plugin protocol ${APP_PROTOCOL_VERSION}, but this Terraform offers only ${offered}: use Terraform 1.0 or later.\n`,
    };
  }
  return { ok: true };
}

export function handshakeLine(socketPath: string, certBase64: string): string {
  return `${CORE_PROTOCOL_VERSION}|${APP_PROTOCOL_VERSION}|unix|${socketPath}|grpc|${certBase64}\n`;
}

/** The socket path inside dir, refused (not truncated) when it would not fit in sun_path. */
export function socketPathIn(dir: string): string {
  const path = join(dir, 'plugin.sock');
  const bytes = Buffer.byteLength(path);
  if (bytes > MAX_SOCKET_PATH_BYTES) {
    throw new Error(
      `the plugin socket path ${path} is ${bytes} bytes, more than a unix socket allows (${MAX_SOCKET_PATH_BYTES}): set TMPDIR to a shorter directory`,
    );
  }
  return path;
}

/** A private directory (mode 0700, from mkdtemp) for the socket, so only this user can connect. */
export const makeSocketDir = (): string => mkdtempSync(join(tmpdir(), 'tunform-plugin-'));
