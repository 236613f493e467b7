/**
 * The one module of the constructs that imports the CDK library. The same
 * source serves CDK for Terraform (`cdktf`) and its fork CDK Terrain
 * (`cdktn`): the build copies the compiled constructs to
 * dist/constructs-cdktn/ and rewrites only this file's specifier
 * (scripts/constructs-cdktn.mjs). The two libraries cannot be mixed in one
 * app (each keeps its own synthesis state), so the constructs must extend
 * the classes of the library the app uses.
 */
export {
  Annotations,
  DataResource,
  Fn,
  Lazy,
  TerraformProvider,
  TerraformResource,
  TerraformStack,
  Token,
  type IResolvable,
  type TerraformMetaArguments,
  type TerraformResourceLifecycle,
} from 'cdktf';
