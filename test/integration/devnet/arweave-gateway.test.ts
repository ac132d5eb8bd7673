import { ArweaveSigner, bundleAndSignData, createData } from "@dha-team/arbundles";
import Arweave from "arweave";
import type { JWKInterface } from "arweave/node/lib/wallet.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ArweaveDevnetStatus, DevnetArweaveInfo } from "../../../src/devnet/arweave/index.js";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { startTestDevnet, waitFor } from "../../support/devnet.js";

const WALLET_WINSTON = 5_000_000_000_000n; // 5 AR

async function post(url: string, body: unknown): Promise<{ status: number; json: Record<string, unknown> }> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as Record<string, unknown> };
}

async function control(
  devnet: DevnetHandle,
  route: string,
  body: unknown = {},
): Promise<Record<string, unknown>> {
  const { status, json } = await post(`${devnet.control}${route}`, body);
  if (status !== 200) throw new Error(`control ${route}: ${status} ${JSON.stringify(json)}`);
  return json;
}

/** arweave-js pointed at the devnet's gateway, as the agent points it at arweave.net. */
function arweaveClient(gateway: string): Arweave {
  const url = new URL(gateway);
  return Arweave.init({ host: url.hostname, port: Number(url.port), protocol: "http", timeout: 10_000 });
}

/** A wallet funded through the devnet faucet, the way a test or operator funds one. */
async function fundedWallet(
  devnet: DevnetHandle,
  arweave: Arweave,
): Promise<{ jwk: JWKInterface; address: string }> {
  const jwk = await arweave.wallets.generate();
  const address = await arweave.wallets.jwkToAddress(jwk);
  const funded = await post(devnet.faucet, { address, amount: WALLET_WINSTON.toString() });
  if (funded.status !== 200) throw new Error(`faucet: ${funded.status} ${JSON.stringify(funded.json)}`);
  return { jwk, address };
}

async function signedTransaction(
  arweave: Arweave,
  jwk: JWKInterface,
  data: string | Uint8Array,
  tags: Record<string, string>,
): Promise<Awaited<ReturnType<Arweave["createTransaction"]>>> {
  const tx = await arweave.createTransaction({ data }, jwk);
  for (const [name, value] of Object.entries(tags)) tx.addTag(name, value);
  await arweave.transactions.sign(tx, jwk);
  return tx;
}

/** The block a transaction is in, or undefined while it is pending (arlocal answers 200 "Pending"). */
async function confirmedHeight(arweave: Arweave, id: string): Promise<number | undefined> {
  const status = await arweave.transactions.getStatus(id);
  if (status.status !== 200) throw new Error(`status of ${id}: HTTP ${status.status}`);
  return typeof status.confirmed === "object" && status.confirmed !== null
    ? status.confirmed.block_height
    : undefined;
}

interface GraphqlEdge {
  node: { id: string; tags: { name: string; value: string }[]; block: { height: number } | null };
}

async function idsTagged(arweave: Arweave, name: string, value: string): Promise<GraphqlEdge["node"][]> {
  const query = `query($tags: [TagFilter!]) {
    transactions(tags: $tags) { edges { node { id tags { name value } block { height } } } }
  }`;
  const response = await arweave.api.post("graphql", {
    query,
    variables: { tags: [{ name, values: [value] }] },
  });
  if (response.status !== 200) throw new Error(`graphql: HTTP ${response.status}`);
  const data = response.data as { data: { transactions: { edges: GraphqlEdge[] } } };
  return data.data.transactions.edges.map((e) => e.node);
}

async function arweaveStatus(devnet: DevnetHandle): Promise<ArweaveDevnetStatus> {
  const status = (await (await fetch(`${devnet.control}/status`)).json()) as { arweave: ArweaveDevnetStatus };
  return status.arweave;
}

describe("devnet: the Arweave gateway stand-in (arlocal), auto-mining", () => {
  let devnet: DevnetHandle;
  let info: DevnetArweaveInfo;
  let arweave: Arweave;
  let jwk: JWKInterface;
  let address: string;

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 1, arweave: { mineIntervalMs: 200 } });
    info = devnet.arweave!;
    arweave = arweaveClient(info.gateway);
    ({ jwk, address } = await fundedWallet(devnet, arweave));
  });

  afterAll(async () => {
    await devnet?.stop();
  });

  it("lists the gateway in the endpoints, on loopback, answering arweave-js", async () => {
    const endpoints = (await (await fetch(`${devnet.control}/endpoints`)).json()) as {
      arweave: DevnetArweaveInfo;
    };
    expect(endpoints.arweave).toEqual(info);
    expect(Object.keys(info)).toEqual(["gateway"]);
    expect(info.gateway).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const network = await arweave.network.getInfo();
    expect(network.height).toBeGreaterThanOrEqual(0);
  });

  it("funds an Arweave address through the faucet in winston, and refuses bad amounts", async () => {
    expect(await arweave.wallets.getBalance(address)).toBe(WALLET_WINSTON.toString());
    const other = await arweave.wallets.jwkToAddress(await arweave.wallets.generate());
    const funded = await post(devnet.faucet, { address: other, amount: "1234" });
    expect(funded.status).toBe(200);
    expect(funded.json).toMatchObject({ address: other, amount: "1234", denom: "winston" });
    expect(await arweave.wallets.getBalance(other)).toBe("1234");
    expect((await post(devnet.faucet, { address: other, amount: "0" })).status).toBe(400);
    expect((await post(devnet.faucet, { address: other, amount: (10n ** 16n).toString() })).status).toBe(400);
    expect(await arweave.wallets.getBalance(other)).toBe("1234");
  });

  it("takes an L1 transaction signed with the funded wallet, mines it, serves it by id and finds it by tags", async () => {
    const data = `backup ${Date.now()} ${"x".repeat(300)}`;
    const seq = String(Math.floor(Math.random() * 1e9));
    const tx = await signedTransaction(arweave, jwk, data, { "App-Name": "akash-agent", "Backup-Seq": seq });
    const posted = await arweave.transactions.post(tx);
    expect(posted.status).toBe(200);

    const height = await waitFor(() => confirmedHeight(arweave, tx.id), 15_000, `${tx.id} to be mined`);
    expect(height).toBeGreaterThan(0);
    expect(await arweave.transactions.getData(tx.id, { decode: true, string: true })).toBe(data);
    const fetched = await arweave.transactions.get(tx.id);
    expect(fetched.id).toBe(tx.id);
    expect(await arweave.transactions.verify(fetched)).toBe(true);
    expect(BigInt(await arweave.wallets.getBalance(address))).toBe(WALLET_WINSTON - BigInt(tx.reward));

    const found = await idsTagged(arweave, "Backup-Seq", seq);
    expect(found.map((n) => n.id)).toEqual([tx.id]);
    expect(found[0]!.block?.height).toBe(height);
    expect(found[0]!.tags).toContainEqual({ name: "App-Name", value: "akash-agent" });
  });

  it("takes an ANS-104 data item in a bundle transaction, mines it, serves it by id and finds it by tags", async () => {
    const signer = new ArweaveSigner(jwk);
    const payload = new Uint8Array(2048).map((_, i) => (i * 7) % 256);
    const agentId = `agent-${Math.floor(Math.random() * 1e9)}`;
    const item = createData(payload, signer, {
      tags: [
        { name: "App-Name", value: "akash-agent" },
        { name: "Agent-Id", value: agentId },
        { name: "Content-Type", value: "application/octet-stream" },
      ],
    });
    await item.sign(signer);
    expect(await item.isValid()).toBe(true);
    // What a bundler does with the items it accepted: one ANS-104 bundle posted as an L1 transaction.
    const bundle = await bundleAndSignData([item], signer);
    const bundleTx = await bundle.toTransaction({}, arweave, jwk);
    await arweave.transactions.sign(bundleTx, jwk);
    expect((await arweave.transactions.post(bundleTx)).status).toBe(200);
    await waitFor(() => confirmedHeight(arweave, bundleTx.id), 15_000, `bundle ${bundleTx.id} to be mined`);

    const response = await fetch(`${info.gateway}/${item.id}`);
    expect(response.status).toBe(200);
    expect(new Uint8Array(await response.arrayBuffer())).toEqual(payload);
    const found = await waitFor(async () => {
      const nodes = await idsTagged(arweave, "Agent-Id", agentId);
      return nodes.length > 0 ? nodes : undefined;
    });
    expect(found.map((n) => n.id)).toEqual([item.id]);
    expect(found[0]!.tags).toContainEqual({ name: "App-Name", value: "akash-agent" });
    expect(found[0]!.block?.height).toBeGreaterThan(0);
  });
});

describe("devnet: the Arweave gateway stand-in, mining on demand and faults", () => {
  let devnet: DevnetHandle;
  let arweave: Arweave;
  let jwk: JWKInterface;

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 1, arweave: { mineIntervalMs: 0 } });
    arweave = arweaveClient(devnet.arweave!.gateway);
    ({ jwk } = await fundedWallet(devnet, arweave));
  });

  afterAll(async () => {
    await devnet?.stop();
  });

  it("keeps a transaction pending until POST /arweave/mine", async () => {
    const tx = await signedTransaction(arweave, jwk, "pending until mined", { "App-Name": "akash-agent" });
    expect((await arweave.transactions.post(tx)).status).toBe(200);
    expect(await confirmedHeight(arweave, tx.id)).toBeUndefined();
    expect((await arweaveStatus(devnet)).pending).toBe(1);

    const { block } = (await control(devnet, "/arweave/mine")) as { block: { height: number } };
    expect(await confirmedHeight(arweave, tx.id)).toBe(block.height);
    expect((await arweaveStatus(devnet)).pending).toBe(0);
  });

  it("does not serve arlocal's test routes (mine, mint, reset) to clients, as no real gateway does", async () => {
    const { height } = await arweave.network.getInfo();
    const address = await arweave.wallets.jwkToAddress(jwk);
    const gateway = devnet.arweave!.gateway;
    expect((await fetch(`${gateway}/mine`)).status).toBe(404);
    expect((await fetch(`${gateway}/mint/${address}/1000`)).status).toBe(404);
    expect((await fetch(`${gateway}/reset`)).status).toBe(404);
    expect((await arweave.network.getInfo()).height).toBe(height);
    expect(await arweave.wallets.getBalance(address)).not.toBe("0");
  });

  it("answers 502 while the gateway is down (default mode) and works again once it is up", async () => {
    const tx = await signedTransaction(arweave, jwk, "posted while down", { "App-Name": "akash-agent" });
    await control(devnet, "/arweave/gateway/down");
    expect((await arweaveStatus(devnet)).fault).toBe("error");
    expect((await arweave.transactions.post(tx)).status).toBe(502);
    expect((await arweave.transactions.getStatus(tx.id)).status).toBe(502);

    await control(devnet, "/arweave/gateway/up");
    expect((await arweaveStatus(devnet)).fault).toBeNull();
    expect((await arweave.transactions.post(tx)).status).toBe(200);
    await control(devnet, "/arweave/mine");
    expect(await confirmedHeight(arweave, tx.id)).toBeGreaterThan(0);
  });

  it("refuses connections in refuse mode, on the same port once it is up again", async () => {
    await control(devnet, "/arweave/gateway/down", { mode: "refuse" });
    await expect(arweave.network.getInfo()).rejects.toThrow();
    await control(devnet, "/arweave/gateway/up");
    expect((await arweave.network.getInfo()).network).toBeTypeOf("string");
  });

  it("answers every request at least the injected delay late, until the delay is removed", async () => {
    const delayMs = 400;
    await control(devnet, "/arweave/gateway/slow", { delayMs });
    expect((await arweaveStatus(devnet)).delayMs).toBe(delayMs);
    const started = performance.now();
    await arweave.network.getInfo();
    expect(performance.now() - started).toBeGreaterThanOrEqual(delayMs - 5);
    await control(devnet, "/arweave/gateway/slow", { delayMs: 0 });
    expect((await arweaveStatus(devnet)).delayMs).toBe(0);
  });

  it("rejects malformed fault requests", async () => {
    expect((await post(`${devnet.control}/arweave/gateway/down`, { mode: "sideways" })).status).toBe(400);
    expect((await post(`${devnet.control}/arweave/gateway/slow`, { delayMs: -1 })).status).toBe(400);
  });
});

describe("devnet without the Arweave stand-in", () => {
  let devnet: DevnetHandle;

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 1 });
  });

  afterAll(async () => {
    await devnet?.stop();
  });

  it("leaves it out of the endpoints, and the faucet and control routes say so", async () => {
    expect(devnet.arweave).toBeUndefined();
    expect(devnet.endpoints().arweave).toBeUndefined();
    const address = "a".repeat(43);
    const funded = await post(devnet.faucet, { address, amount: "1" });
    expect(funded.status).toBe(400);
    expect(String(funded.json.error)).toContain("without the Arweave stand-in");
    const mined = await post(`${devnet.control}/arweave/mine`, {});
    expect(mined.status).toBe(400);
  });
});
