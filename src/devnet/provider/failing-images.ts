import { taggedImage } from "../../domain/index.js";

/** What a workload of a watched image does when that image starts or stops failing. */
export type FailingImageListener = (failing: boolean) => Promise<void>;

/**
 * Images whose containers exit at start, as a bad release's do (the control API's `images/fail` and
 * `images/heal`), shared by every provider. Keyed by `repository:tag` (`latest` when a reference has
 * no tag): another tag of the same repository is untouched. The agent processes of an image watch it:
 * failing stops them and keeps them down, healing starts them again.
 */
export class FailingImages {
  private readonly failing = new Set<string>();
  private readonly watchers = new Map<string, Set<FailingImageListener>>();

  /** Whether `image` fails now. */
  has(image: string): boolean {
    return this.failing.has(taggedImage(image));
  }

  /** The failing images, as `repository:tag`. */
  list(): string[] {
    return [...this.failing].sort();
  }

  /** Marks `image` failing and waits until its running processes have stopped; how many watch it. */
  async fail(image: string): Promise<{ image: string; processes: number }> {
    const key = taggedImage(image);
    this.failing.add(key);
    return { image: key, processes: await this.notify(key, true) };
  }

  /** Stops `image` failing and starts its processes again; how many watch it. */
  async heal(image: string): Promise<{ image: string; processes: number }> {
    const key = taggedImage(image);
    this.failing.delete(key);
    return { image: key, processes: await this.notify(key, false) };
  }

  /** Calls `listener` whenever `image` starts or stops failing, until the returned function is called. */
  watch(image: string, listener: FailingImageListener): () => void {
    const key = taggedImage(image);
    const listeners = this.watchers.get(key) ?? new Set<FailingImageListener>();
    listeners.add(listener);
    this.watchers.set(key, listeners);
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) this.watchers.delete(key);
    };
  }

  private async notify(key: string, failing: boolean): Promise<number> {
    const listeners = [...(this.watchers.get(key) ?? [])];
    await Promise.all(listeners.map((listener) => listener(failing)));
    return listeners.length;
  }
}
