import { createInterface } from 'node:readline';
import { Writable } from 'node:stream';
import { usageError } from './errors.js';

/**
 * Asks for a value on the terminal (the question on stderr), without echoing what is typed when
 * `secret`. Only on a terminal: a script must pass the value as a flag, so without one this is a
 * usage error naming `flag`.
 */
export async function prompt(question: string, options: { secret: boolean; flag: string }): Promise<string> {
  if (!process.stdin.isTTY) throw usageError(`${options.flag} is needed (stdin is not a terminal to ask on).`);
  let muted = false;
  const output = new Writable({
    write(chunk, encoding, done) {
      if (!muted) process.stderr.write(chunk, encoding);
      done();
    },
  });
  const rl = createInterface({ input: process.stdin, output, terminal: true });
  process.stderr.write(question);
  muted = options.secret;
  try {
    return await new Promise<string>((resolve, reject) => {
      rl.once('line', resolve);
      rl.once('close', () => reject(usageError(`${options.flag} is needed.`)));
    });
  } finally {
    muted = false;
    rl.close();
    if (options.secret) process.stderr.write('\n');
  }
}
