import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCatalogStore, type CatalogStore, type RegisteredService } from '../../src/catalog/store.js';
import { createWriter, type Writer } from '../../src/store/unit-of-work.js';
import { at, openStore, type StoreFixture } from './support.js';

let fixture: StoreFixture;
let store: CatalogStore;
let writer: Writer;

beforeAll(async () => {
  fixture = await openStore();
  store = createCatalogStore(fixture.database.db);
  writer = createWriter(fixture.database.db);
});
afterAll(async () => fixture.close());

const entry = (name: string, over: Partial<RegisteredService> = {}): RegisteredService => ({
  service: { name, displayName: `Service ${name}`, type: 'service', roles: ['crn:v1:bluemix:public:iam::::role:Viewer'], actions: [] },
  createdAt: at(1),
  createdById: 'IBMid-creator',
  lastModifiedAt: at(1),
  lastModifiedById: 'IBMid-creator',
  entityTag: '1-a',
  ...over,
});

describe('catalog store', () => {
  it('get: undefined for an unknown name; the entry as put otherwise (definition round-trips)', async () => {
    expect(await store.get('no-such-service')).toBeUndefined();
    const e = entry('cat-get');
    await writer.write((w) => store.put(w.trx, e));
    expect(await store.get('cat-get')).toEqual(e);
  });

  it('put replaces an existing entry but keeps its creation fields', async () => {
    await writer.write((w) => store.put(w.trx, entry('cat-replace')));
    const changed = entry('cat-replace', {
      service: { ...entry('cat-replace').service, displayName: 'Renamed' },
      createdAt: at(30),
      createdById: 'IBMid-someone-else',
      lastModifiedAt: at(9),
      lastModifiedById: 'IBMid-editor',
      entityTag: '2-b',
    });
    await writer.write((w) => store.put(w.trx, changed));
    expect(await store.get('cat-replace')).toEqual({ ...changed, createdAt: at(1), createdById: 'IBMid-creator' });
  });

  it('list returns every entry in name order', async () => {
    for (const name of ['cat-list-c', 'cat-list-a', 'cat-list-b']) await writer.write((w) => store.put(w.trx, entry(name)));
    const names = (await store.list()).map((e) => e.service.name);
    expect(names).toEqual([...names].sort());
    expect(names).toEqual(expect.arrayContaining(['cat-list-a', 'cat-list-b', 'cat-list-c']));
  });

  it('delete removes the entry; deleting an unknown name changes nothing', async () => {
    await writer.write((w) => store.put(w.trx, entry('cat-delete')));
    const before = (await store.list()).length;
    await writer.write((w) => store.delete(w.trx, 'cat-delete'));
    expect(await store.get('cat-delete')).toBeUndefined();
    await writer.write((w) => store.delete(w.trx, 'cat-delete'));
    expect((await store.list()).length).toBe(before - 1);
  });

  it('get sees the write transaction it is given', async () => {
    await writer.write(async (w) => {
      await store.put(w.trx, entry('cat-in-trx'));
      expect(await store.get('cat-in-trx', w.trx)).toBeDefined();
    });
  });
});
