import type { Chain } from "./chain.js";

/** Commits a block every `blockTimeMs` (the validator's consensus timer). */
export class BlockProducer {
  private timer: NodeJS.Timeout | undefined;
  private readonly chain: Chain;
  readonly blockTimeMs: number;

  constructor(chain: Chain, blockTimeMs: number) {
    this.chain = chain;
    this.blockTimeMs = blockTimeMs;
  }

  start(): void {
    if (this.timer) return;
    const tick = () => {
      this.chain.produceBlock();
      this.timer = setTimeout(tick, this.blockTimeMs);
    };
    this.timer = setTimeout(tick, this.blockTimeMs);
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
