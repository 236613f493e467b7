/**
 * YAML spec file -> DesiredState. Collects every problem in the file before
 * failing, each located at file:line:column with its key path.
 */
import { YAMLException } from 'js-yaml';
import { invalidInput, type Problem } from '../errors.js';
import type { DesiredState, DeviceSpec } from '../model.js';
import { checkDeviceContext, notADeviceMessage, toDeviceSpec } from './device.js';
import { checkAcrossDevices, type CheckedDevice } from './device-set.js';
import type { SystemLookup } from './lookup.js';
import { ProblemSink, sortByPosition } from './problems.js';
import { DEVICE_KEYS, netnsNameSchema, specSchema, TOP_LEVEL_KEYS, type ParsedDevice } from './schema.js';
import { netnsMissingMessage, showValue } from './show.js';
import { parseYamlLazyPositions, type PositionIndex } from './yaml-positions.js';
import { decodeSpec, readSpecBytes } from './read-spec.js';
import { expandsBeyond, expansionBudget, secondDocumentLine } from './yaml-limits.js';
import { reportIssues } from './zod-issues.js';
import { fastSpec } from './fast-path.js';

export interface LoadOptions {
  /** `--netns`: replaces the file's netns; the existence check applies to this one. */
  readonly netnsOverride?: string;
  readonly lookup: SystemLookup;
  /**
   * Called once the YAML is parsed, before validation, with the namespace the
   * spec will most likely use. Lets a caller start reading live state while
   * validation runs; the guess may still turn out invalid.
   */
  readonly onNetnsGuess?: (netns: string | undefined) => void;
}

export interface LoadedSpec {
  readonly desired: DesiredState;
  readonly warnings: Problem[];
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads and validates a spec file; throws invalidInput listing every problem. */
export async function loadSpecFile(path: string, opts: LoadOptions): Promise<LoadedSpec> {
  return parseSpecText(await readSpecFile(path), path, opts);
}

/** A spec file's text (also what `--host` sends to the remote tunform), read so that no file can hurt (read-spec.ts). */
export async function readSpecFile(path: string): Promise<string> {
  return decodeSpec(await readSpecBytes(path), path);
}

/** Validates spec text; `file` is used in problems and messages only. */
export function parseSpecText(text: string, file: string, opts: LoadOptions): LoadedSpec {
  let doc: unknown;
  let positions: PositionIndex;
  try {
    ({ value: doc, positions } = parseYamlLazyPositions(text));
    // An empty document loads as undefined, which zod would treat as a missing key rather than a wrong value.
    if (doc === undefined) doc = null;
  } catch (e) {
    if (!(e instanceof YAMLException)) throw e;
    throw invalidInput(summary(file, 1), [yamlProblem(e, text, file)]);
  }
  if (text.includes('*') && expandsBeyond(doc, expansionBudget(text))) {
    throw invalidInput(summary(file, 1), [
      { file, message: `YAML aliases make this spec expand to more than ${expansionBudget(text)} values and characters; write the values out instead` },
    ]);
  }

  if (opts.onNetnsGuess) {
    const fromFile = isRecord(doc) && typeof doc.netns === 'string' ? doc.netns : undefined;
    opts.onNetnsGuess(opts.netnsOverride ?? fromFile);
  }

  const sink = new ProblemSink({ file, positions });
  // A plainly valid spec skips zod's object parse; anything else gets the full schema and its messages.
  const fast = fastSpec(doc);
  const parsed = fast !== undefined ? ({ success: true, data: fast } as const) : specSchema.safeParse(doc, { reportInput: true });
  if (!parsed.success) {
    reportIssues(parsed.error.issues, sink, {
      knownKeysAt: (path) => (path.length === 0 ? TOP_LEVEL_KEYS : DEVICE_KEYS),
      notAMapping: (path, input) =>
        path.length === 0
          ? input === null
            ? `the spec is empty; it must be a mapping with a 'devices' list`
            : `the spec (${showValue(input)}) must be a mapping with a 'devices' list`
          : notADeviceMessage(sink.pathOf(path), input),
    });
  }

  const netns = checkNetns(doc, sink, opts);
  const rawDevices = isRecord(doc) && Array.isArray(doc.devices) ? (doc.devices as unknown[]) : [];
  // The schema pass above already checked each device's values; add the system and cross-device rules.
  const checked: CheckedDevice[] = rawDevices.map((raw, i) => {
    const deviceSink = sink.child(['devices', i]);
    return { raw, sink: deviceSink, facts: checkDeviceContext(raw, deviceSink, opts.lookup), parsed: undefined };
  });
  checkAcrossDevices(checked);

  if (sink.problems.length > 0 || !parsed.success) {
    throw invalidInput(summary(file, sink.problems.length), sortByPosition(sink.problems));
  }
  const devices: DeviceSpec[] = parsed.data.devices.map((d: ParsedDevice, i) => toDeviceSpec(d, (checked[i] as CheckedDevice).facts));
  const desired: DesiredState = netns === undefined ? { devices } : { netns, devices };
  return { desired, warnings: sortByPosition(sink.warnings) };
}

/** A js-yaml error as a located problem. Only the one-document rule comes without a position; it gets the second document's line. */
function yamlProblem(e: YAMLException, text: string, file: string): Problem {
  if (e.mark) return { file, line: e.mark.line + 1, column: e.mark.column + 1, message: `YAML syntax error: ${e.reason}` };
  const line = secondDocumentLine(text);
  if (line === undefined) return { file, message: `YAML syntax error: ${e.reason}` };
  return { file, line, column: 1, message: `a second YAML document starts here ('---'); a spec is one document: merge the devices into one 'devices' list` };
}

/**
 * The effective namespace: --netns wins over the file. Only the effective one
 * must exist; a bad override is reported without a file position.
 */
function checkNetns(doc: unknown, sink: ProblemSink, opts: LoadOptions): string | undefined {
  const fromFile = isRecord(doc) && typeof doc.netns === 'string' ? doc.netns : undefined;
  if (opts.netnsOverride !== undefined) {
    const override = opts.netnsOverride;
    const cliSink = new ProblemSink({}, [], sink);
    const valid = netnsNameSchema.safeParse(override);
    if (!valid.success) {
      for (const issue of valid.error.issues) cliSink.error(['netns'], `${issue.message} (from --netns)`);
    } else if (!opts.lookup.netnsExists(override)) {
      cliSink.error(['netns'], netnsMissing(override));
    }
    return override;
  }
  if (fromFile !== undefined && netnsNameSchema.safeParse(fromFile).success && !opts.lookup.netnsExists(fromFile)) {
    sink.error(['netns'], netnsMissing(fromFile));
  }
  return fromFile;
}

const netnsMissing = netnsMissingMessage;

function summary(file: string, count: number): string {
  return `spec file '${file}' is invalid: ${count} ${count === 1 ? 'problem' : 'problems'}`;
}
