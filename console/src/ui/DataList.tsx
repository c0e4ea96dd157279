import {
  Button,
  DataTableSkeleton,
  Link,
  OverflowMenu,
  OverflowMenuItem,
  Pagination,
  Table,
  TableBody,
  TableCell,
  TableContainer,
  TableHead,
  TableHeader,
  TableRow,
  TableToolbar,
  TableToolbarContent,
  TableToolbarSearch,
} from '@carbon/react';
import { useEffect, useRef, useState, type ReactNode } from 'react';
import { followLink, hrefOf } from '../shell/router.ts';
import { ErrorNotice } from './ErrorNotice.tsx';
import { counted, noun } from './counted.ts';

const ITEMS = noun('item');
const PAGES = noun('page');

/**
 * The list building block: a Carbon data table over one API list, with search, sort and
 * pagination that follow the API's own parameters (the page's `load` maps them), and the empty and
 * error states (the API's message and transaction id).
 *
 * Pagination follows cursors: `load` gets the cursor of the page to show (undefined for the first)
 * and returns the items and the next page's cursor (`cursorOf(response.next)`); the table keeps
 * the cursors of the pages seen, so "previous" goes back without the API having to offer it.
 */

export interface Column<T> {
  key: string;
  header: string;
  cell: (item: T) => ReactNode;
  /** The API can sort by this column (the key is what `load` receives in `sort.key`). */
  sortable?: boolean;
  /** False when the API sorts this column ascending only: a click toggles ascending / unsorted. */
  descending?: boolean;
}

export interface Sort {
  key: string;
  direction: 'ASC' | 'DESC';
}

export interface ListQuery {
  pageSize: number;
  cursor: string | undefined;
  search: string;
  sort: Sort | undefined;
}

export interface ListResult<T> {
  items: T[];
  /** The cursor of the next page; absent on the last one. */
  next?: string | undefined;
  /** How many items there are in all, when the API says. */
  total?: number | undefined;
}

/**
 * The items whose text contains the search (any case): a list's search where the API has no filter,
 * over the page loaded (say so in the search label).
 */
export function narrowed<T>(items: T[], search: string, text: (item: T) => (string | undefined)[]): T[] {
  const wanted = search.trim().toLowerCase();
  if (!wanted) return items;
  return items.filter((item) => text(item).some((value) => value?.toLowerCase().includes(wanted)));
}

export interface RowAction<T> {
  label: string;
  onClick: (item: T) => void;
  danger?: boolean;
  /** Hides the action for items it does not apply to (e.g. "Unlock" on an unlocked item). */
  hidden?: (item: T) => boolean;
}

export interface DataListProps<T> {
  /** The table's title (also its accessible name). */
  title: string;
  description?: string;
  columns: Column<T>[];
  rowKey: (item: T) => string;
  load: (query: ListQuery) => Promise<ListResult<T>>;
  /** The search box's label; without it the list has no search. */
  searchLabel?: string;
  /** The toolbar's primary button (e.g. "Create service ID"). */
  primaryAction?: { label: string; onClick: () => void };
  rowActions?: RowAction<T>[];
  /** Makes the first column a link to the item's detail page (a console path). */
  rowPath?: (item: T) => string;
  empty: { title: string; text?: string };
  /** Change it to load the current page again (after a create, edit or delete). */
  reloadKey?: unknown;
  pageSizes?: number[];
}

export function DataList<T>(props: DataListProps<T>) {
  const { columns, load, reloadKey } = props;
  const pageSizes = props.pageSizes ?? [20, 50, 100];
  const [pageSize, setPageSize] = useState(pageSizes[0]!);
  const [page, setPage] = useState(1);
  /** cursors[i]: the cursor of page i + 1. */
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [search, setSearch] = useState('');
  const [sort, setSort] = useState<Sort | undefined>(undefined);
  const [result, setResult] = useState<ListResult<T> | undefined>(undefined);
  const [error, setError] = useState<unknown>(undefined);
  const [loading, setLoading] = useState(true);
  const latest = useRef(0);

  useEffect(() => {
    const call = ++latest.current;
    setLoading(true);
    const timer = setTimeout(
      () => {
        load({ pageSize, cursor: cursors[page - 1], search: search.trim(), sort })
          .then((loaded) => {
            if (call !== latest.current) return;
            setResult(loaded);
            setError(undefined);
            setCursors((known) => {
              const next = known.slice(0, page);
              next[page] = loaded.next;
              return next;
            });
          })
          .catch((failure: unknown) => {
            if (call === latest.current) setError(failure);
          })
          .finally(() => {
            if (call === latest.current) setLoading(false);
          });
      },
      search ? 250 : 0,
    );
    return () => clearTimeout(timer);
    // `cursors` changes with every load; the page's cursor is read when the page changes.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [load, page, pageSize, search, sort, reloadKey]);

  const restart = () => {
    setPage(1);
    setCursors([undefined]);
  };

  const toggleSort = (column: Column<T>) => {
    const key = column.key;
    const descending = column.descending !== false;
    setSort((current) =>
      current?.key !== key ? { key, direction: 'ASC' } : current.direction === 'ASC' && descending ? { key, direction: 'DESC' } : undefined,
    );
    restart();
  };

  const items = result?.items ?? [];
  const actions = props.rowActions ?? [];
  const lastPage = !cursors[page];

  return (
    <div className="pc-datalist">
      {error !== undefined ? <ErrorNotice error={error} title={`Could not load ${props.title.toLowerCase()}`} /> : null}
      <TableContainer title={props.title} description={props.description}>
        <TableToolbar aria-label={`${props.title} toolbar`}>
          <TableToolbarContent>
            {props.searchLabel ? (
              <TableToolbarSearch
                persistent
                labelText={props.searchLabel}
                placeholder={props.searchLabel}
                value={search}
                onChange={(event: '' | React.ChangeEvent<HTMLInputElement>) => {
                  setSearch(event === '' ? '' : event.target.value);
                  restart();
                }}
              />
            ) : null}
            {props.primaryAction ? (
              <Button kind="primary" onClick={props.primaryAction.onClick}>
                {props.primaryAction.label}
              </Button>
            ) : null}
          </TableToolbarContent>
        </TableToolbar>
        {loading && !result ? (
          <DataTableSkeleton showHeader={false} showToolbar={false} columnCount={columns.length + (actions.length ? 1 : 0)} rowCount={3} aria-label={`${props.title} loading`} />
        ) : (
          <Table aria-label={props.title} size="md" useZebraStyles={false}>
            <TableHead>
              <TableRow>
                {columns.map((column) =>
                  column.sortable ? (
                    <TableHeader
                      key={column.key}
                      isSortable
                      isSortHeader={sort?.key === column.key}
                      sortDirection={sort?.key === column.key ? sort.direction : 'NONE'}
                      onClick={() => toggleSort(column)}
                    >
                      {column.header}
                    </TableHeader>
                  ) : (
                    <TableHeader key={column.key}>{column.header}</TableHeader>
                  ),
                )}
                {actions.length ? (
                  <TableHeader key="actions">
                    <span className="pc-visually-hidden">Actions</span>
                  </TableHeader>
                ) : null}
              </TableRow>
            </TableHead>
            <TableBody aria-busy={loading}>
              {items.length === 0 && !loading && error === undefined ? (
                <TableRow>
                  <TableCell colSpan={columns.length + (actions.length ? 1 : 0)}>
                    <div className="pc-empty">
                      <p className="pc-empty__title">{search ? `Nothing matches “${search}”` : props.empty.title}</p>
                      {props.empty.text && !search ? <p>{props.empty.text}</p> : null}
                    </div>
                  </TableCell>
                </TableRow>
              ) : null}
              {items.map((item) => {
                const key = props.rowKey(item);
                const visible = actions.filter((action) => !action.hidden?.(item));
                return (
                  <TableRow key={key}>
                    {columns.map((column, index) => {
                      const content = column.cell(item);
                      const path = index === 0 ? props.rowPath?.(item) : undefined;
                      return (
                        <TableCell key={column.key}>
                          {path ? (
                            <Link href={hrefOf(path)} onClick={followLink(path)}>
                              {content}
                            </Link>
                          ) : (
                            content
                          )}
                        </TableCell>
                      );
                    })}
                    {actions.length ? (
                      <TableCell className="cds--table-column-menu">
                        {visible.length ? (
                          <OverflowMenu aria-label={`Actions for ${key}`} iconDescription={`Actions for ${key}`} flipped size="sm">
                            {visible.map((action) => (
                              <OverflowMenuItem key={action.label} itemText={action.label} isDelete={action.danger} onClick={() => action.onClick(item)} />
                            ))}
                          </OverflowMenu>
                        ) : null}
                      </TableCell>
                    ) : null}
                  </TableRow>
                );
              })}
            </TableBody>
          </Table>
        )}
        <Pagination
          page={page}
          pageSize={pageSize}
          pageSizes={pageSizes}
          totalItems={result?.total}
          pagesUnknown={result?.total === undefined}
          isLastPage={lastPage}
          itemsPerPageText="Items per page:"
          pageRangeText={(_current: number, total: number) => (result?.total === undefined ? '' : `of ${counted(total, PAGES)}`)}
          itemRangeText={(min: number, max: number, total: number) => `${min}–${Math.min(max, total)} of ${counted(total, ITEMS)}`}
          itemText={(min: number) => (items.length === 0 ? counted(0, ITEMS) : items.length === 1 ? `item ${min}` : `items ${min}–${min + items.length - 1}`)}
          onChange={(change: { page: number; pageSize: number }) => {
            if (change.pageSize !== pageSize) {
              setPageSize(change.pageSize);
              restart();
            } else if (change.page < page || cursors[page]) {
              setPage(change.page);
            }
          }}
        />
      </TableContainer>
    </div>
  );
}
