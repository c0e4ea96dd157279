import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The invitation e-mails a server wrote to `<dataDir>/outbox`, decoded enough to read. */
export function outboxMessages(dataDir: string): Array<{ file: string; text: string }> {
  const dir = join(dataDir, 'outbox');
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .sort()
    .map((name) => {
      const file = join(dir, name);
      // Quoted-printable soft line breaks join long lines again.
      return { file, text: readFileSync(file, 'utf8').replace(/=\r?\n/g, '') };
    });
}

const SECRET = /invite-[A-Za-z0-9_-]{20,}/g;

/** The messages addressed to `email`. */
export const messagesTo = (dataDir: string, email: string) =>
  outboxMessages(dataDir).filter((m) => new RegExp(`^To: ${email.replace(/[.+]/g, '\\$&')}$`, 'im').test(m.text));

/** Every invitation secret in the messages to `email`. */
export const secretsIn = (text: string) => [...text.matchAll(SECRET)].map((m) => m[0]);

/** The secret of the latest invitation mailed to `email` (fails when there is none). */
export function secretFor(dataDir: string, email: string): string {
  const secret = messagesTo(dataDir, email).flatMap((m) => secretsIn(m.text)).at(-1);
  if (!secret) throw new Error(`no invitation secret was mailed to ${email}`);
  return secret;
}
