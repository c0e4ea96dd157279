import type { MailMessage } from '../mail/mailer.js';

/**
 * The e-mail with a password-reset link: the secret reaches the owner of the address only, and is
 * good once until `expiresAt`. There is no sign-in page (the console is another issue): the message
 * says how to redeem the secret with the JSON endpoint.
 */
export function resetMessage(letter: { email: string; siteUrl: string; secret: string; expiresAt: string }): MailMessage {
  const confirm = `${letter.siteUrl}/signin/password/reset/confirm`;
  return {
    to: letter.email,
    subject: 'Reset your password',
    text: [
      `Someone asked to reset the password of ${letter.email} on ${letter.siteUrl}.`,
      '',
      'To choose a new password, send this reset secret with it (the secret can be used once):',
      '',
      `  curl -X POST '${confirm}' \\`,
      `    -H 'Content-Type: application/json' \\`,
      `    -d '{"token": "${letter.secret}", "password": "<your new password>"}'`,
      '',
      `The secret expires at ${letter.expiresAt}. If you did not ask for it, ignore this message: your`,
      'password stays as it is.',
      '',
    ].join('\n'),
  };
}
