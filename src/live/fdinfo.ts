/**
 * The device a tun fd is attached to, from /proc/PID/fdinfo/FD: the tun
 * driver adds an `iff:\tNAME` line once TUNSETIFF attached the fd. An fd of
 * /dev/net/tun that is not attached yet has an empty `iff:` line.
 */
export function parseFdinfo(text: string): string | undefined {
  // [ \t] rather than \s: an unattached fd has an empty `iff:` line, and \s would run on into the next line.
  const m = /^iff:[ \t]*(\S+)[ \t]*$/m.exec(text);
  return m?.[1];
}
