/**
 * How tunform marks the devices it manages: the link alias (IFLA_IFALIAS,
 * `ip link set dev X alias ...`). The alias is visible in every `ip -j link`
 * dump we already take, survives for the life of the device, needs no state
 * file, and is not used by the kernel for anything. A device whose alias does
 * not start with the marker was not created by tunform and is never touched.
 *
 * Format: `tunform` or `tunform@<gen>`, where gen is an opaque generation
 * (the cdktf backend stores the spec hash so an old resource can tell that a
 * newer one owns the device). No spaces, so it travels as one token.
 */

export const MARKER_PREFIX = 'tunform';

export interface Marker {
  readonly managed: boolean;
  readonly generation?: string;
}

export function parseMarker(alias: string | undefined): Marker {
  if (alias === undefined) return { managed: false };
  if (alias === MARKER_PREFIX) return { managed: true };
  const m = /^tunform@([A-Za-z0-9._-]{1,64})$/.exec(alias);
  if (m) return { managed: true, generation: m[1] };
  return { managed: false };
}

export function formatMarker(generation?: string): string {
  return generation ? `${MARKER_PREFIX}@${generation}` : MARKER_PREFIX;
}
