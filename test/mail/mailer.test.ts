import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createMailer } from '../../src/mail/mailer.js';

/**
 * A minimal SMTP server on 127.0.0.1 (enough of RFC 5321 for one plain, unauthenticated
 * delivery): it records the envelope and the message data it was given.
 */
function fakeSmtp(): Promise<{ server: Server; port: number; received: Array<{ from: string; to: string[]; data: string }> }> {
  const received: Array<{ from: string; to: string[]; data: string }> = [];
  const server = createServer((socket) => {
    let buffer = '';
    let inData = false;
    let current = { from: '', to: [] as string[], data: '' };
    socket.write('220 fake ESMTP\r\n');
    socket.on('data', (chunk) => {
      buffer += chunk.toString('utf8');
      for (;;) {
        if (inData) {
          const end = buffer.indexOf('\r\n.\r\n');
          if (end < 0) return;
          current.data = buffer.slice(0, end);
          buffer = buffer.slice(end + 5);
          inData = false;
          received.push(current);
          current = { from: '', to: [], data: '' };
          socket.write('250 2.0.0 queued\r\n');
          continue;
        }
        const eol = buffer.indexOf('\r\n');
        if (eol < 0) return;
        const line = buffer.slice(0, eol);
        buffer = buffer.slice(eol + 2);
        const verb = line.slice(0, 4).toUpperCase();
        if (verb === 'EHLO' || verb === 'HELO') socket.write('250 fake\r\n');
        else if (verb === 'MAIL') (current.from = line), socket.write('250 2.1.0 ok\r\n');
        else if (verb === 'RCPT') current.to.push(line), socket.write('250 2.1.5 ok\r\n');
        else if (verb === 'DATA') (inData = true), socket.write('354 go ahead\r\n');
        else if (verb === 'QUIT') socket.end('221 bye\r\n');
        else socket.write('250 ok\r\n');
      }
    });
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      resolve({ server, port: typeof address === 'object' && address ? address.port : 0, received });
    }),
  );
}

const cleanup: Array<() => void> = [];
afterAll(() => {
  for (const step of cleanup) step();
});

describe('mailer', () => {
  const message = { to: 'someone@example.com', subject: 'Hello', text: 'The secret is invite-abc.' };

  it('writes each message as a private .eml file when no SMTP server is configured', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portcullis-mail-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const outboxDir = join(dir, 'outbox');
    const mailer = createMailer({ smtpUrl: '', from: 'Portcullis <p@example.com>', outboxDir, now: () => new Date('2030-01-02T03:04:05Z') });
    const first = await mailer.send(message);
    const second = await mailer.send(message);
    expect(first.via).toBe('outbox');
    if (first.via !== 'outbox' || second.via !== 'outbox') throw new Error('expected outbox deliveries');
    expect(first.file).not.toBe(second.file);
    expect(first.file.startsWith(`${outboxDir}/2030-01-02T03-04-05-000Z-`)).toBe(true);
    expect(statSync(outboxDir).mode & 0o777).toBe(0o700);
    expect(statSync(first.file).mode & 0o777).toBe(0o600);
    const eml = readFileSync(first.file, 'utf8');
    expect(eml).toMatch(/^To: someone@example\.com$/m);
    expect(eml).toMatch(/^From: Portcullis <p@example\.com>$/m);
    expect(eml).toContain('The secret is invite-abc.');
    mailer.close();
  });

  it('sends through the configured SMTP server, and names the message id, not its content', async () => {
    const smtp = await fakeSmtp();
    cleanup.push(() => smtp.server.close());
    const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${smtp.port}`, from: 'p@example.com', outboxDir: '/nonexistent', now: () => new Date() });
    const delivery = await mailer.send(message);
    expect(delivery.via).toBe('smtp');
    expect(JSON.stringify(delivery)).not.toContain('invite-abc');
    expect(smtp.received).toHaveLength(1);
    expect(smtp.received[0]!.to).toEqual(['RCPT TO:<someone@example.com>']);
    expect(smtp.received[0]!.data).toContain('The secret is invite-abc.');
    mailer.close();
  });

  it('rejects when the SMTP server cannot be reached', async () => {
    const smtp = await fakeSmtp();
    const port = smtp.port;
    await new Promise((resolve) => smtp.server.close(resolve));
    const mailer = createMailer({ smtpUrl: `smtp://127.0.0.1:${port}`, from: 'p@example.com', outboxDir: '/nonexistent', now: () => new Date() });
    await expect(mailer.send(message)).rejects.toThrow();
    mailer.close();
  });
});
