import { useAuth } from '../../api/auth.ts';
import { PageHeader } from '../../ui/PageHeader.tsx';
import { ApiKeyList } from './ApiKeyList.tsx';

/** The signed-in identity's own API keys. */
export default function MyApiKeysPage() {
  const auth = useAuth();
  if (auth.status !== 'signed-in') return null;
  return (
    <div className="pc-page">
      <PageHeader
        title="API keys"
        description="Your own API keys: sign in with them from scripts, the CLI and the SDKs. A key acts as you, with your access."
      />
      <ApiKeyList iamId={auth.identity.iamId} title="My API keys" ownerName="yourself" />
    </div>
  );
}
