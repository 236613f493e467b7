/**
 * tunform's own definition of the part of Terraform's plugin protocol 6 it
 * serves (messages and field numbers as published in hashicorp/terraform
 * docs/plugin-protocol/tfplugin6.8.proto, the version Terraform 1.11 speaks),
 * plus go-plugin's controller and the standard gRPC health service.
 *
 * Requests carry only the fields tunform reads and responses only the fields
 * it sets: protobuf skips unknown fields, so what is left out costs nothing.
 * Every RPC of the Provider service is listed, so that one tunform does not
 * support is answered with an error diagnostic, never "unimplemented".
 * It is kept as text in a module so the bundle carries it without a file.
 */
export const TFPLUGIN6_PROTO = `
syntax = "proto3";
package tfplugin6;

message DynamicValue {
  bytes msgpack = 1;
  bytes json = 2;
}

message Diagnostic {
  enum Severity { INVALID = 0; ERROR = 1; WARNING = 2; }
  Severity severity = 1;
  string summary = 2;
  string detail = 3;
  AttributePath attribute = 4;
}

message AttributePath {
  message Step {
    oneof selector {
      string attribute_name = 1;
      string element_key_string = 2;
      int64 element_key_int = 3;
    }
  }
  repeated Step steps = 1;
}

message RawState {
  bytes json = 1;
  map<string, string> flatmap = 2;
}

enum StringKind { PLAIN = 0; MARKDOWN = 1; }

message Schema {
  message Block {
    int64 version = 1;
    repeated Attribute attributes = 2;
    string description = 4;
    StringKind description_kind = 5;
  }
  message Attribute {
    string name = 1;
    bytes type = 2;
    string description = 3;
    bool required = 4;
    bool optional = 5;
    bool computed = 6;
    bool sensitive = 7;
    StringKind description_kind = 8;
  }
  int64 version = 1;
  Block block = 2;
}

message ServerCapabilities {
  bool plan_destroy = 1;
  bool get_provider_schema_optional = 2;
  bool move_resource_state = 3;
}

message Empty {}

message DiagnosticsAt1 { repeated Diagnostic diagnostics = 1; }

message GetMetadata {
  message Response {
    ServerCapabilities server_capabilities = 1;
    repeated Diagnostic diagnostics = 2;
    repeated TypeName data_sources = 3;
    repeated TypeName resources = 4;
  }
  message TypeName { string type_name = 1; }
}

message GetProviderSchema {
  message Response {
    Schema provider = 1;
    map<string, Schema> resource_schemas = 2;
    map<string, Schema> data_source_schemas = 3;
    repeated Diagnostic diagnostics = 4;
    ServerCapabilities server_capabilities = 6;
  }
}

message ValidateProviderConfig {
  message Request { DynamicValue config = 1; }
  message Response { repeated Diagnostic diagnostics = 2; }
}

message ValidateConfig {
  message Request {
    string type_name = 1;
    DynamicValue config = 2;
  }
}

message UpgradeResourceState {
  message Request {
    string type_name = 1;
    int64 version = 2;
    RawState raw_state = 3;
  }
  message Response {
    DynamicValue upgraded_state = 1;
    repeated Diagnostic diagnostics = 2;
  }
}

message ConfigureProvider {
  message Request {
    string terraform_version = 1;
    DynamicValue config = 2;
  }
}

message ReadResource {
  message Request {
    string type_name = 1;
    DynamicValue current_state = 2;
    bytes private = 3;
  }
  message Response {
    DynamicValue new_state = 1;
    repeated Diagnostic diagnostics = 2;
    bytes private = 3;
  }
}

message PlanResourceChange {
  message Request {
    string type_name = 1;
    DynamicValue prior_state = 2;
    DynamicValue proposed_new_state = 3;
    DynamicValue config = 4;
    bytes prior_private = 5;
  }
  message Response {
    DynamicValue planned_state = 1;
    repeated AttributePath requires_replace = 2;
    bytes planned_private = 3;
    repeated Diagnostic diagnostics = 4;
  }
}

message ApplyResourceChange {
  message Request {
    string type_name = 1;
    DynamicValue prior_state = 2;
    DynamicValue planned_state = 3;
    DynamicValue config = 4;
    bytes planned_private = 5;
  }
  message Response {
    DynamicValue new_state = 1;
    bytes private = 2;
    repeated Diagnostic diagnostics = 3;
  }
}

message ImportResourceState {
  message Request {
    string type_name = 1;
    string id = 2;
  }
  message ImportedResource {
    string type_name = 1;
    DynamicValue state = 2;
    bytes private = 3;
  }
  message Response {
    repeated ImportedResource imported_resources = 1;
    repeated Diagnostic diagnostics = 2;
  }
}

message ReadDataSource {
  message Request {
    string type_name = 1;
    DynamicValue config = 2;
  }
  message Response {
    DynamicValue state = 1;
    repeated Diagnostic diagnostics = 2;
  }
}

message DiagnosticsAt2 { repeated Diagnostic diagnostics = 2; }

message GetFunctions {
  message Response {
    repeated Diagnostic diagnostics = 2;
  }
}

message CallFunction {
  message Response {
    FunctionError error = 2;
  }
  message FunctionError { string text = 1; }
}

message StopProvider {
  message Response { string Error = 1; }
}

service Provider {
  rpc GetMetadata(Empty) returns (GetMetadata.Response);
  rpc GetProviderSchema(Empty) returns (GetProviderSchema.Response);
  rpc ValidateProviderConfig(ValidateProviderConfig.Request) returns (ValidateProviderConfig.Response);
  rpc ValidateResourceConfig(ValidateConfig.Request) returns (DiagnosticsAt1);
  rpc ValidateDataResourceConfig(ValidateConfig.Request) returns (DiagnosticsAt1);
  rpc UpgradeResourceState(UpgradeResourceState.Request) returns (UpgradeResourceState.Response);
  rpc ConfigureProvider(ConfigureProvider.Request) returns (DiagnosticsAt1);
  rpc ReadResource(ReadResource.Request) returns (ReadResource.Response);
  rpc PlanResourceChange(PlanResourceChange.Request) returns (PlanResourceChange.Response);
  rpc ApplyResourceChange(ApplyResourceChange.Request) returns (ApplyResourceChange.Response);
  rpc ImportResourceState(ImportResourceState.Request) returns (ImportResourceState.Response);
  rpc MoveResourceState(Empty) returns (DiagnosticsAt2);
  rpc ReadDataSource(ReadDataSource.Request) returns (ReadDataSource.Response);
  rpc ValidateEphemeralResourceConfig(Empty) returns (DiagnosticsAt1);
  rpc OpenEphemeralResource(Empty) returns (DiagnosticsAt1);
  rpc RenewEphemeralResource(Empty) returns (DiagnosticsAt1);
  rpc CloseEphemeralResource(Empty) returns (DiagnosticsAt1);
  rpc GetFunctions(Empty) returns (GetFunctions.Response);
  rpc CallFunction(Empty) returns (CallFunction.Response);
  rpc StopProvider(Empty) returns (StopProvider.Response);
}
`;

/** go-plugin's controller: Terraform calls Shutdown when it is done with a plugin process. */
export const GO_PLUGIN_PROTO = `
syntax = "proto3";
package plugin;
message Empty {}
service GRPCController {
  rpc Shutdown(Empty) returns (Empty);
}
`;

/** The standard gRPC health service; go-plugin asks about the service "plugin". */
export const HEALTH_PROTO = `
syntax = "proto3";
package grpc.health.v1;
message HealthCheckRequest { string service = 1; }
message HealthCheckResponse {
  enum ServingStatus { UNKNOWN = 0; SERVING = 1; NOT_SERVING = 2; SERVICE_UNKNOWN = 3; }
  ServingStatus status = 1;
}
service Health {
  rpc Check(HealthCheckRequest) returns (HealthCheckResponse);
}
`;
