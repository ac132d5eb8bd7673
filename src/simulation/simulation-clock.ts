import { setImmediate as nextMacrotask } from "node:timers/promises";

interface Entry {
  at: number;
  seq: number;
  fire: () => void;
  cancelled: boolean;
}

export interface ClockTimer {
  cancel(): void;
}

/**
 * A discrete-event clock the simulator owns: time moves only from one scheduled instant to the next,
 * and before each move the actors get to react (their promise callbacks run and arm new timers), so a
 * month runs in seconds and always in the same order. Entries at the same instant fire in the order
 * they were scheduled.
 */
export class SimulationClock {
  private current: number;
  private seq = 0;
  private readonly heap: Entry[] = [];
  /** Entries fired so far (a measure of the work a run did). */
  fired = 0;

  constructor(start = 0) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  /** When the next pending entry fires, or null when none is pending. */
  nextAt(): number | null {
    return this.peek()?.at ?? null;
  }

  /** Runs `fire` when the clock reaches `at` (at once, at the next step, when `at` has passed). */
  schedule(at: number, fire: () => void): ClockTimer {
    const entry: Entry = { at: Math.max(at, this.current), seq: this.seq++, fire, cancelled: false };
    this.push(entry);
    return {
      cancel: () => {
        entry.cancelled = true;
      },
    };
  }

  /**
   * A promise that settles with `settle()`'s result (or its error) when the clock reaches `at`; it
   * never settles once `signal` aborts (the actor that waited is gone).
   */
  when<T>(at: number, settle: () => T, signal?: AbortSignal): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      const timer = this.schedule(at, () => {
        try {
          resolve(settle());
        } catch (error) {
          reject(error);
        }
      });
      signal?.addEventListener("abort", () => timer.cancel(), { once: true });
    });
  }

  /**
   * Fires every entry up to `end`, letting the actors react after each instant; `beforeAdvance(from, to)`
   * sees each span of time the clock skips over, with the world as it was at `from`.
   */
  async runUntil(end: number, beforeAdvance: (from: number, to: number) => void): Promise<void> {
    for (;;) {
      await nextMacrotask();
      const next = this.peek();
      if (next === null || next.at > end) {
        beforeAdvance(this.current, end);
        this.current = end;
        return;
      }
      if (next.at > this.current) {
        beforeAdvance(this.current, next.at);
        this.current = next.at;
      }
      while (this.peek()?.at === this.current) {
        const entry = this.pop();
        if (entry && !entry.cancelled) {
          this.fired++;
          entry.fire();
        }
      }
    }
  }

  private peek(): Entry | null {
    while (this.heap.length > 0 && (this.heap[0] as Entry).cancelled) this.pop();
    return this.heap[0] ?? null;
  }

  private before(a: Entry, b: Entry): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(entry: Entry): void {
    const heap = this.heap;
    heap.push(entry);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!this.before(heap[index] as Entry, heap[parent] as Entry)) break;
      [heap[index], heap[parent]] = [heap[parent] as Entry, heap[index] as Entry];
      index = parent;
    }
  }

  private pop(): Entry | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let index = 0;
      for (;;) {
        const left = 2 * index + 1;
        const right = left + 1;
        let smallest = index;
        if (left < heap.length && this.before(heap[left] as Entry, heap[smallest] as Entry)) smallest = left;
        if (right < heap.length && this.before(heap[right] as Entry, heap[smallest] as Entry))
          smallest = right;
        if (smallest === index) break;
        [heap[index], heap[smallest]] = [heap[smallest] as Entry, heap[index] as Entry];
        index = smallest;
      }
    }
    return top;
  }
}
