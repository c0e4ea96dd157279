import { createInterface } from 'node:readline';
import { CliError } from './errors.js';

/**
 * Asks a yes/no question on stderr and reads the answer from stdin (a terminal or a pipe). Only
 * `y` or `yes` goes on; anything else, or no input at all, cancels the command with exit code 1.
 */
export async function confirm(question: string): Promise<void> {
  process.stderr.write(`${question} [y/N] `);
  const rl = createInterface({ input: process.stdin });
  const answer = await new Promise<string | undefined>((resolve) => {
    rl.once('line', resolve);
    rl.once('close', () => resolve(undefined));
  });
  rl.close();
  if (answer === undefined) process.stderr.write('\n');
  if (!/^(y|yes)$/i.test((answer ?? '').trim())) throw new CliError('Cancelled (pass -f to skip the question).');
}
