import { InlineNotification } from '@carbon/react';
import { describeError } from '../api/errors.ts';

/** An API refusal (or any error): the API's message and the request's transaction id. */
export function ErrorNotice({ error, title = 'Something went wrong', onClose }: { error: unknown; title?: string; onClose?: () => void }) {
  const { message, transactionId } = describeError(error);
  return (
    <InlineNotification
      kind="error"
      role="alert"
      title={title}
      subtitle={transactionId ? `${message} (transaction ID ${transactionId})` : message}
      lowContrast
      hideCloseButton={!onClose}
      onClose={() => {
        onClose?.();
        return false;
      }}
    />
  );
}
