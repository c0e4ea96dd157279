import { InlineLoading } from '@carbon/react';

export function Loading({ text = 'Loading…' }: { text?: string }) {
  return <InlineLoading className="pc-loading" description={text} />;
}
