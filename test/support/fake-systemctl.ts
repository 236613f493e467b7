/**
 * A fake systemctl for one holder unit, for machines where PID 1 is not
 * systemd: it appends each call to WORK/calls and runs the unit's ExecStart
 * (`tunform-helper --netns NS holder-service`) under
 * test/fixtures-py/fake-systemd.py (notify socket, fd store), which it drives
 * through the FIFO WORK/ctl; fake-systemd's answers go to WORK/answers, the
 * holder's stderr to WORK/stderr, and each call's exit status to WORK/results. Like systemctl for a Type=notify unit:
 *   start UNIT               starts it and waits for READY=1; nothing when it runs
 *   restart UNIT             SIGTERM, reap, start with the stored fds, wait for READY=1
 *   show -P MainPID UNIT     the running main process, else 0
 * Point $TUNFORM_SYSTEMCTL at the script; stopFakeSystemctl ends fake-systemd.
 */
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

const script = (w: string, helper: string, netns: string): string => `#!/bin/bash
W='${w}'
echo "$*" >> "$W/calls"
# Each call's exit status, so a test sees a systemctl that failed (an apply goes on without it).
trap 'echo "$? $*" >> "$W/results"' EXIT
touch "$W/answers"
answered() { grep -cE '^(ready|timeout)' "$W/answers"; }
# Waits for one more ready/timeout answer than $1; fails on timeout.
await_ready() {
  for i in $(seq 100); do
    [ "$(answered)" -gt "$1" ] && { tail -n 1 "$W/answers" | grep -q '^ready'; return; }
    sleep 0.1
  done
  return 1
}
running() { [ -e "$W/keeper.pid" ] && kill -0 "$(cat "$W/keeper.pid")" 2>/dev/null; }
case "$1" in
start)
  running && exit 0
  rm -f "$W/ctl" "$W/notify"; mkfifo "$W/ctl"
  python3 '${join(repoRoot, 'test', 'fixtures-py', 'fake-systemd.py')}' "$W/notify" -- '${helper}' --netns '${netns}' holder-service < "$W/ctl" >> "$W/answers" 2>> "$W/stderr" &
  # Holds the FIFO open (so fake-systemd and its fd store live on after this systemctl returns, as PID 1 would);
  # nothing in the background keeps this script's stdout, so the caller sees systemctl end.
  n=$(answered)
  (exec 3> "$W/ctl"; echo start >&3; echo ready >&3; exec sleep 300) < /dev/null > /dev/null 2>&1 &
  echo $! > "$W/keeper.pid"
  await_ready "$n";;
restart)
  running || exec "$0" start "$2"
  n=$(answered)
  printf 'stop\\nstart\\nready\\n' > "$W/ctl"
  await_ready "$n";;
show)
  [ "$2 $3" = "-P MainPID" ] || exit 1
  last=$(grep -E '^(started|stopped|killed) ' "$W/answers" 2>/dev/null | tail -n 1)
  if running && [ "\${last%% *}" = started ]; then echo "\${last#started }"; else echo 0; fi;;
*) exit 1;;
esac
`;

/** Writes the fake systemctl for ns's holder unit into work; returns its path. */
export function writeFakeSystemctl(work: string, helper: string, netns: string): string {
  const path = join(work, 'systemctl');
  writeFileSync(path, script(work, helper, netns));
  chmodSync(path, 0o755);
  return path;
}

/** The main pid fake-systemd last started. */
export const lastStarted = (work: string): number => Number([...readFileSync(join(work, 'answers'), 'utf8').matchAll(/^started (\d+)$/gm)].at(-1)![1]);

/** The calls that exited non-zero, as `STATUS ARGS...`. */
export const failedCalls = (work: string): string[] =>
  readFileSync(join(work, 'results'), 'utf8')
    .split('\n')
    .filter((l) => l !== '' && !l.startsWith('0 '));

/** Ends the keeper, so fake-systemd reads EOF and exits (the holder it started lives on until its namespace goes). */
export function stopFakeSystemctl(work: string): void {
  try {
    process.kill(Number(readFileSync(join(work, 'keeper.pid'), 'utf8')), 'SIGKILL');
  } catch {
    /* never started */
  }
}
