import type { ArlocalNode } from "./arlocal-node.js";

/** Mines a block every `intervalMs` when transactions are pending (0 = never; mining is then on demand). */
export class AutoMiner {
  private readonly node: ArlocalNode;
  private readonly intervalMs: number;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private error: string | undefined;

  constructor(node: ArlocalNode, intervalMs: number) {
    this.node = node;
    this.intervalMs = intervalMs;
  }

  get lastError(): string | undefined {
    return this.error;
  }

  start(): void {
    if (this.intervalMs > 0) this.schedule();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.tick().finally(() => this.schedule());
    }, this.intervalMs);
  }

  private async tick(): Promise<void> {
    try {
      if ((await this.node.pendingCount()) > 0) await this.node.mine();
      this.error = undefined;
    } catch (error) {
      this.error = (error as Error).message;
    }
  }
}
