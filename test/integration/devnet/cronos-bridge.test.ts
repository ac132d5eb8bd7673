import { Contract, HDNodeWallet, JsonRpcProvider, parseEther, Wallet } from "ethers";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { BridgeTransfer, DevnetCronosInfo } from "../../../src/devnet/cronos/index.js";
import type { DevnetHandle } from "../../../src/devnet/index.js";
import { createTenant, startTestDevnet, type Tenant, waitFor } from "../../support/devnet.js";

// The client side speaks only the public ABIs, as the agent does against VVS Finance and Cronos's AKT.
const ROUTER_ABI = [
  "function WETH() view returns (address)",
  "function factory() view returns (address)",
  "function getAmountsOut(uint256 amountIn, address[] path) view returns (uint256[] amounts)",
  "function swapExactETHForTokens(uint256 amountOutMin, address[] path, address to, uint256 deadline) payable returns (uint256[] amounts)",
];
const FACTORY_ABI = ["function getPair(address, address) view returns (address)"];
const AKT_ABI = [
  "function decimals() view returns (uint8)",
  "function balanceOf(address) view returns (uint256)",
  "function totalSupply() view returns (uint256)",
  "function send_to_ibc(string recipient, uint256 amount)",
  "event __CronosSendToIbc(address sender, string recipient, uint256 amount)",
];

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

async function transfers(devnet: DevnetHandle): Promise<BridgeTransfer[]> {
  const status = (await (await fetch(`${devnet.control}/status`)).json()) as {
    cronos: { transfers: BridgeTransfer[] };
  };
  return status.cronos.transfers;
}

const SWAP_GAS_LIMIT = 250_000n;
const deadlineInSeconds = (fromNow = 600) => BigInt(Math.floor(Date.now() / 1000) + fromNow);

describe("devnet: the Cronos stand-in (Hardhat 2 EVM, Uniswap V2, AKT send_to_ibc, relayer into Akash)", () => {
  let devnet: DevnetHandle;
  let cronos: DevnetCronosInfo;
  let tenant: Tenant;
  let provider: JsonRpcProvider;
  let wallet: HDNodeWallet;
  let router: Contract;
  let akt: Contract;

  const uaktOnAkash = async () =>
    BigInt(
      (await tenant.sdk.cosmos.bank.v1beta1.getBalance({ address: tenant.address, denom: "uakt" })).balance!
        .amount,
    );
  const aktOnCronos = async () => (await akt.getFunction("balanceOf")(wallet.address)) as bigint;
  const swapCro = async (cro: string) => {
    const amountIn = parseEther(cro);
    const path = [cronos.wcro, cronos.akt];
    const [, quoted] = (await router.getFunction("getAmountsOut")(amountIn, path)) as bigint[];
    const tx = await router.getFunction("swapExactETHForTokens")(
      (quoted! * 99n) / 100n,
      path,
      wallet.address,
      deadlineInSeconds(),
      // An estimate made within the pair's last second leaves out the TWAP accumulator writes that a swap
      // mined in the next second makes (out of gas): give an explicit limit, as DESIGN §4 says.
      { value: amountIn, gasLimit: SWAP_GAS_LIMIT },
    );
    await tx.wait();
    return quoted!;
  };
  const sendToIbc = async (recipient: string, amount: bigint) => {
    const tx = await akt.getFunction("send_to_ibc")(recipient, amount);
    return (await tx.wait()) as { hash: string; logs: { topics: string[]; data: string }[] };
  };
  const settled = async (cronosTxHash: string) =>
    waitFor(
      async () => {
        const found = (await transfers(devnet)).find((t) => t.cronosTxHash === cronosTxHash);
        return found && found.outcome !== "pending" ? found : undefined;
      },
      20_000,
      `the relayer to settle ${cronosTxHash}`,
    );

  beforeAll(async () => {
    devnet = await startTestDevnet({ providers: 1, cronos: true });
    cronos = devnet.cronos!;
    tenant = await createTenant(devnet, 10_000_000n);
    // Auto-mining makes blocks faster than ethers' 250 ms request cache: without `cacheTimeout: -1` a second
    // tx within 250 ms reuses the cached nonce ("nonce has already been used").
    provider = new JsonRpcProvider(cronos.rpc, cronos.chainId, {
      staticNetwork: true,
      pollingInterval: 50,
      cacheTimeout: -1,
    });
    // The agent's Cronos key: the same mnemonic on the Ethereum path.
    wallet = HDNodeWallet.fromPhrase(tenant.mnemonic, undefined, "m/44'/60'/0'/0/0").connect(provider);
    router = new Contract(cronos.router, ROUTER_ABI, wallet);
    akt = new Contract(cronos.akt, AKT_ABI, wallet);
    const funded = await post(devnet.faucet, {
      address: wallet.address,
      amount: parseEther("1000").toString(),
    });
    if (funded.status !== 200) throw new Error(`faucet: ${JSON.stringify(funded.json)}`);
  });

  afterAll(async () => {
    provider?.destroy();
    await tenant?.tx.disconnect();
    await devnet?.stop();
  });

  it("lists the Cronos endpoints, with a chain id no real Cronos uses, and the contracts wired together", async () => {
    const endpoints = (await (await fetch(`${devnet.control}/endpoints`)).json()) as {
      cronos: DevnetCronosInfo;
    };
    expect(endpoints.cronos).toEqual(cronos);
    expect(Object.keys(cronos).sort()).toEqual(["akt", "chainId", "factory", "router", "rpc", "wcro"]);
    expect(cronos.rpc).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const network = await new JsonRpcProvider(cronos.rpc).getNetwork();
    expect(network.chainId).toBe(BigInt(cronos.chainId));
    expect([25, 338, 31337]).not.toContain(cronos.chainId);
    expect(await router.getFunction("WETH")()).toBe(cronos.wcro);
    expect(await router.getFunction("factory")()).toBe(cronos.factory);
    expect(await akt.getFunction("decimals")()).toBe(6n);
    const pair = await new Contract(cronos.factory, FACTORY_ABI, provider).getFunction("getPair")(
      cronos.wcro,
      cronos.akt,
    );
    expect(pair).not.toBe("0x0000000000000000000000000000000000000000");
  });

  it("funds 0x addresses with CRO and answers clear 400s", async () => {
    const other = Wallet.createRandom();
    const ok = await post(devnet.faucet, { address: other.address, amount: "12345" });
    expect(ok.status).toBe(200);
    expect(ok.json.txHash).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await provider.getBalance(other.address)).toBe(12345n);
    // EIP-55's own example 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed with one letter's case flipped.
    const badChecksum = "0x5AAeb6053F3E94C9b9A09f33669435E7Ef1BeAed";
    const badSum = await post(devnet.faucet, { address: badChecksum, amount: "1" });
    expect(badSum.status).toBe(400);
    expect(String(badSum.json.error)).toMatch(/checksum/);
    const short = await post(devnet.faucet, { address: "0x1234", amount: "1" });
    expect(short.status).toBe(400);
    expect(String(short.json.error)).toMatch(/^address: /);
    const tooMuch = await post(devnet.faucet, { address: other.address, amount: (10n ** 25n).toString() });
    expect(tooMuch.status).toBe(400);
  });

  it("quotes and swaps CRO for AKT on Router02 at the oracle prices, with a slippage floor and a deadline in seconds", async () => {
    // Pool seeded at 1.25 USD/AKT and 0.10 USD/CRO: 12.5 CRO per AKT, less the 0.3% fee and slippage.
    const [, quote] = (await router.getFunction("getAmountsOut")(parseEther("125"), [
      cronos.wcro,
      cronos.akt,
    ])) as bigint[];
    expect(quote!).toBeGreaterThan(9_900_000n);
    expect(quote!).toBeLessThan(9_970_000n);
    const before = await aktOnCronos();
    const quoted = await swapCro("125");
    expect((await aktOnCronos()) - before).toBe(quoted);

    const path = [cronos.wcro, cronos.akt];
    const [, next] = (await router.getFunction("getAmountsOut")(parseEther("1"), path)) as bigint[];
    await expect(
      router.getFunction("swapExactETHForTokens")(next! + 1n, path, wallet.address, deadlineInSeconds(), {
        value: parseEther("1"),
      }),
    ).rejects.toThrow(/INSUFFICIENT_OUTPUT_AMOUNT/);
    await expect(
      router.getFunction("swapExactETHForTokens")(0n, path, wallet.address, deadlineInSeconds(-60), {
        value: parseEther("1"),
      }),
    ).rejects.toThrow(/EXPIRED/);
  });

  it("send_to_ibc burns the AKT, emits __CronosSendToIbc, and the uakt arrives on Akash after the bridge delay", async () => {
    await swapCro("50");
    const amount = await aktOnCronos();
    const supplyBefore = (await akt.getFunction("totalSupply")()) as bigint;
    const uaktBefore = await uaktOnAkash();
    const receipt = await sendToIbc(tenant.address, amount);
    expect(await aktOnCronos()).toBe(0n);
    expect((await akt.getFunction("totalSupply")()) as bigint).toBe(supplyBefore - amount);
    const event = receipt.logs
      .map((l) => akt.interface.parseLog(l))
      .find((l) => l?.name === "__CronosSendToIbc");
    expect(event?.args.toArray()).toEqual([wallet.address, tenant.address, amount]);

    const transfer = await settled(receipt.hash);
    expect(transfer.outcome).toBe("credited");
    expect(BigInt(transfer.creditedAtHeight!) - BigInt(transfer.observedAtHeight)).toBeGreaterThanOrEqual(3n);
    expect(await uaktOnAkash()).toBe(uaktBefore + amount);
  });

  it("refunds on Cronos when the recipient is not an akash1 address", async () => {
    await swapCro("20");
    const amount = await aktOnCronos();
    const uaktBefore = await uaktOnAkash();
    const receipt = await sendToIbc("cosmos1qypqxpq9qcrsszg2pvxq6rs0zqg3yyc5lzv7xu", amount);
    expect(await aktOnCronos()).toBe(0n);
    const transfer = await settled(receipt.hash);
    expect(transfer).toMatchObject({ outcome: "refunded", reason: "invalid_recipient" });
    expect(await aktOnCronos()).toBe(amount);
    expect(await uaktOnAkash()).toBe(uaktBefore);
  });

  it("refunds on Cronos when a timeout is injected, and delays credits by extra Akash blocks", async () => {
    const amount = await aktOnCronos();
    expect(amount).toBeGreaterThan(0n);
    const uaktBefore = await uaktOnAkash();
    await control(devnet, "/cronos/bridge/timeout", { count: 1 });
    const timedOut = await settled((await sendToIbc(tenant.address, amount)).hash);
    expect(timedOut).toMatchObject({ outcome: "refunded", reason: "timeout" });
    expect(await aktOnCronos()).toBe(amount);
    expect(await uaktOnAkash()).toBe(uaktBefore);

    await control(devnet, "/cronos/bridge/delay", { blocks: 4 });
    const delayed = await settled((await sendToIbc(tenant.address, amount)).hash);
    await control(devnet, "/cronos/bridge/clear");
    expect(delayed.outcome).toBe("credited");
    expect(BigInt(delayed.dueHeight) - BigInt(delayed.observedAtHeight)).toBe(7n);
    expect(BigInt(delayed.creditedAtHeight!)).toBeGreaterThan(BigInt(delayed.dueHeight));
    expect(await uaktOnAkash()).toBe(uaktBefore + amount);
  });

  it("moves the pool price by a factor", async () => {
    const path = [cronos.wcro, cronos.akt];
    const quote = async () =>
      ((await router.getFunction("getAmountsOut")(parseEther("10"), path)) as bigint[])[1]!;
    const before = await quote();
    const moved = await control(devnet, "/cronos/price", { factor: 2 });
    expect((moved.pool as { croPerAkt: string }).croPerAkt).toMatch(/^\d+\.\d+$/);
    const after = await quote();
    // AKT now costs twice the CRO: the same CRO buys about half (the pool got deeper, so a little more).
    expect(after * 2n).toBeGreaterThan((before * 99n) / 100n);
    expect(after * 2n).toBeLessThan((before * 101n) / 100n);
    await control(devnet, "/cronos/price", { factor: 0.5 });
    const back = await quote();
    expect(back).toBeGreaterThan((before * 99n) / 100n);
    expect(back).toBeLessThan((before * 101n) / 100n);
    expect((await post(`${devnet.control}/cronos/price`, { factor: 0 })).status).toBe(400);
  });

  it("takes the Cronos RPC down (errors, then a closed port) and back up", async () => {
    await control(devnet, "/cronos/rpc/down", { mode: "error" });
    const fresh = () => new JsonRpcProvider(cronos.rpc, cronos.chainId, { staticNetwork: true });
    const erroring = fresh();
    await expect(erroring.getBlockNumber()).rejects.toThrow();
    erroring.destroy();
    await control(devnet, "/cronos/rpc/down", { mode: "refuse" });
    await expect(fetch(cronos.rpc, { method: "POST", body: "{}" })).rejects.toThrow();
    await control(devnet, "/cronos/rpc/up");
    const back = fresh();
    expect(await back.getBlockNumber()).toBeGreaterThan(0);
    back.destroy();
    const status = (await (await fetch(`${devnet.control}/status`)).json()) as {
      cronos: { rpcFault: string | null; bridge: { lastError: string | null; pending: number } };
    };
    expect(status.cronos.rpcFault).toBeNull();
    expect(status.cronos.bridge).toMatchObject({ lastError: null, pending: 0 });
  });
});
