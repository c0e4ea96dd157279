import { Writable } from 'node:stream';
import pino, { type LoggerOptions } from 'pino';
import { describe, expect, it, vi } from 'vitest';
import { lazyChildLoggers, loggerOptions } from '../../src/http/logging.js';

describe('request loggers', () => {
  function setup(level: string) {
    const lines: Array<Record<string, unknown>> = [];
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const parent = pino(loggerOptions(level) as LoggerOptions, stream);
    const made = vi.spyOn(parent, 'child');
    const log = lazyChildLoggers.call(undefined as never, parent, { reqId: 'req-1' }, {}, undefined as never);
    return { lines, made, log };
  }

  it('are made only when a request logs at an enabled level, with the request id and redaction', () => {
    const { lines, made, log } = setup('warn');
    log.info('not logged');
    log.debug({ detail: 1 }, 'not logged');
    expect(made).not.toHaveBeenCalled();
    expect(log.level).toBe('warn');

    log.warn({ apikey: 'secret-key' }, 'logged');
    log.error('logged too');
    expect(made).toHaveBeenCalledTimes(1);
    expect(lines).toMatchObject([
      { level: 40, reqId: 'req-1', apikey: '[REDACTED]', msg: 'logged' },
      { level: 50, reqId: 'req-1', msg: 'logged too' },
    ]);
  });

  it('redact every field that carries a secret, at the top and one level down', () => {
    const { lines, log } = setup('debug');
    const fields = ['apikey', 'password', 'access_token', 'refresh_token', 'cr_token', 'client_secret', 'invitation_token', 'passcode', 'csrf_token', 'recovery_codes', 'secret', 'token', 'accessTokenBody', 'iam_apikey'];
    const values = Object.fromEntries(fields.map((f) => [f, `value-of-${f}`]));
    log.debug({ ...values, body: values }, 'secrets');
    const printed = JSON.stringify(lines);
    for (const f of fields) expect(printed).not.toContain(`value-of-${f}`);
  });

  it('follow a level set on them, and make children that keep the request id', () => {
    const { lines, log } = setup('warn');
    log.level = 'debug';
    log.debug('now logged');
    log.child({ step: 'two' }).info('child line');
    expect(lines).toMatchObject([
      { level: 20, reqId: 'req-1', msg: 'now logged' },
      { level: 30, reqId: 'req-1', step: 'two', msg: 'child line' },
    ]);
  });
});
