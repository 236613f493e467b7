/**
 * serveProvider: runs this process as a Terraform provider plugin. The order
 * matters for start-up time, which Terraform pays 3 to 5 times per command:
 * check the cookie, make the certificate, bind the socket, print the
 * handshake line; only then build (and, with a loading factory, load) the
 * provider, right after the line is out, while Terraform connects.
 */
import * as grpc from '@grpc/grpc-js';
import { rmSync } from 'node:fs';
import type { ProviderDefinition, ProviderFactory } from '../contract.js';
import { controllerService, healthService, providerService, type Message } from './grpc-services.js';
import { checkHandshakeEnv, handshakeLine, makeSocketDir, socketPathIn } from './handshake.js';
import { providerHandlers, type Handler } from './provider-service.js';
import { createServerCertificate, handshakeCert } from './server-cert.js';
import { errorDiagnostic } from './wire.js';

/** How long a graceful stop may wait for in-flight calls before the process exits anyway. */
const STOP_GRACE_MS = 5000;
/** go-plugin sets no practical limit; a large plan or state can exceed gRPC's 4 MiB default. */
const MAX_MESSAGE_BYTES = 256 * 1024 * 1024;
const HEALTH_SERVING = 1;
/** The service name go-plugin's health check asks about. */
const GO_PLUGIN_SERVICE = 'plugin';

type Unary = (call: grpc.ServerUnaryCall<Message, Message>, callback: grpc.sendUnaryData<Message>) => void;

const unary =
  (handler: (request: Message) => Promise<Message>): Unary =>
  (call, callback) => {
    handler(call.request).then(
      (response) => callback(null, response),
      (e: unknown) => callback({ code: grpc.status.INTERNAL, details: e instanceof Error ? e.message : String(e) }),
    );
  };

export interface ServeOptions {
  readonly env?: NodeJS.ProcessEnv;
  /** Where the handshake line goes (stdout for Terraform). */
  readonly writeHandshake?: (line: string) => void;
  /** Called once the server has stopped and the socket directory is gone. */
  readonly onExit?: (code: number) => void;
}

/**
 * Serves the provider the factory builds until Terraform asks it to stop
 * (GRPCController.Shutdown or StopProvider), then exits cleanly. Started
 * without Terraform's magic cookie, it prints one sentence and exits 1.
 */
/**
 * A factory that loads the provider first (a dynamic import): what it loads is
 * then evaluated after the handshake, not on the way to it.
 */
export type LoadingProviderFactory = () => Promise<ProviderDefinition>;

export async function serveProvider(factory: ProviderFactory | LoadingProviderFactory, options: ServeOptions = {}): Promise<void> {
  const env = options.env ?? process.env;
  const exit = options.onExit ?? ((code: number) => process.exit(code));
  const check = checkHandshakeEnv(env);
  if (!check.ok) {
    process.stderr.write(check.message);
    exit(1);
    return;
  }
  // Ctrl-C reaches the whole process group; Terraform handles it and stops us through the protocol.
  process.on('SIGINT', () => {});

  const cert = createServerCertificate();
  const dir = makeSocketDir();
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  process.on('exit', removeDir);
  const socketPath = socketPathIn(dir);

  const server = new grpc.Server({
    'grpc.max_receive_message_length': MAX_MESSAGE_BYTES,
    'grpc.max_send_message_length': MAX_MESSAGE_BYTES,
    // Nobody queries channelz here, and its per-call bookkeeping runs thousands of times per refresh.
    'grpc.enable_channelz': 0,
  });
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    const done = () => {
      removeDir();
      exit(0);
    };
    const timer = setTimeout(() => {
      server.forceShutdown();
      done();
    }, STOP_GRACE_MS);
    server.tryShutdown(() => {
      clearTimeout(timer);
      done();
    });
  };
  process.on('SIGTERM', stop);

  // Built once, right after the handshake line (below) or by an earlier first call; every caller shares it.
  let provider: Promise<Record<string, Handler>> | undefined;
  const handlers = () =>
    (provider ??= (async () => providerHandlers(await factory(), () => setImmediate(stop)))());
  const handlerFor = (rpc: string): Handler => async (request) => {
    let h: Handler | undefined;
    try {
      h = (await handlers())[rpc];
    } catch (e) {
      return { diagnostics: [errorDiagnostic(`tunform's provider could not start: ${e instanceof Error ? e.message : String(e)}`)] };
    }
    if (h === undefined) return { diagnostics: [errorDiagnostic(`tunform's provider has no handler for ${rpc}`)] };
    return h(request);
  };

  const providerDef = providerService();
  server.addService(providerDef, Object.fromEntries(Object.keys(providerDef).map((rpc) => [rpc, unary(handlerFor(rpc))])));
  server.addService(controllerService(), {
    Shutdown: unary(async () => {
      setImmediate(stop);
      return {};
    }),
  });
  server.addService(healthService(), {
    Check: (call: grpc.ServerUnaryCall<Message, Message>, callback: grpc.sendUnaryData<Message>) => {
      const service = String(call.request.service ?? '');
      if (service === '' || service === GO_PLUGIN_SERVICE) callback(null, { status: HEALTH_SERVING });
      else callback({ code: grpc.status.NOT_FOUND, details: `unknown service ${service}` });
    },
  });

  const clientCert = env.PLUGIN_CLIENT_CERT;
  // AutoMTLS: only the client holding the certificate Terraform generated may connect.
  const credentials = clientCert
    ? grpc.ServerCredentials.createSsl(Buffer.from(clientCert), [{ private_key: Buffer.from(cert.keyPem), cert_chain: Buffer.from(cert.certPem) }], true)
    : grpc.ServerCredentials.createInsecure();
  await new Promise<void>((resolve, reject) =>
    server.bindAsync(`unix://${socketPath}`, credentials, (e) => (e ? reject(e) : resolve())),
  );
  const line = handshakeLine(socketPath, clientCert ? handshakeCert(cert.der) : '');
  (options.writeHandshake ?? ((l: string) => process.stdout.write(l)))(line);
  // Every process is asked something, so build the provider now, while Terraform reads the line and connects, not on its first
  // call (a failure is kept and answered by that call, as above).
  setImmediate(() => void handlers().catch(() => undefined));
}
