import { TxRaw } from "@akashnetwork/chain-sdk/private-types/cosmos.v1beta1";
import { toHex } from "@cosmjs/encoding";
import { SigningStargateClient as Signing, type SigningStargateClient } from "@cosmjs/stargate";
import { Comet38Client, WebsocketClient } from "@cosmjs/tendermint-rpc";
import { sha256 } from "@noble/hashes/sha2.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocket } from "ws";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { createTenant, startTestDevnet, type Tenant } from "../../support/devnet.js";

/** Resolves with the first `count` events of a cosmjs (xstream) subscription, then unsubscribes. */
function take<T>(
  stream: {
    subscribe(l: { next(v: T): void; error(e: unknown): void; complete(): void }): { unsubscribe(): void };
  },
  count: number,
): Promise<T[]> {
  return new Promise((resolve, reject) => {
    const seen: T[] = [];
    const subscription = stream.subscribe({
      next: (value) => {
        seen.push(value);
        if (seen.length === count) {
          setImmediate(() => subscription.unsubscribe());
          resolve(seen);
        }
      },
      error: reject,
      complete: () => reject(new Error(`stream ended after ${seen.length} events`)),
    });
  });
}

/** A raw JSON-RPC session over the devnet's WebSocket: send a request, read the reply with its id. */
async function rawSession(url: string) {
  const ws = new WebSocket(url);
  await new Promise<void>((resolve, reject) => {
    ws.once("open", () => resolve());
    ws.once("error", reject);
  });
  const messages: { id: unknown; result?: unknown; error?: { data: string } }[] = [];
  const waiters: (() => void)[] = [];
  ws.on("message", (data) => {
    messages.push(JSON.parse(String(data)));
    for (const w of waiters.splice(0)) w();
  });
  const reply = async (id: number) => {
    for (;;) {
      const found = messages.find((m) => m.id === id);
      if (found) return found;
      await new Promise<void>((r) => waiters.push(r));
    }
  };
  return {
    ws,
    call: (id: number, method: string, params: Record<string, unknown> = {}) => {
      ws.send(JSON.stringify({ jsonrpc: "2.0", id, method, params }));
      return reply(id);
    },
  };
}

describe("devnet: CometBFT WebSocket subscriptions", () => {
  let devnet: DevnetHandle;
  let tenant: Tenant;
  let comet: Comet38Client;
  let signer: SigningStargateClient;

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 1 });
    tenant = await createTenant(devnet);
    // cosmjs' WebsocketClient appends the `/websocket` path itself.
    comet = await Comet38Client.create(new WebsocketClient(devnet.websocket.replace(/\/websocket$/, "")));
    // cosmjs 0.36's queueing socket stalls for good if it connects with an empty queue: queue a call at once.
    await comet.status();
    signer = await Signing.connectWithSigner(devnet.rpc, tenant.wallet, { broadcastPollIntervalMs: 50 });
  });

  afterAll(async () => {
    comet?.disconnect();
    signer?.disconnect();
    await tenant?.tx.disconnect();
    await devnet?.stop();
  });

  it("lists the WebSocket endpoint on the RPC port, in the handle and at GET {control}/endpoints", async () => {
    const rpcPort = new URL(devnet.rpc).port;
    expect(devnet.websocket).toBe(`ws://127.0.0.1:${rpcPort}/websocket`);
    const served = (await (await fetch(`${devnet.control}/endpoints`)).json()) as { websocket: string };
    expect(served.websocket).toBe(devnet.websocket);
  });

  it("streams NewBlock events that cosmjs' Comet38Client decodes, matching the blocks the node serves", async () => {
    const blocks = await take(comet.subscribeNewBlock(), 3);
    const heights = blocks.map((b) => b.header.height);
    expect(heights).toEqual([heights[0]!, heights[0]! + 1, heights[0]! + 2]);
    for (const block of blocks) expect(block.header.chainId).toBe(devnet.chainId);
    // The same client answers plain calls over the socket; the served block has the same app hash.
    const served = await comet.block(heights[1]!);
    expect(toHex(served.block.header.appHash)).toBe(toHex(blocks[1]!.header.appHash));
    expect(toHex(served.block.lastCommit!.blockId.hash)).toBe(toHex(served.block.header.lastBlockId!.hash));
  });

  it("delivers a Tx event for a broadcast tx, by hash and by an event attribute", async () => {
    const recipient = devnet.providers[0]!.address;
    const signed = await signer.sign(
      tenant.address,
      [
        {
          typeUrl: "/cosmos.bank.v1beta1.MsgSend",
          value: {
            fromAddress: tenant.address,
            toAddress: recipient,
            amount: [{ denom: "uakt", amount: "7" }],
          },
        },
      ],
      { amount: [{ denom: "uakt", amount: "5000" }], gas: "200000" },
      "",
    );
    const bytes = TxRaw.encode(TxRaw.fromPartial(signed)).finish();
    const hash = toHex(sha256(bytes)).toUpperCase();

    const byHash = take(comet.subscribeTx(`tx.hash='${hash}'`), 1);
    const bySender = take(comet.subscribeTx(`message.sender='${tenant.address}'`), 1);
    // Subscriptions are registered when the node answers them: a status call over the same socket after them
    // returns once they are in place.
    await comet.status();
    await signer.broadcastTxSync(bytes);

    const [event] = await byHash;
    expect(toHex(event!.hash).toUpperCase()).toBe(hash);
    expect(event!.result.code).toBe(0);
    const transfers = event!.result.events.filter((e) => e.type === "transfer").flatMap((e) => e.attributes);
    expect(transfers).toContainEqual(expect.objectContaining({ key: "recipient", value: recipient }));
    const included = await signer.getTx(hash);
    expect(event!.height).toBe(included!.height);
    const [sent] = await bySender;
    expect(toHex(sent!.hash).toUpperCase()).toBe(hash);
  });

  it("answers subscribe, unsubscribe and unsubscribe_all as CometBFT does", async () => {
    const session = await rawSession(devnet.websocket);
    try {
      const query = "tm.event='NewBlock'";
      expect((await session.call(1, "subscribe", { query })).result).toEqual({});
      expect((await session.call(2, "subscribe", { query })).error?.data).toBe("already subscribed");
      expect((await session.call(3, "unsubscribe", { query })).result).toEqual({});
      expect((await session.call(4, "unsubscribe", { query })).error?.data).toBe("subscription not found");
      expect((await session.call(5, "subscribe", { query: "tm.event='Tx'" })).result).toEqual({});
      expect((await session.call(6, "unsubscribe_all")).result).toEqual({});
      expect((await session.call(7, "unsubscribe_all")).error?.data).toBe("subscription not found");
      const status = (await session.call(8, "status")).result as { node_info: { network: string } };
      expect(status.node_info.network).toBe(devnet.chainId);
    } finally {
      session.ws.close();
    }
  });
});
