/** What `--host` forwards to the remote tunform: the options the user gave, not defaults, transport or source options. */
import { Command, Option } from 'commander';
import { describe, expect, it } from 'vitest';
import { forwardedArgs } from '../../../src/cli/remote.js';

function parsed(argv: string[], env: Record<string, string> = {}): { cmd: Command; opts: Record<string, unknown> } {
  const saved = { ...process.env };
  Object.assign(process.env, env);
  try {
    const cmd = new Command('apply')
      .exitOverride()
      .option('-f, --file <path>')
      .option('--netns <name>')
      .option('--json')
      .option('--no-prune')
      .option('--device <name...>')
      .addOption(new Option('--generation <id>').env('TUNFORM_TEST_GENERATION'))
      .option('--host <url>')
      .option('--identity <file>');
    cmd.parse(argv, { from: 'user' });
    return { cmd, opts: cmd.opts() };
  } finally {
    process.env = saved;
  }
}

describe('forwardedArgs', () => {
  it('GIVEN only a source and transport options WHEN forwarded THEN nothing else is sent (defaults stay the remote defaults)', () => {
    const { cmd, opts } = parsed(['-f', 'a.yaml', '--host', 'ssh://h', '--identity', 'k']);
    expect(forwardedArgs(cmd, opts)).toEqual([]);
  });
  it('GIVEN flags, a negated flag, values and a variadic WHEN forwarded THEN each is sent as given, values in --key=value form', () => {
    const { cmd, opts } = parsed(['--netns', '-odd', '--json', '--no-prune', '--device', 'a', 'b', '-f', 'x']);
    expect(forwardedArgs(cmd, opts)).toEqual(['--netns=-odd', '--json', '--no-prune', '--device=a', '--device=b']);
  });
  it('GIVEN a value from the local environment WHEN forwarded THEN it is sent as an option (ssh does not carry the environment)', () => {
    const { cmd, opts } = parsed(['-f', 'x'], { TUNFORM_TEST_GENERATION: 'g1' });
    expect(forwardedArgs(cmd, opts)).toEqual(['--generation=g1']);
  });
});
