/**
 * Carrier sampled from inside a namespace: a node program under `ip netns
 * exec` (so /sys is the namespace's) reads /sys/class/net/DEV/carrier every
 * few milliseconds until a stop file appears, then prints how many samples it
 * took and in how many some device had no carrier. With the links up,
 * carrier is LOWER_UP.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';

export interface CarrierSamples {
  readonly samples: number;
  readonly down: number;
}

/**
 * A node program inside ns that runs until the stop file exists, then prints
 * its result as its last line (JSON). `started` resolves at its first output.
 */
export function nodeInNetns<T>(ns: string, script: string): { readonly started: Promise<void>; readonly result: () => Promise<T> } {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  let markStarted!: () => void;
  const started = new Promise<void>((r) => (markStarted = r));
  child.stdout.setEncoding('utf8').on('data', (d: string) => {
    out += d;
    markStarted();
  });
  const done = new Promise<void>((r) => child.once('close', () => r()));
  return {
    started,
    result: async () => {
      await done;
      markStarted();
      return JSON.parse(out.trim().split('\n').at(-1)!) as T;
    },
  };
}

/** Starts sampling; resolves once the first sample is taken. */
export async function pollCarrier(ns: string, devices: readonly string[], stopFile: string, everyMs = 2): Promise<{ stop: () => Promise<CarrierSamples> }> {
  const script = `
    const fs = require('node:fs');
    const pause = new Int32Array(new SharedArrayBuffer(4));
    const devices = ${JSON.stringify(devices)};
    const carrier = (dev) => fs.readFileSync('/sys/class/net/' + dev + '/carrier', 'utf8').trim() === '1';
    let samples = 0, down = 0;
    console.log('sampling');
    while (!fs.existsSync(${JSON.stringify(stopFile)})) {
      samples++;
      if (!devices.every(carrier)) down++;
      Atomics.wait(pause, 0, 0, ${everyMs});
    }
    console.log(JSON.stringify({ samples, down }));`;
  const run = nodeInNetns<CarrierSamples>(ns, script);
  await run.started;
  return {
    stop: async () => {
      writeFileSync(stopFile, '');
      return run.result();
    },
  };
}
