import type { IncomingMessage, ServerResponse } from "node:http";
import { MsgSend } from "@akashnetwork/chain-sdk/private-types/cosmos.v1beta1";
import { z } from "zod";
import { isAkashAddress } from "./chain/addresses.js";
import type { Chain } from "./chain/chain.js";
import { LoopbackHttpServer, readBody, sendJson } from "./http-utils.js";
import type { InProcessSigner } from "./in-process-signer.js";

export const FAUCET_MAX_UAKT = 10n ** 13n;

const requestSchema = z.object({
  address: z.string().refine(isAkashAddress, "address must be an akash1… bech32 address"),
  amount: z.union([z.string().regex(/^\d+$/), z.number().int().positive()]).transform((v) => BigInt(v)),
  denom: z.enum(["uakt", "uact"]).optional().default("uakt"),
});

/** `{ "address": "0x…", "amount": "<wei>" }`: CRO on the Cronos stand-in. */
const evmRequestSchema = z.object({
  address: z.string().regex(/^0x[0-9a-fA-F]{40}$/, "address must be a 0x… EVM address (20 bytes of hex)"),
  amount: z.union([z.string().regex(/^\d+$/), z.number().int().positive()]).transform((v) => BigInt(v)),
  denom: z.literal("wei").optional(),
});

/** The Cronos stand-in's side of the faucet (sends CRO in wei). */
export interface EvmFaucet {
  fund(address: string, amountWei: bigint): Promise<FundResult>;
}

export interface FundResult {
  readonly address: string;
  readonly amount: string;
  readonly denom: string;
  readonly height: string;
  readonly txHash?: string;
}

/**
 * The faucet: `uakt` is sent with a real bank MsgSend from the faucet's genesis account; `uact` (which
 * cannot be transferred on chain) is minted straight to the address at the next block, a devnet shortcut
 * for MsgMintACT's epoch wait.
 */
export class Faucet {
  private readonly http = new LoopbackHttpServer((req, res) => this.handle(req, res));
  private readonly chain: Chain;
  private readonly signer: InProcessSigner;
  private readonly faucetAddress: string;
  private readonly evm: EvmFaucet | undefined;

  constructor(chain: Chain, signer: InProcessSigner, faucetAddress: string, evm?: EvmFaucet) {
    this.chain = chain;
    this.signer = signer;
    this.faucetAddress = faucetAddress;
    this.evm = evm;
  }

  start(port = 0): Promise<string> {
    return this.http.start(port);
  }

  stop(): Promise<void> {
    return this.http.stop();
  }

  async fund(address: string, amount: bigint, denom: "uakt" | "uact" = "uakt"): Promise<FundResult> {
    if (!isAkashAddress(address)) throw new RangeError(`faucet: ${address} is not an akash address`);
    if (amount <= 0n || amount > FAUCET_MAX_UAKT)
      throw new RangeError(`faucet: amount must be 1..${FAUCET_MAX_UAKT}`);
    if (denom === "uact") {
      const height = await new Promise<bigint>((resolve) => {
        this.chain.scheduleSystemAction("faucet-uact", (ctx) => {
          ctx.state.credit(address, "uact", amount);
          ctx.events.emit("devnet_faucet", { recipient: address, amount: `${amount}uact` });
        });
        const off = this.chain.onBlock((block) => {
          off();
          resolve(block.block.height);
        });
      });
      return { address, amount: amount.toString(), denom, height: height.toString() };
    }
    const message = MsgSend.fromPartial({
      fromAddress: this.faucetAddress,
      toAddress: address,
      amount: [{ denom, amount: amount.toString() }],
    });
    const result = await this.signer.broadcastAndWait(
      this.faucetAddress,
      [{ typeUrl: `/${MsgSend.$type}`, value: MsgSend.encode(message).finish() }],
      "devnet faucet",
    );
    return {
      address,
      amount: amount.toString(),
      denom,
      height: result.height.toString(),
      txHash: Buffer.from(result.hash).toString("hex").toUpperCase(),
    };
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST") {
      sendJson(res, 405, { error: "use POST {address, amount} with amount in uakt (akash1…) or wei (0x…)" });
      return;
    }
    let body: unknown;
    try {
      body = JSON.parse((await readBody(req)).toString("utf8"));
    } catch {
      sendJson(res, 400, { error: "body must be JSON {address, amount}" });
      return;
    }
    const address = (body as { address?: unknown } | null)?.address;
    if (typeof address === "string" && address.startsWith("0x")) {
      await this.handleEvm(res, body);
      return;
    }
    const parsed = requestSchema.safeParse(body);
    if (!parsed.success) {
      sendJson(res, 400, {
        error: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
      });
      return;
    }
    try {
      sendJson(res, 200, await this.fund(parsed.data.address, parsed.data.amount, parsed.data.denom));
    } catch (error) {
      sendJson(res, error instanceof RangeError ? 400 : 500, { error: (error as Error).message });
    }
  }

  private async handleEvm(res: ServerResponse, body: unknown): Promise<void> {
    const parsed = evmRequestSchema.safeParse(body);
    if (!parsed.success) {
      sendJson(res, 400, {
        error: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
      });
      return;
    }
    if (!this.evm) {
      sendJson(res, 400, {
        error: "address: this devnet runs without the Cronos stand-in, so 0x… cannot be funded",
      });
      return;
    }
    try {
      sendJson(res, 200, await this.evm.fund(parsed.data.address, parsed.data.amount));
    } catch (error) {
      sendJson(res, error instanceof RangeError ? 400 : 500, { error: (error as Error).message });
    }
  }
}
