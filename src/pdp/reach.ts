/** The ints of an identity's block in ReachTable.data, from its offset. */
export const Reach = {
  /** The subject id of the identity's own policies; -1: none. */
  Own: 0,
  /** 1 when some membership ends (AccountIndex.expiries), else 0. */
  Ends: 1,
  /** How many group subject ids follow. */
  Count: 2,
  /** The first group's subject id. */
  Groups: 3,
} as const;

/**
 * The subjects that reach each identity of an account: by IAM id, the offset of a block in one
 * Int32Array (Reach), so a decision reads an identity's subjects from one compact array rather
 * than from an object of its own. A replaced block becomes garbage, reclaimed by compacting once
 * there is more garbage than live data.
 */
export class ReachTable {
  readonly offsets = new Map<string, number>();
  data = new Int32Array(256);
  private end = 0;
  private garbage = 0;

  /** The identity's own subject id, -1 when it has none or is unknown. */
  ownOf(iamId: string): number {
    const at = this.offsets.get(iamId);
    return at === undefined ? -1 : this.data[at + Reach.Own]!;
  }

  /** Sets the identity's own subject id in place (-1: none), adding an empty block if it has none. */
  setOwn(iamId: string, own: number): void {
    const at = this.offsets.get(iamId);
    if (at === undefined) this.write(iamId, own, false, []);
    else this.data[at + Reach.Own] = own;
  }

  /** Replaces the identity's block; an identity with no own subject and no groups is dropped. */
  write(iamId: string, own: number, ends: boolean, groups: readonly number[]): void {
    this.drop(iamId);
    if (own < 0 && groups.length === 0) return;
    const size = Reach.Groups + groups.length;
    if (this.end + size > this.data.length) this.makeRoom(size);
    const at = this.end;
    this.data[at + Reach.Own] = own;
    this.data[at + Reach.Ends] = ends ? 1 : 0;
    this.data[at + Reach.Count] = groups.length;
    this.data.set(groups, at + Reach.Groups);
    this.end += size;
    this.offsets.set(iamId, at);
  }

  drop(iamId: string): void {
    const at = this.offsets.get(iamId);
    if (at === undefined) return;
    this.garbage += Reach.Groups + this.data[at + Reach.Count]!;
    this.offsets.delete(iamId);
  }

  /** Compacts when garbage outweighs live data, else grows; either way leaves room for `size` more. */
  private makeRoom(size: number): void {
    const live = this.end - this.garbage;
    const next = new Int32Array(Math.max(256, 2 * (live + size), this.garbage > live ? this.data.length : 2 * this.data.length));
    let end = 0;
    for (const [iamId, at] of this.offsets) {
      const blockSize = Reach.Groups + this.data[at + Reach.Count]!;
      next.set(this.data.subarray(at, at + blockSize), end);
      this.offsets.set(iamId, end);
      end += blockSize;
    }
    this.data = next;
    this.end = end;
    this.garbage = 0;
  }
}
