/**
 * A minimal client of this plugin's gRPC services, as Terraform would call
 * them: used to warm the bundle's code cache at build time and by tests.
 */
import * as grpc from '@grpc/grpc-js';
import { controllerService, healthService, providerService, type Message } from './grpc-services.js';

export interface PluginClient {
  call(rpc: string, request?: Message): Promise<Message>;
  health(service: string): Promise<Message>;
  shutdown(): Promise<void>;
  close(): void;
}

export interface ClientTls {
  /** The server certificate from the handshake line, PEM. */
  readonly serverCertPem: string;
  readonly clientKeyPem: string;
  readonly clientCertPem: string;
}

/** Connects to the socket of a handshake line; TLS as Terraform's AutoMTLS when given. */
export function connectPlugin(socketPath: string, tls?: ClientTls): PluginClient {
  const credentials = tls
    ? grpc.credentials.createSsl(Buffer.from(tls.serverCertPem), Buffer.from(tls.clientKeyPem), Buffer.from(tls.clientCertPem))
    : grpc.credentials.createInsecure();
  // The server certificate names localhost; a unix socket has no host name to check it against.
  const client = new grpc.Client(`unix://${socketPath}`, credentials, { 'grpc.ssl_target_name_override': 'localhost', 'grpc.default_authority': 'localhost' });
  const invoke = (def: grpc.ServiceDefinition, rpc: string, request: Message) => {
    const m = def[rpc];
    if (m === undefined) return Promise.reject(new Error(`no RPC ${rpc}`));
    return new Promise<Message>((resolve, reject) =>
      client.makeUnaryRequest(m.path, m.requestSerialize, m.responseDeserialize, request, (e, r) => (e ? reject(e) : resolve(r as Message))),
    );
  };
  const provider = providerService();
  return {
    call: (rpc, request = {}) => invoke(provider, rpc, request),
    health: (service) => invoke(healthService(), 'Check', { service }),
    shutdown: async () => {
      await invoke(controllerService(), 'Shutdown', {});
    },
    close: () => client.close(),
  };
}
