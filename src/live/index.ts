/** The live-state reader: the only code that reads the kernel's tun/tap state. */
export { readLiveState, type ReadLiveOptions } from './read-live-state.js';
export { parseLinks } from './parse-links.js';
export { parseAddrs } from './parse-addrs.js';
export { parseFdinfo } from './fdinfo.js';
export { mergeLive, type MergeInput } from './merge.js';
export { canonicalCidr, compareCidr, isIpv6LinkLocal } from './cidr.js';
export { scanTunProcesses, HOLDER_COMM } from './proc-scan.js';
export type { Attachment, OwnerIds, ProcessScan, TunLink } from './types.js';
