import { assignmentOperations } from './assignments.js';
import { createContext, type TemplatesDeps } from './context.js';
import type { TemplateKind } from './kind.js';
import { versionOperations } from './versions.js';

/**
 * The template service of one kind: its versions and its assignments, over the shared store. Every
 * operation is authorized with the kind's catalog actions (`<service>.<resource>.<op>`) on the
 * enterprise account's template or assignment; templates and assignments of other accounts answer
 * like missing ones.
 */
export function createTemplateService<B>(deps: TemplatesDeps, kind: TemplateKind<B>) {
  const ctx = createContext(deps, kind);
  return { templates: versionOperations(ctx), assignments: assignmentOperations(ctx) };
}

export type TemplateService<B> = ReturnType<typeof createTemplateService<B>>;
