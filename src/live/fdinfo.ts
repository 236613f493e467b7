/**
 * The device a tun fd is attached to, from /proc/PID/fdinfo/FD: the tun
 * driver adds an `iff:\tNAME` line once TUNSETIFF attached the fd. An fd of
 * /dev/net/tun that is not attached yet has no such line.
 */
export function parseFdinfo(text: string): string | undefined {
  const m = /^iff:\s*(\S+)\s*$/m.exec(text);
  return m?.[1];
}
