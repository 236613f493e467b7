/**
 * The provider's `host`, `known_hosts` and `private_key_path`: with a host,
 * ConfigureProvider connects to it (version check, its accounts and
 * namespaces) and swaps the engine for the remote one, so reads, plans and
 * applies run on that host (src/remote/engine.ts over src/sys/ssh.ts).
 * Terraform starts one plugin process per provider configuration, so one
 * process serves one host.
 */
import { isUnknown, type CtyObject, type Diagnostic } from '../contract.js';
import { TunformError } from '../../errors.js';
import { parseSshTarget } from '../../sys/ssh-target.js';
import { SshTransport } from '../../sys/ssh.js';
import { packageVersion } from '../../sys/version.js';
import { RemoteHost } from '../../remote/engine.js';
import type { ProviderContext } from './context.js';
import { errorDiagnostic } from './diagnostics.js';

const HOST_ONLY = ['known_hosts', 'private_key_path'] as const;

const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Static checks: a known host must be an ssh URL; the SSH settings need a host; helper_path is the remote's business. */
export function validateHostConfig(config: CtyObject): Diagnostic[] {
  const host = config.host;
  const out: Diagnostic[] = [];
  if (host === null || host === undefined) {
    for (const key of HOST_ONLY) {
      if (typeof config[key] === 'string') out.push(errorDiagnostic(`'${key}' only applies with 'host'`, undefined, [key]));
    }
    return out;
  }
  if (typeof host === 'string') {
    try {
      parseSshTarget(host, 'host');
    } catch (e) {
      out.push(errorDiagnostic((e as Error).message, undefined, ['host']));
    }
  }
  if (config.helper_path !== null && config.helper_path !== undefined) {
    out.push(errorDiagnostic("'helper_path' cannot be combined with 'host': the host's tunform finds its own helper", undefined, ['helper_path']));
  }
  return out;
}

/**
 * Connects to the configured host and routes the engine there. Returns the
 * diagnostics (each naming the host); none when there is no host.
 */
export async function configureHost(config: CtyObject, ctx: ProviderContext): Promise<Diagnostic[]> {
  if (config.host === null || config.host === undefined) return [];
  if (isUnknown(config.host)) {
    return [errorDiagnostic("'host' depends on a value known only after apply; tunform must know the host to read it", undefined, ['host'])];
  }
  const invalid = validateHostConfig(config);
  if (invalid.length > 0) return invalid;
  const knownHosts = text(config.known_hosts);
  const identity = text(config.private_key_path);
  const remoteTunform = process.env.TUNFORM_REMOTE_TUNFORM;
  const transport = new SshTransport(
    parseSshTarget(String(config.host), 'host'),
    {
      ...(knownHosts !== undefined ? { knownHosts } : {}),
      ...(identity !== undefined ? { identity } : {}),
      ...(remoteTunform !== undefined && remoteTunform !== '' ? { remoteTunform } : {}),
    },
    packageVersion(),
  );
  try {
    ctx.useEngine(await new RemoteHost(transport).connect());
    return [];
  } catch (e) {
    if (!(e instanceof TunformError)) throw e;
    return [errorDiagnostic(e.message, e.details.join('\n') || undefined, ['host'])];
  }
}
