import { StructuredListBody, StructuredListCell, StructuredListRow, StructuredListWrapper } from '@carbon/react';
import type { ReactNode } from 'react';

/** The fields of an entity on its detail page: label → value, empty values shown as "—". */
export function Fields({ label, rows }: { label: string; rows: [string, ReactNode][] }) {
  return (
    <StructuredListWrapper aria-label={label} isCondensed className="pc-fields">
      <StructuredListBody>
        {rows.map(([name, value]) => (
          <StructuredListRow key={name}>
            <StructuredListCell noWrap className="pc-fields__name">
              {name}
            </StructuredListCell>
            <StructuredListCell className="pc-fields__value">{value === undefined || value === null || value === '' ? '—' : value}</StructuredListCell>
          </StructuredListRow>
        ))}
      </StructuredListBody>
    </StructuredListWrapper>
  );
}
