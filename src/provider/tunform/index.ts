/**
 * Placeholder for tunform's resources until they land: the provider's schema
 * shape, with every operation answering "not implemented yet".
 */
import type { AttributeSchema, BlockSchema, Diagnostic, ProviderDefinition, ResourceType } from '../contract.js';

const notYet: Diagnostic = { severity: 'error', summary: 'tunform_netdev is not implemented yet' };

const attr = (name: string, type: AttributeSchema['type'], kind: 'required' | 'optional' | 'computed'): AttributeSchema => ({
  name,
  type,
  description: name,
  [kind]: true,
});

const netdevSchema: BlockSchema = {
  version: 0,
  description: 'One Linux tun/tap device.',
  attributes: [
    attr('name', 'string', 'required'),
    attr('mode', 'string', 'required'),
    attr('multi_queue', 'bool', 'optional'),
    attr('keep_carrier', 'bool', 'optional'),
    attr('packet_info', 'bool', 'optional'),
    attr('vnet_header', 'bool', 'optional'),
    attr('user', 'string', 'optional'),
    attr('group', 'string', 'optional'),
    attr('mtu', 'number', 'optional'),
    attr('up', 'bool', 'optional'),
    attr('addresses', { set: 'string' }, 'optional'),
    attr('ifindex', 'number', 'computed'),
  ],
};

const netdev: ResourceType = {
  schema: netdevSchema,
  validate: () => [],
  plan: async () => ({ planned: null, diagnostics: [notYet] }),
  apply: async () => ({ newState: null, diagnostics: [notYet] }),
  read: async () => ({ newState: null, diagnostics: [notYet] }),
  import: async () => ({ imported: [], diagnostics: [notYet] }),
};

export function createTunformProvider(): ProviderDefinition {
  return {
    schema: {
      version: 0,
      description: 'tunform: Linux tun/tap devices.',
      attributes: [attr('netns', 'string', 'optional'), attr('helper_path', 'string', 'optional')],
    },
    validateConfig: () => [],
    configure: async () => [],
    resources: { tunform_netdev: netdev },
    dataSources: {},
  };
}
