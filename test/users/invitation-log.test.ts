import { afterAll, describe, expect, it } from 'vitest';
import { databaseFlags, startServe, until, type ServeProcess } from '../cli/portcullis-process.js';
import { invitationClient } from '../enterprise/clients.js';
import { createTestDatabase, type TestDatabase } from '../helpers/database.js';
import { usersClient } from '../helpers/sdk.js';
import { messagesTo, secretsIn } from './outbox.js';

describe('the invitation secret in the log', () => {
  let db: TestDatabase | undefined;
  let server: ServeProcess | undefined;
  afterAll(async () => {
    await server?.kill();
    await db?.drop();
  });

  it('never appears at info level: the log names the outbox file instead', async () => {
    db = await createTestDatabase();
    server = await startServe([...databaseFlags(db), '--log-level', 'info']);
    const { accountId, apikey } = server.bootstrap!;
    const users = usersClient(server.url, apikey);
    await users.inviteUsers({ accountId, users: [{ email: 'logged@example.com', account_role: 'Member' }] });

    const [mail] = messagesTo(db.dataDir, 'logged@example.com');
    const [secret] = secretsIn(mail!.text);
    expect(secret).toBeDefined();
    const log = await until(server.stdout, (text) => text.includes('"user invited"'));
    const line = log.split('\n').find((l) => l.includes('"user invited"'))!;
    expect(JSON.parse(line)).toMatchObject({ level: 30, email: 'logged@example.com', outbox_file: mail!.file });

    // Accepting with it logs the request, never the credential.
    expect((await invitationClient(server.url, secret!).accept({ accountId })).status).toBe(202);
    await until(server.stdout, (text) => text.includes('/v2/users/accept') && /"statusCode":202/.test(text));
    expect(server.stdout()).not.toContain(secret!);
    expect(server.stdout()).not.toContain(secret!.slice('invite-'.length));
    expect(server.stderr()).not.toContain(secret!.slice('invite-'.length));
  });
});
