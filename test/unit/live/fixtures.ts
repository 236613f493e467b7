import { readFileSync } from 'node:fs';

/** Reads a fixture captured from the real `ip` / /proc on Debian 12 (iproute2 6.1). */
export const fixture = (name: string): string => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8');
