export async function main(_argv: string[]): Promise<number> {
  process.stderr.write('tunform: not built yet\n');
  return 70;
}
