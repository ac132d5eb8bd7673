import type { Interface } from "ethers";
import { isAkashAddress } from "../chain/addresses.js";
import type { Chain } from "../chain/chain.js";
import type { EvmNode } from "./evm-node.js";

/** uakt per unit of the Cronos AKT token (both have 6 decimals: 1 AKT = 1_000_000 uakt). */
export const UAKT_PER_CRONOS_AKT_UNIT = 1n;
/** The IBC channel the devnet pretends the transfer travels on (Cronos's side of Akash's channel). */
export const DEVNET_IBC_CHANNEL = "channel-0";

export type BridgeOutcome = "pending" | "credited" | "refunded";
export type BridgeRefundReason = "invalid_recipient" | "invalid_amount" | "timeout";

/** One `__CronosSendToIbc` as the relayer sees it. */
export interface BridgeTransfer {
  /** `<cronos tx hash>:<log index>`. */
  readonly id: string;
  readonly cronosTxHash: string;
  readonly sender: string;
  readonly recipient: string;
  /** In units of the Cronos token (= uakt). */
  readonly amount: string;
  /** Akash height at which the relayer saw the event. */
  readonly observedAtHeight: string;
  /** Akash height from which it acts (credit, or refund). */
  readonly dueHeight: string;
  outcome: BridgeOutcome;
  reason?: BridgeRefundReason;
  /** Akash block that credited the uakt. */
  creditedAtHeight?: string;
  /** Cronos tx that minted the refund. */
  refundTxHash?: string;
}

/** Bridge faults: extra delay, and time-outs (refund instead of credit). */
export interface BridgeFaultState {
  readonly extraDelayBlocks: number;
  /** Transfers still to time out: a number, or "all" until cleared. */
  readonly timeouts: number | "all";
}

export interface IbcRelayerOptions {
  readonly chain: Chain;
  readonly node: EvmNode;
  readonly token: string;
  readonly tokenAbi: Interface;
  /** Signs the refund mints (the token's bridge). */
  readonly bridge: string;
  readonly delayBlocks: number;
  readonly onError?: (error: unknown) => void;
}

interface PendingTransfer {
  readonly record: BridgeTransfer;
  readonly timesOut: boolean;
}

/**
 * The devnet's IBC relayer between the Cronos stand-in and the Akash devnet: on every Akash block it reads
 * the token's new `__CronosSendToIbc` logs, and once a transfer is `delayBlocks` (plus any injected delay)
 * Akash blocks old it credits the uakt to the `akash1…` recipient at the next Akash block (with
 * `fungible_token_packet` events), or mints the amount back to the sender on Cronos when the recipient is
 * invalid or a timeout fault is on.
 */
export class IbcRelayer {
  private readonly options: IbcRelayerOptions;
  private readonly transfers: BridgeTransfer[] = [];
  private readonly pending: PendingTransfer[] = [];
  private scannedThrough = -1n;
  private faults: BridgeFaultState = { extraDelayBlocks: 0, timeouts: 0 };
  private queue: Promise<void> = Promise.resolve();
  private unsubscribe: (() => void) | undefined;
  private lastErrorText: string | undefined;

  constructor(options: IbcRelayerOptions) {
    this.options = options;
  }

  /** The relayer's most recent failure (shown in the control API's status), if any. */
  get lastError(): string | undefined {
    return this.lastErrorText;
  }

  private fail(error: unknown): void {
    this.lastErrorText = error instanceof Error ? error.message : String(error);
    this.options.onError?.(error);
  }

  /** Starts after Cronos block `fromBlock` (set-up blocks before it hold no transfers). */
  start(fromBlock: bigint): void {
    this.scannedThrough = fromBlock;
    this.unsubscribe = this.options.chain.onBlock((committed) => {
      const height = committed.block.height;
      this.queue = this.queue.then(() => this.tick(height)).catch((error: unknown) => this.fail(error));
    });
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.queue;
  }

  delay(blocks: number): void {
    if (!Number.isInteger(blocks) || blocks < 0)
      throw new RangeError(`bridge delay must be a whole number of Akash blocks >= 0 (got ${blocks})`);
    this.faults = { ...this.faults, extraDelayBlocks: blocks };
  }

  /** The next `count` transfers (default: every one until cleared) time out and are refunded. */
  timeOut(count?: number): void {
    if (count !== undefined && (!Number.isInteger(count) || count < 1))
      throw new RangeError(`bridge timeout count must be a whole number >= 1 (got ${count})`);
    this.faults = { ...this.faults, timeouts: count ?? "all" };
  }

  clearFaults(): void {
    this.faults = { extraDelayBlocks: 0, timeouts: 0 };
  }

  faultState(): BridgeFaultState {
    return this.faults;
  }

  list(): readonly BridgeTransfer[] {
    return this.transfers.map((t) => ({ ...t }));
  }

  private async tick(height: bigint): Promise<void> {
    await this.scan(height);
    const due = this.pending.filter((p) => BigInt(p.record.dueHeight) <= height);
    for (const item of due) {
      const { record } = item;
      const reason: BridgeRefundReason | undefined = !isAkashAddress(record.recipient)
        ? "invalid_recipient"
        : BigInt(record.amount) === 0n
          ? "invalid_amount"
          : item.timesOut
            ? "timeout"
            : undefined;
      try {
        if (reason) await this.refund(record, reason);
        else this.credit(record);
        this.pending.splice(this.pending.indexOf(item), 1);
      } catch (error) {
        // Stays pending: the next block retries it.
        this.fail(error);
      }
    }
  }

  private async scan(height: bigint): Promise<void> {
    const { node, token, tokenAbi } = this.options;
    const latest = await node.blockNumber();
    if (latest <= this.scannedThrough) return;
    const event = tokenAbi.getEvent("__CronosSendToIbc");
    if (!event) throw new Error("the token ABI has no __CronosSendToIbc event");
    const logs = await node.request<
      { transactionHash: string; logIndex: string; topics: string[]; data: string }[]
    >("eth_getLogs", [
      {
        address: token,
        topics: [event.topicHash],
        fromBlock: `0x${(this.scannedThrough + 1n).toString(16)}`,
        toBlock: `0x${latest.toString(16)}`,
      },
    ]);
    this.scannedThrough = latest;
    for (const log of logs) {
      const parsed = tokenAbi.parseLog({ topics: log.topics, data: log.data });
      if (!parsed) continue;
      const [sender, recipient, amount] = parsed.args as unknown as [string, string, bigint];
      const timesOut = this.takeTimeout();
      const record: BridgeTransfer = {
        id: `${log.transactionHash}:${BigInt(log.logIndex)}`,
        cronosTxHash: log.transactionHash,
        sender,
        recipient,
        amount: amount.toString(),
        observedAtHeight: height.toString(),
        dueHeight: (height + BigInt(this.options.delayBlocks + this.faults.extraDelayBlocks)).toString(),
        outcome: "pending",
      };
      this.transfers.push(record);
      this.pending.push({ record, timesOut });
    }
  }

  private takeTimeout(): boolean {
    const { timeouts } = this.faults;
    if (timeouts === "all") return true;
    if (timeouts <= 0) return false;
    this.faults = { ...this.faults, timeouts: timeouts - 1 };
    return true;
  }

  private credit(record: BridgeTransfer): void {
    const uakt = BigInt(record.amount) * UAKT_PER_CRONOS_AKT_UNIT;
    this.options.chain.scheduleSystemAction("ibc-recv-packet", (ctx) => {
      ctx.state.credit(record.recipient, "uakt", uakt);
      ctx.events.emit("recv_packet", {
        packet_src_port: "transfer",
        packet_src_channel: DEVNET_IBC_CHANNEL,
        packet_dst_port: "transfer",
        packet_dst_channel: DEVNET_IBC_CHANNEL,
        connection_id: "connection-0",
      });
      ctx.events.emit("fungible_token_packet", {
        module: "transfer",
        sender: record.sender,
        receiver: record.recipient,
        denom: "uakt",
        amount: uakt.toString(),
        memo: "",
        success: "true",
      });
      ctx.events.emit("devnet_cronos_bridge", {
        cronos_tx: record.cronosTxHash,
        recipient: record.recipient,
        amount: `${uakt}uakt`,
      });
      record.outcome = "credited";
      record.creditedAtHeight = ctx.height.toString();
    });
  }

  private async refund(record: BridgeTransfer, reason: BridgeRefundReason): Promise<void> {
    const { node, token, tokenAbi, bridge } = this.options;
    record.reason = reason;
    if (BigInt(record.amount) > 0n) {
      const receipt = await node.sendOk(
        {
          from: bridge,
          to: token,
          data: tokenAbi.encodeFunctionData("mint_by_cronos_module", [record.sender, BigInt(record.amount)]),
          gas: 200_000n,
        },
        `refunding ${record.id}`,
      );
      record.refundTxHash = receipt.transactionHash;
    }
    record.outcome = "refunded";
  }
}
