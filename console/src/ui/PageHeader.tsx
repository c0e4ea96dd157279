import { Breadcrumb, BreadcrumbItem, Button } from '@carbon/react';
import type { ReactNode } from 'react';
import { followLink, hrefOf } from '../shell/router.ts';

/** A page's title, with a breadcrumb back to its list on detail pages, and actions on the right. */
export function PageHeader({ title, description, back, actions }: { title: string; description?: ReactNode; back?: { label: string; path: string }; actions?: ReactNode }) {
  return (
    <header className="pc-page-header">
      {back ? (
        <Breadcrumb noTrailingSlash>
          <BreadcrumbItem href={hrefOf(back.path)} onClick={followLink(back.path)}>
            {back.label}
          </BreadcrumbItem>
        </Breadcrumb>
      ) : null}
      <div className="pc-page-header__row">
        <h1 className="pc-title">{title}</h1>
        {actions ? <div className="pc-page-header__actions">{actions}</div> : null}
      </div>
      {description ? <p className="pc-description">{description}</p> : null}
    </header>
  );
}

/** A detail page's "Edit" and "Delete" buttons (PageHeader `actions`), with `between` them (e.g. "Lock"). */
export function EditDeleteActions({ onEdit, onDelete, disabled, between }: { onEdit: () => void; onDelete: () => void; disabled?: boolean; between?: ReactNode }) {
  return (
    <>
      <Button kind="tertiary" onClick={onEdit} disabled={disabled}>
        Edit
      </Button>
      {between}
      <Button kind="danger--tertiary" onClick={onDelete} disabled={disabled}>
        Delete
      </Button>
    </>
  );
}
