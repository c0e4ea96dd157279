import { api, data } from '../../api/client.ts';
import type { paths } from '../../api/schema';

/** A service ID and an API key as the identity API returns them (types from the OpenAPI document). */
export type ServiceId = paths['/v1/serviceids']['get']['responses'][200]['content']['application/json']['serviceids'][number];
export type ApiKey = paths['/v1/apikeys']['get']['responses'][200]['content']['application/json']['apikeys'][number];

export async function lockServiceId(id: string, locked: boolean): Promise<void> {
  const params = { params: { path: { id } } };
  await data(locked ? api.POST('/v1/serviceids/{id}/lock', params) : api.DELETE('/v1/serviceids/{id}/lock', params));
}

export async function lockApiKey(id: string, locked: boolean): Promise<void> {
  const params = { params: { path: { id } } };
  await data(locked ? api.POST('/v1/apikeys/{id}/lock', params) : api.DELETE('/v1/apikeys/{id}/lock', params));
}
