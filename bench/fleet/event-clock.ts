/**
 * A simulated clock for many timers: XState's `SimulatedClock` sorts every pending timeout on each
 * move, which does not scale to tens of thousands of them. This one keeps them in a binary heap and
 * runs each at its own instant (`now()` inside a callback is the time it was due).
 */
export class EventClock {
  private current: number;
  private nextId = 1;
  private readonly heap: Array<{ at: number; id: number; fn: () => void }> = [];
  private readonly cancelled = new Set<number>();

  constructor(start: number) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimeout(fn: () => void, timeout: number): number {
    const id = this.nextId++;
    this.push({ at: this.current + Math.max(0, timeout), id, fn });
    return id;
  }

  clearTimeout(id: number): void {
    this.cancelled.add(id);
  }

  /** Timers waiting (cancelled ones may still count until their time comes). */
  get pending(): number {
    return this.heap.length;
  }

  /** Moves to `time`, running every timer due by then in order of its due time. */
  advanceTo(time: number): void {
    for (;;) {
      const next = this.heap[0];
      if (!next || next.at > time) break;
      this.pop();
      if (this.cancelled.delete(next.id)) continue;
      this.current = Math.max(this.current, next.at);
      next.fn();
    }
    this.current = Math.max(this.current, time);
  }

  private push(entry: { at: number; id: number; fn: () => void }): void {
    const heap = this.heap;
    heap.push(entry);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(heap[index]!, heap[parent]!)) break;
      [heap[index], heap[parent]] = [heap[parent]!, heap[index]!];
      index = parent;
    }
  }

  private pop(): void {
    const heap = this.heap;
    const last = heap.pop();
    if (!last || heap.length === 0) return;
    heap[0] = last;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && this.before(heap[left]!, heap[smallest]!)) smallest = left;
      if (right < heap.length && this.before(heap[right]!, heap[smallest]!)) smallest = right;
      if (smallest === index) return;
      [heap[index], heap[smallest]] = [heap[smallest]!, heap[index]!];
      index = smallest;
    }
  }

  private before(a: { at: number; id: number }, b: { at: number; id: number }): boolean {
    return a.at < b.at || (a.at === b.at && a.id < b.id);
  }
}
