import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CronosClient } from "../../../src/services/cronos/index.js";
import { childEvmKey, generateMnemonic } from "../../../src/services/keys/index.js";

const API_KEY = "k3y-0f-the-rpc-provider";

/**
 * An RPC provider's URL often carries its API key in the path: a failed call names the node by its
 * origin only, whichever call failed (ethers puts the full URL in its own messages).
 */
describe("Cronos client errors", () => {
  let server: Server;
  let origin: string;

  beforeAll(async () => {
    server = createServer((_request, response) => {
      response.writeHead(503, { "content-type": "application/json" });
      response.end(JSON.stringify({ jsonrpc: "2.0", id: null, error: { code: -32603, message: "down" } }));
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("name the method and the node's origin, never the URL's path", async () => {
    const client = new CronosClient(
      {
        rpc: `${origin}/v1/rpc/${API_KEY}`,
        chainId: 25,
        router: "0x145863Eb42Cf62847A6Ca784e6416C1682b1b2Ae",
        wcro: "0x5C7F8A570d578ED84E63fdFA7b1eE72dEae1AE23",
        akt: "0x39a65A74Dc5A778Ff93d1765Ea51F57BC49c81B3",
      },
      childEvmKey(generateMnemonic(), 0).privateKey,
    );
    try {
      for (const call of [() => client.croWei(), () => client.blockNumber(), () => client.aktUnits()]) {
        const error = (await call().then(
          () => null,
          (failure: unknown) => failure,
        )) as Error | null;
        expect(error?.message).toMatch(new RegExp(`^Cronos eth_\\w+ at ${origin} failed: `));
        expect(error?.message).not.toContain(API_KEY);
        expect(JSON.stringify(error, Object.getOwnPropertyNames(error))).not.toContain(API_KEY);
      }
    } finally {
      client.close();
    }
  });
});
