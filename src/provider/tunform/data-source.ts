/** tunform_netdevs: the namespace's live tun/tap devices, LiveDevice in snake_case (what `tunform show --json` reports). */
import type { CtyObject, CtyValue, DataSourceType } from '../contract.js';
import type { LiveDevice } from '../../model.js';
import type { ProviderContext } from './context.js';
import { dataSourceSchema, LIVE_FIELD_KEYS } from './schema.js';
import { toSnakeCase } from './names.js';

export function deviceObject(d: LiveDevice): CtyObject {
  return Object.fromEntries(LIVE_FIELD_KEYS.map((k) => [toSnakeCase(k), (d[k] as CtyValue | undefined) ?? null]));
}

export function netdevsDataSource(ctx: ProviderContext): DataSourceType {
  return {
    schema: dataSourceSchema(),
    validate: () => [],
    async read() {
      const { live } = await ctx.snapshots.get();
      const devices = [...live.devices].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map(deviceObject);
      return { state: { devices, processes_complete: live.processesComplete } };
    },
  };
}
