/**
 * The systemd units tunform ships (systemd/*.in in the package), and how
 * `tunform install-units` fills them in: absolute paths of the node binary
 * running now and of this package's CLI, so the unit runs this very copy.
 */
import { join } from 'node:path';
import { CONFIG_DIR_DEFAULT } from './config-dir.js';

/** Unit file names, each shipped as systemd/NAME.in. */
export const UNIT_NAMES = ['tunform.service', 'tunform-holder.service', 'tunform-holder@.service'] as const;

/** Where units go under a prefix: PREFIX/lib/systemd/system (systemd searches /usr/local/lib/systemd/system too). */
export const unitDir = (prefix: string): string => join(prefix, 'lib', 'systemd', 'system');

export interface UnitValues {
  readonly node: string;
  readonly cli: string;
  readonly helper: string;
  readonly configDir?: string;
}

/** Fills a unit template; every placeholder must be known, so a new one cannot ship unfilled. */
export function renderUnit(template: string, v: UnitValues): string {
  const values: Record<string, string> = { NODE: v.node, CLI: v.cli, HELPER: v.helper, CONFIG_DIR: v.configDir ?? CONFIG_DIR_DEFAULT };
  return template.replace(/@([A-Z_]+)@/g, (whole, key: string) => {
    const value = values[key];
    if (value === undefined) throw new Error(`unit template has an unknown placeholder ${whole}`);
    return value;
  });
}
