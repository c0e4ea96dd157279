import { Button, ComboBox } from '@carbon/react';
import { useEffect, useRef, useState, type ComponentProps } from 'react';
import { counted, type Noun } from './counted.ts';

/**
 * A searchable picker over a paged API list, for lists longer than one page (an account with
 * 1,000 service IDs can pick the 950th). Two sources feed it:
 *
 * - `browse(cursor)`: one page of every item, in the API's order, and the next page's cursor;
 *   "Load more" appends the next page. What the user types narrows the loaded items here
 *   (case-insensitive, anywhere in the label).
 * - `find(text)` (optional): the API's own filter for what the user typed (exact names for service
 *   IDs and profiles, whole first/last names or e-mails for users, part of a name for access
 *   groups); its hits are listed first whether or not their page was loaded.
 *
 * Give the picker a `key` that changes with its sources: a new key starts a fresh list.
 */
export interface PickerPage<T> {
  items: T[];
  /** The next page's cursor; absent on the last page. */
  next?: string | undefined;
}

export interface PickerSource<T> {
  browse: (cursor: string | undefined) => Promise<PickerPage<T>>;
  find?: (text: string) => Promise<T[]>;
}

/** The combo box's handle on its menu (downshift's actions). */
type MenuActions = NonNullable<ComponentProps<typeof ComboBox>['downshiftActions']>;

export function SearchPicker<T>(props: {
  id: string;
  titleText: string;
  /** What the items are, for the helper text ("1 service ID", "2 service IDs"). */
  noun: Noun;
  source: PickerSource<T>;
  itemKey: (item: T) => string;
  itemLabel: (item: T) => string;
  selected: T | undefined;
  onChange: (item: T | undefined) => void;
  onError: (failure: unknown) => void;
}) {
  const { source, itemKey, itemLabel, onError } = props;
  const [browsed, setBrowsed] = useState<T[]>([]);
  const [next, setNext] = useState<string | undefined>(undefined);
  const [found, setFound] = useState<T[]>([]);
  const [text, setText] = useState('');
  const [loading, setLoading] = useState(true);
  const latestFind = useRef(0);
  const menu: MenuActions = useRef(undefined);

  const more = (cursor: string | undefined) => {
    setLoading(true);
    source
      .browse(cursor)
      .then((page) => {
        setBrowsed((known) => (cursor === undefined ? page.items : [...known, ...page.items]));
        setNext(page.next);
      }, onError)
      .finally(() => setLoading(false));
  };
  // The first page, once per source (a new source comes with a new key).
  // eslint-disable-next-line react-hooks/exhaustive-deps
  useEffect(() => more(undefined), []);

  // The API's look-up of the typed text, a moment after the typing stops; not of a chosen item's label.
  const term = text.trim();
  const lookUp = source.find !== undefined && term !== '' && term !== (props.selected ? itemLabel(props.selected) : undefined);
  useEffect(() => {
    const call = ++latestFind.current;
    if (!lookUp) return setFound([]);
    const timer = setTimeout(() => {
      source.find!(term).then((hits) => call === latestFind.current && setFound(hits), onError);
    }, 250);
    return () => clearTimeout(timer);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [term, lookUp]);

  const needle = term.toLowerCase();
  const seen = new Set<string>();
  const items = [...found, ...browsed.filter((item) => itemLabel(item).toLowerCase().includes(needle))].filter((item) => {
    const key = itemKey(item);
    return seen.has(key) ? false : (seen.add(key), true);
  });
  if (props.selected && !seen.has(itemKey(props.selected))) items.unshift(props.selected);
  // The menu's highlighted option is an index into the items: when they change under it, none is
  // highlighted (else the input names an option that is gone, which screen readers trip over).
  useEffect(() => menu.current?.setHighlightedIndex(-1), [term, items.length]);

  const { many } = props.noun;
  const helper = loading
    ? `Loading ${many}…`
    : next !== undefined
      ? `${counted(browsed.length, props.noun)} loaded, more exist: type a full name to look one up, or load more.`
      : browsed.length === 0
        ? `There are no ${many} to choose from.`
        : browsed.length === 1
          ? `${counted(1, props.noun)} loaded, the only one.`
          : `All ${counted(browsed.length, props.noun)} loaded.`;
  return (
    <div className="pc-picker">
      <ComboBox<T>
        id={props.id}
        titleText={props.titleText}
        placeholder="Type to filter"
        helperText={helper}
        items={items}
        itemToString={(item) => (item ? itemLabel(item) : '')}
        shouldFilterItem={() => true}
        downshiftActions={menu}
        selectedItem={props.selected ?? null}
        onInputChange={(value) => setText(value)}
        onChange={({ selectedItem }) => props.onChange(selectedItem ?? undefined)}
      />
      {next !== undefined ? (
        <Button kind="ghost" size="sm" disabled={loading} onClick={() => more(next)}>
          {`Load more ${many}`}
        </Button>
      ) : null}
    </div>
  );
}
