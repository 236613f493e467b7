import type { Ctx } from './core.js';
import type { Row } from '../lib/report.js';
export async function caseNetworkd(_ctx: Ctx): Promise<Row[]> {
  throw new Error('not yet');
}
export async function caseTraffic(_ctx: Ctx): Promise<Row[]> {
  throw new Error('not yet');
}
