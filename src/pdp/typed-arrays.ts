/** A copy of `array` twice as long, the new half zeroed: how the index's typed arrays grow. */
export function doubled(array: Int32Array<ArrayBuffer>): Int32Array<ArrayBuffer> {
  const next = new Int32Array(2 * array.length);
  next.set(array);
  return next;
}
