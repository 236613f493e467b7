/**
 * `tunform serve --stdio` (hidden): tunform commands for one caller over
 * stdin and stdout, so a caller over SSH (the provider with a `host`,
 * src/sys/ssh-session.ts) starts Node on the host once, not once per call.
 *
 * It prints a greeting line ({"tunformServe":1,"version":...}), then answers
 * each request line ({"id","args","input"}) with one line {"id","code",
 * "stdout","stderr"}: what `tunform ARGS` with INPUT on its stdin would have
 * exited with and printed, since each request runs the same CLI entry point
 * with its own output and stdin. Requests run as they arrive (as separate
 * processes would); each command takes the namespace's lock itself, through
 * one lock helper and one set of `ip` readers per namespace kept for the
 * session (EngineSessions, as the local provider has), so a --device run
 * reads only its devices. At the end of stdin it finishes what runs, ends
 * the helpers and exits 0.
 */
import { createInterface } from 'node:readline';
import { EXIT_CODES, invalidInput } from '../../errors.js';
import type { Io } from '../io.js';
import type { EngineIo } from '../../apply/apply.js';
import { EngineSessions } from '../../apply/sessions.js';
import { packageVersion } from '../../sys/version.js';
import { SERVE_PROTOCOL, type ServeAnswer, type ServeGreeting, type ServeRequest } from '../../sys/ssh-session.js';

export interface ServeOptions {
  readonly stdio?: boolean;
}

/** The CLI entry point a request runs through (main, handed in so this module does not import it). */
export type RunCommand = (argv: string[], io: Io) => Promise<number>;

const isRequest = (v: unknown): v is ServeRequest => {
  const r = v as ServeRequest | null;
  return (
    typeof r === 'object' && r !== null && Number.isSafeInteger(r.id) && Array.isArray(r.args) && r.args.every((a) => typeof a === 'string') && (r.input === undefined || typeof r.input === 'string')
  );
};

/** One request, run with its own output and stdin. */
async function answer(request: ServeRequest, run: RunCommand, engine: EngineIo): Promise<ServeAnswer> {
  let stdout = '';
  let stderr = '';
  const io: Io = { out: (t) => void (stdout += t), err: (t) => void (stderr += t), color: false, errTty: false, stdin: async () => request.input ?? '', engine };
  // A serve inside a serve would read the same stdin.
  if (request.args[0] === 'serve') return { id: request.id, code: 1, stdout: '', stderr: "tunform serve: a request cannot run 'serve'\n" };
  try {
    const code = await run([...request.args], io);
    return { id: request.id, code, stdout, stderr };
  } catch (e) {
    // main reports every error itself; this is only so that a caller is never left waiting.
    return { id: request.id, code: EXIT_CODES.bug, stdout, stderr: `${stderr}tunform serve: ${String(e)}
` };
  }
}

export async function runServe(opts: ServeOptions, io: Io, run: RunCommand): Promise<number> {
  if (opts.stdio !== true) throw invalidInput("'serve' needs '--stdio' (requests on stdin, answers on stdout)");
  const greeting: ServeGreeting = { tunformServe: SERVE_PROTOCOL, version: packageVersion() };
  io.out(`${JSON.stringify(greeting)}\n`);
  const running = new Set<Promise<void>>();
  // One lock helper and one set of `ip` readers per namespace for the whole session: the provider sends one apply per
  // batch of about ten devices, and starting them per request cost more than the batch's kernel work.
  const engine = new EngineSessions();
  for await (const line of createInterface({ input: process.stdin, crlfDelay: Infinity })) {
    if (line.trim() === '') continue;
    let request: unknown;
    try {
      request = JSON.parse(line);
    } catch {
      request = undefined;
    }
    if (!isRequest(request)) {
      // Without an id there is no one to answer: say it where a person would look.
      io.err(`tunform serve: ignored a line that is not a request ({"id": N, "args": [...], "input"?: "..."}): ${line.slice(0, 200)}\n`);
      continue;
    }
    const done: Promise<void> = answer(request, run, engine).then((a) => {
      io.out(`${JSON.stringify(a)}\n`);
      running.delete(done);
    });
    running.add(done);
  }
  await Promise.all(running);
  await engine.close();
  return 0;
}
