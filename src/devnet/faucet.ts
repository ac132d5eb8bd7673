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

/** `{ "address": "<43 characters of base64url>", "amount": "<winston>" }`: AR on the Arweave stand-in. */
const arweaveRequestSchema = z.object({
  address: z.string(),
  amount: z.union([z.string().regex(/^\d+$/), z.number().int().positive()]).transform((v) => BigInt(v)),
  denom: z.literal("winston").optional(),
});

const ARWEAVE_ADDRESS = /^[A-Za-z0-9_-]{43}$/;

/** The Cronos stand-in's side of the faucet (sends CRO in wei). */
export interface EvmFaucet {
  fund(address: string, amountWei: bigint): Promise<FundResult>;
}

/** The Arweave stand-in's side of the faucet (mints winston). */
export interface ArweaveFaucet {
  fund(address: string, amountWinston: bigint): Promise<FundResult>;
}

/** The faucets of the other networks' stand-ins, when they run. */
export interface SideFaucets {
  readonly evm?: EvmFaucet;
  readonly arweave?: ArweaveFaucet;
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
  private readonly side: SideFaucets;

  constructor(chain: Chain, signer: InProcessSigner, faucetAddress: string, side: SideFaucets = {}) {
    this.chain = chain;
    this.signer = signer;
    this.faucetAddress = faucetAddress;
    this.side = side;
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
      sendJson(res, 405, {
        error:
          "use POST {address, amount} with amount in uakt (akash1…), wei (0x…) or winston (Arweave address)",
      });
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
      await this.handleSide(
        res,
        body,
        evmRequestSchema,
        this.side.evm,
        "Cronos stand-in, so 0x… cannot be funded",
      );
      return;
    }
    if (typeof address === "string" && ARWEAVE_ADDRESS.test(address)) {
      await this.handleSide(
        res,
        body,
        arweaveRequestSchema,
        this.side.arweave,
        "Arweave stand-in, so Arweave addresses cannot be funded",
      );
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

  /** A request for another network's stand-in: validated by `schema`, funded by `faucet` when it runs. */
  private async handleSide(
    res: ServerResponse,
    body: unknown,
    schema: z.ZodType<{ address: string; amount: bigint }>,
    faucet: EvmFaucet | ArweaveFaucet | undefined,
    missing: string,
  ): Promise<void> {
    const parsed = schema.safeParse(body);
    if (!parsed.success) {
      sendJson(res, 400, {
        error: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; "),
      });
      return;
    }
    if (!faucet) {
      sendJson(res, 400, { error: `address: this devnet runs without the ${missing}` });
      return;
    }
    try {
      sendJson(res, 200, await faucet.fund(parsed.data.address, parsed.data.amount));
    } catch (error) {
      sendJson(res, error instanceof RangeError ? 400 : 500, { error: (error as Error).message });
    }
  }
}
