import { randomBytes } from 'node:crypto';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import nodemailer from 'nodemailer';

/**
 * Outgoing e-mail, for secrets that must reach one person only (invitations). Two transports:
 * SMTP through nodemailer when an SMTP URL is configured; otherwise the embedded default, an
 * outbox folder where each message is an RFC 5322 `.eml` file (directory 0700, files 0600: only
 * the server's own user reads what the messages carry). Both build the message with nodemailer.
 */

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
}

/** Where a message went, safe to log: it never carries the message's content. */
export type Delivery = { via: 'smtp'; messageId: string } | { via: 'outbox'; file: string };

export interface Mailer {
  /** Sends one message; rejects when it could not be handed over (SMTP refusal, unwritable outbox). */
  send(message: MailMessage): Promise<Delivery>;
  close(): void;
}

export interface MailerOptions {
  /** `smtp://` or `smtps://` URL (credentials may be in it); empty selects the outbox folder. */
  smtpUrl: string;
  /** The From address. */
  from: string;
  /** The outbox folder (`<dataDir>/outbox`), used when no SMTP URL is set. */
  outboxDir: string;
  /** For the outbox file names (sortable by time). */
  now: () => Date;
}

export function createMailer(options: MailerOptions): Mailer {
  return options.smtpUrl ? smtpMailer(options) : outboxMailer(options);
}

function smtpMailer(options: MailerOptions): Mailer {
  const transport = nodemailer.createTransport(options.smtpUrl);
  return {
    async send(message) {
      const info = await transport.sendMail({ from: options.from, ...message });
      return { via: 'smtp', messageId: String(info.messageId) };
    },
    close: () => transport.close(),
  };
}

function outboxMailer(options: MailerOptions): Mailer {
  const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
  let ready: Promise<void> | undefined;
  // The folder is made private on first use, and tightened if it already existed more open.
  const folder = () =>
    (ready ??= mkdir(options.outboxDir, { recursive: true, mode: 0o700 })
      .then(() => chmod(options.outboxDir, 0o700))
      .catch((error: unknown) => {
        ready = undefined;
        throw error;
      }));
  return {
    async send(message) {
      await folder();
      const info = await transport.sendMail({ from: options.from, ...message });
      const stamp = options.now().toISOString().replace(/[:.]/g, '-');
      const file = join(options.outboxDir, `${stamp}-${randomBytes(6).toString('hex')}.eml`);
      await writeFile(file, info.message as Buffer, { mode: 0o600, flag: 'wx' });
      return { via: 'outbox', file };
    },
    close: () => transport.close(),
  };
}
