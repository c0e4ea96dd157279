import { Button, CodeSnippet, InlineNotification } from '@carbon/react';

/**
 * A secret the API shows only once (a new API key's value): copy it, or download it as a file;
 * after this modal closes the console cannot show it again.
 */
export function SecretOnce({ label, value, filename }: { label: string; value: string; filename: string }) {
  const download = () => {
    const url = URL.createObjectURL(new Blob([value + '\n'], { type: 'text/plain' }));
    const anchor = document.createElement('a');
    anchor.href = url;
    anchor.download = filename;
    anchor.click();
    URL.revokeObjectURL(url);
  };
  return (
    <div className="pc-secret">
      <InlineNotification kind="warning" lowContrast hideCloseButton title="Save it now" subtitle={`${label} is shown only once. Copy it or download it before you close this.`} />
      <CodeSnippet type="single" feedback="Copied" aria-label={label} copyButtonDescription={`Copy ${label}`} wrapText>
        {value}
      </CodeSnippet>
      <Button kind="tertiary" size="sm" onClick={download}>
        Download
      </Button>
    </div>
  );
}
