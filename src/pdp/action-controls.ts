/**
 * Enterprise action controls as the decision point holds them: the actions an enterprise's
 * action-control assignment takes away in a child account (IBM: "restrict child account users from
 * performing certain actions in the child accounts even if they have an access policy that grants
 * them access"). A deny stage after the grant search, like context-based restrictions: a permitted
 * request for a controlled action on a resource of that account is denied, naming the control.
 */
export interface ActionControl {
  id: string;
  /** The child account whose resources it covers. */
  accountId: string;
  actions: readonly string[];
}

export class ActionControls {
  /** account → action → ids of the controls that take it away. */
  private readonly byAccount = new Map<string, Map<string, Set<string>>>();
  private readonly controls = new Map<string, ActionControl>();

  get size(): number {
    return this.controls.size;
  }

  upsert(control: ActionControl): void {
    this.remove(control.id);
    this.controls.set(control.id, control);
    let actions = this.byAccount.get(control.accountId);
    if (!actions) this.byAccount.set(control.accountId, (actions = new Map()));
    for (const action of control.actions) {
      let ids = actions.get(action);
      if (!ids) actions.set(action, (ids = new Set()));
      ids.add(control.id);
    }
  }

  remove(id: string): void {
    const control = this.controls.get(id);
    if (!control) return;
    this.controls.delete(id);
    const actions = this.byAccount.get(control.accountId);
    for (const action of control.actions) {
      const ids = actions?.get(action);
      ids?.delete(id);
      if (ids?.size === 0) actions!.delete(action);
    }
    if (actions?.size === 0) this.byAccount.delete(control.accountId);
  }

  /** The id of a control that takes `action` away in `accountId`, or undefined. */
  controlling(accountId: string, action: string): string | undefined {
    const ids = this.byAccount.get(accountId)?.get(action);
    if (!ids) return undefined;
    for (const id of ids) return id;
    return undefined;
  }
}
