import { describe, expect, it } from 'vitest';
import { reportHolderRestarts } from '../../../src/cli/commands/holder.js';
import type { HolderRestartOutcome } from '../../../src/apply/holder-restart.js';

const BIN = '/nonexistent/libexec/tunform/tunform-helper';

function report(outcomes: readonly HolderRestartOutcome[]): { out: string; err: string } {
  let out = '';
  let err = '';
  reportHolderRestarts(outcomes, BIN, { out: (t) => (out += t), err: (t) => (err += t), color: false });
  return { out, err };
}

describe('reportHolderRestarts (what install-helper says about the holders)', () => {
  it('GIVEN no holder ran WHEN reported THEN it says none was restarted', () => {
    expect(report([])).toEqual({ out: 'No holder runs; none to restart.\n', err: '' });
  });
  it('GIVEN a hand-over and a systemctl restart onto the installed binary WHEN reported THEN one line each', () => {
    expect(
      report([
        { restarted: { oldPid: 10, newPid: 11, helper: BIN, via: 'hand-over' } },
        { netns: 'blue', restarted: { oldPid: 20, newPid: 21, helper: BIN, via: 'systemctl', unit: 'tunform-holder@blue.service' } },
      ]),
    ).toEqual({
      out:
        "Restarted this namespace's holder by a hand-over: pid 10 -> pid 11, every device kept.\n" +
        "Restarted the holder of netns 'blue' with systemctl restart tunform-holder@blue.service: pid 20 -> pid 21, every device kept.\n",
      err: '',
    });
  });
  it("GIVEN systemctl restarted the holder onto its unit's own binary WHEN reported THEN it says how to point the unit at the installed one", () => {
    const { out } = report([{ netns: 'blue', restarted: { oldPid: 1, newPid: 2, helper: '/opt/other/tunform-helper', via: 'systemctl', unit: 'tunform-holder@blue.service' } }]);
    expect(out).toBe(
      "Restarted the holder of netns 'blue' with systemctl restart tunform-holder@blue.service: pid 1 -> pid 2, every device kept " +
        `(it runs /opt/other/tunform-helper, its unit's ExecStart, not ${BIN}; to change that: \`TUNFORM_HELPER=${BIN} tunform install-units\`, \`systemctl daemon-reload\`, \`tunform holder restart\`).\n`,
    );
  });
  it('GIVEN a holder that could not be restarted WHEN reported THEN a warning says it still holds its devices', () => {
    expect(report([{ netns: 'red', pid: 7, failed: 'restarting the holder of netns \'red\' failed; the running holder keeps every device: boom' }])).toEqual({
      out: '',
      err: `warning: could not restart the holder of netns 'red' (pid 7) onto ${BIN}: restarting the holder of netns 'red' failed; the running holder keeps every device: boom. It still holds its devices, on the binary it was started from.\n`,
    });
  });
});
