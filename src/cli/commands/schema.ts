import type { Io } from '../io.js';
import { specJsonSchema } from '../../spec/index.js';

export async function runSchema(_opts: object, io: Io): Promise<number> {
  io.out(JSON.stringify(specJsonSchema(), null, 2) + '\n');
  return 0;
}
