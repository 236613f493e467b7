/**
 * The provider's source address, written once. `terraform.local` is a
 * hostname no registry answers for: Terraform finds the provider only in a
 * local filesystem mirror, which is where `tunform install-provider` puts it.
 */
export const PROVIDER_HOSTNAME = 'terraform.local';
export const PROVIDER_NAMESPACE = 'tunform';
export const PROVIDER_TYPE = 'tunform';
export const PROVIDER_SOURCE = `${PROVIDER_HOSTNAME}/${PROVIDER_NAMESPACE}/${PROVIDER_TYPE}`;
/** The executable's name, as Terraform expects it: terraform-provider-TYPE. */
export const PLUGIN_NAME = `terraform-provider-${PROVIDER_TYPE}`;
/** Terraform's names for the resource and data source the provider serves (the constructs emit them too). */
export const RESOURCE_TYPE = `${PROVIDER_TYPE}_netdev`;
export const DATA_SOURCE_TYPE = `${PROVIDER_TYPE}_netdevs`;
