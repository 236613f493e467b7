import type { Io } from '../io.js';
import { checkNetnsOption } from '../netns-option.js';
import { readLiveState } from '../../live/index.js';
import { renderShowJson, renderShowTable } from '../show-render.js';

export interface ShowOptions {
  readonly netns?: string;
  readonly json?: boolean;
}

export async function runShow(opts: ShowOptions, io: Io): Promise<number> {
  checkNetnsOption(opts.netns);
  const live = await readLiveState({ netns: opts.netns });
  io.out(opts.json ? renderShowJson(live) : renderShowTable(live));
  return 0;
}
