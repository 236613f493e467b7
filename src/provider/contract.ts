/**
 * The contract between the two halves of tunform's Terraform provider:
 *
 *  - src/provider/protocol/: Terraform's plugin protocol 6 (go-plugin
 *    handshake, AutoMTLS, gRPC services, msgpack/JSON cty values). It knows
 *    nothing about tun devices.
 *  - src/provider/tunform/: the provider tunform serves (`tunform_netdev`,
 *    `tunform_netdevs`), over the spec validator, the live reader and the apply
 *    engine. It knows nothing about gRPC or msgpack.
 *
 * Values cross this boundary already decoded against the schema: an object is
 * a plain record keyed by attribute name that carries every attribute, a set
 * or list is an array, a number is a JS number, null is null and an unknown
 * value is the UNKNOWN symbol. A non-null, known value of type 'dynamic' is
 * the pair [CtyType, value]: its runtime type and a value of that type.
 * Nothing here imports from either half.
 */

/** A value Terraform does not know yet (msgpack extension type 0 on the wire). */
export const UNKNOWN: unique symbol = Symbol.for('tunform.provider.unknown');
export type Unknown = typeof UNKNOWN;

/** cty types this provider uses. */
export type CtyType =
  | 'string'
  | 'number'
  | 'bool'
  | 'dynamic'
  | { readonly set: CtyType }
  | { readonly list: CtyType }
  | { readonly map: CtyType }
  | { readonly object: Readonly<Record<string, CtyType>> };

export type CtyValue = null | Unknown | string | number | boolean | readonly CtyValue[] | CtyObject;
export interface CtyObject {
  readonly [attribute: string]: CtyValue;
}

export const isUnknown = (v: unknown): v is Unknown => v === UNKNOWN;

/** One attribute of a schema block. Exactly one of required / optional / computed-only applies. */
export interface AttributeSchema {
  readonly name: string;
  readonly type: CtyType;
  /** Plain text; the protocol layer sends it as both description and (kind plain) description. */
  readonly description: string;
  readonly required?: boolean;
  readonly optional?: boolean;
  readonly computed?: boolean;
  readonly sensitive?: boolean;
}

export interface BlockSchema {
  /** Schema version stored in state; UpgradeResourceState sees the old one. */
  readonly version: number;
  readonly description: string;
  readonly attributes: readonly AttributeSchema[];
}

/**
 * A path into a value: attribute names (string) and element keys. Terraform's
 * AttributePath steps: attribute_name for strings, element_key_int for numbers.
 * A set element is addressed by its value: wrap it as { element: value }.
 */
export type PathStep = string | number | { readonly element: CtyValue };
export type AttributePath = readonly PathStep[];

export interface Diagnostic {
  readonly severity: 'error' | 'warning';
  /** One sentence (tunform's message for the rule). */
  readonly summary: string;
  readonly detail?: string;
  /** Where in the configuration, so Terraform points at the attribute. */
  readonly attribute?: AttributePath;
}

/** Private bytes a resource stores beside its state (opaque to Terraform). */
export type PrivateState = Uint8Array;

export interface PlanRequest {
  /** Null: the resource is being created. */
  readonly prior: CtyObject | null;
  /** Null: the resource is being destroyed. Terraform's proposed new state (config merged with prior computed values). */
  readonly proposed: CtyObject | null;
  /** The configuration as written, unknowns included. Null on destroy. */
  readonly config: CtyObject | null;
  readonly priorPrivate: PrivateState;
}

export interface PlanResponse {
  readonly planned: CtyObject | null;
  /** Attributes whose change forces replacement (Terraform prints "forces replacement"). */
  readonly requiresReplace?: readonly AttributePath[];
  readonly plannedPrivate?: PrivateState;
  readonly diagnostics?: readonly Diagnostic[];
}

export interface ApplyRequest {
  /** Null: create. */
  readonly prior: CtyObject | null;
  /** Null: destroy. */
  readonly planned: CtyObject | null;
  readonly config: CtyObject | null;
  readonly plannedPrivate: PrivateState;
}

export interface ApplyResponse {
  /** Null after a destroy. Must agree with `planned` wherever planned was known. */
  readonly newState: CtyObject | null;
  readonly private?: PrivateState;
  readonly diagnostics?: readonly Diagnostic[];
}

export interface ReadRequest {
  readonly current: CtyObject;
  readonly private: PrivateState;
}

export interface ReadResponse {
  /** Null: the object is gone; Terraform drops it from state and plans a create. */
  readonly newState: CtyObject | null;
  /** Return the private bytes even when unchanged, or Terraform loses them. */
  readonly private?: PrivateState;
  readonly diagnostics?: readonly Diagnostic[];
}

export interface ImportResponse {
  readonly imported: readonly { readonly state: CtyObject; readonly private?: PrivateState }[];
  readonly diagnostics?: readonly Diagnostic[];
}

export interface ResourceType {
  readonly schema: BlockSchema;
  /** Static checks of the configuration (values may be UNKNOWN). Called before ConfigureProvider. */
  validate(config: CtyObject): readonly Diagnostic[];
  plan(request: PlanRequest): Promise<PlanResponse>;
  apply(request: ApplyRequest): Promise<ApplyResponse>;
  read(request: ReadRequest): Promise<ReadResponse>;
  /** `terraform import TYPE.NAME ID` and `import {}` blocks. */
  import(id: string): Promise<ImportResponse>;
  /**
   * State written by an older schema version, decoded from JSON. The protocol
   * layer fills attributes the current schema has and the old state lacks
   * with null, and drops attributes the schema no longer has, before calling.
   */
  upgrade?(version: number, state: CtyObject): CtyObject;
}

export interface DataSourceType {
  readonly schema: BlockSchema;
  validate(config: CtyObject): readonly Diagnostic[];
  read(config: CtyObject): Promise<{ readonly state: CtyObject | null; readonly diagnostics?: readonly Diagnostic[] }>;
}

/**
 * What the protocol layer serves. Terraform starts several plugin processes
 * per command (schema, validate, plan, apply); each gets a fresh
 * ProviderDefinition from the factory, so in-process caches live no longer
 * than one process. Handlers must be safe to run concurrently: Terraform has
 * up to `-parallelism` (default 10) calls in flight in one process.
 */
export interface ProviderDefinition {
  readonly schema: BlockSchema;
  validateConfig(config: CtyObject): readonly Diagnostic[];
  /** ConfigureProvider. Config values may be UNKNOWN (values from other resources) during validate and plan. */
  configure(config: CtyObject): Promise<readonly Diagnostic[]>;
  readonly resources: Readonly<Record<string, ResourceType>>;
  readonly dataSources: Readonly<Record<string, DataSourceType>>;
  /** StopProvider / controller Shutdown: let in-flight work end, then the process exits. */
  stop?(): Promise<void>;
}

export type ProviderFactory = () => ProviderDefinition;
