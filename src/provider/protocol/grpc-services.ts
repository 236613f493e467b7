/**
 * gRPC service definitions for @grpc/grpc-js, built from tunform's own
 * protocol text (tfplugin6.proto.ts) with protobufjs. Field names stay in the
 * protocol's snake_case so the handlers read like the published protocol.
 */
import type { MethodDefinition, ServiceDefinition } from '@grpc/grpc-js';
import protobuf from 'protobufjs';
import { GO_PLUGIN_PROTO, HEALTH_PROTO, TFPLUGIN6_PROTO } from './tfplugin6.proto.js';

/** A decoded request: plain data, 64-bit integers as numbers, bytes as Uint8Array. */
export type Message = Record<string, unknown>;

function methodOf(service: protobuf.Service, method: protobuf.Method): MethodDefinition<Message, Message> {
  const requestType = service.lookupType(method.requestType);
  const responseType = service.lookupType(method.responseType);
  return {
    path: `/${service.fullName.slice(1)}/${method.name}`,
    requestStream: false,
    responseStream: false,
    originalName: method.name,
    requestSerialize: (m) => Buffer.from(requestType.encode(requestType.fromObject(m)).finish()),
    requestDeserialize: (b) => requestType.toObject(requestType.decode(b), { longs: Number }) as Message,
    responseSerialize: (m) => Buffer.from(responseType.encode(responseType.fromObject(m)).finish()),
    responseDeserialize: (b) => responseType.toObject(responseType.decode(b), { longs: Number }) as Message,
  };
}

const PROTOS = { tfplugin6: TFPLUGIN6_PROTO, plugin: GO_PLUGIN_PROTO, health: HEALTH_PROTO } as const;
type ProtoName = keyof typeof PROTOS;

/**
 * The bundle gets the protocol text already parsed, as protobufjs JSON
 * descriptors (scripts/bundle-cli.mjs defines this from protoDescriptors()):
 * parsing the text cost a tenth of the plugin's start.
 */
declare const __TUNFORM_PROTO_DESCRIPTORS__: Record<ProtoName, protobuf.INamespace> | undefined;

const parseProto = (name: ProtoName): protobuf.Root => protobuf.parse(PROTOS[name], { keepCase: true }).root;

/** The parsed protocol definitions as JSON descriptors, for the bundle. */
export const protoDescriptors = (): Record<ProtoName, protobuf.INamespace> =>
  Object.fromEntries((Object.keys(PROTOS) as ProtoName[]).map((n) => [n, parseProto(n).toJSON()])) as Record<ProtoName, protobuf.INamespace>;

function serviceOf(proto: ProtoName, name: string): ServiceDefinition {
  const root =
    typeof __TUNFORM_PROTO_DESCRIPTORS__ === 'undefined' ? parseProto(proto) : protobuf.Root.fromJSON(__TUNFORM_PROTO_DESCRIPTORS__[proto]);
  const service = root.lookupService(name);
  return Object.fromEntries(service.methodsArray.map((m) => [m.name, methodOf(service, m)])) as ServiceDefinition;
}

export const providerService = (): ServiceDefinition => serviceOf('tfplugin6', 'tfplugin6.Provider');
export const controllerService = (): ServiceDefinition => serviceOf('plugin', 'plugin.GRPCController');
export const healthService = (): ServiceDefinition => serviceOf('health', 'grpc.health.v1.Health');

/** The RPC names of the Provider service, for tests and for answering the unsupported ones. */
export const providerMethods = (): readonly string[] => Object.keys(providerService());
