import { JsonRpcProvider, Network } from "ethers";
import type { AgentConfig } from "../../config/index.js";
import { configuredCronosEndpoints } from "../../runtime/cronos-endpoints-config.js";
import { resolveDevnetEndpoints } from "../../services/akash/akash-endpoints.js";
import type { ChildAgent } from "../../services/store/index.js";

/** A child's Cronos address and, when the node answered, its CRO (wei, decimal string). */
export interface ChildCroView {
  readonly address: string;
  readonly balanceWei: string | null;
}

const BALANCE_TIMEOUT_MS = 5_000;

/** The Cronos JSON-RPC of the network (on the devnet: the running devnet's), or null when it has none. */
async function cronosRpc(config: AgentConfig): Promise<{ rpc: string; chainId: number } | null> {
  if (config.network === "devnet") {
    if (!config.devnet.url) return null;
    const cronos = (await resolveDevnetEndpoints(config.devnet.url)).cronos;
    return cronos ? { rpc: cronos.rpc, chainId: cronos.chainId } : null;
  }
  const cronos = configuredCronosEndpoints(config).cronos;
  return cronos ? { rpc: cronos.rpc, chainId: cronos.chainId } : null;
}

/**
 * Each child's CRO for `akash-agent family`: its Cronos address from the registry (null for a child
 * registered before children had one) and one `eth_getBalance` per child; a balance that cannot be
 * read is null, and `warn` says why once.
 */
export async function readChildrenCro(
  config: AgentConfig,
  children: readonly ChildAgent[],
  warn: (line: string) => void,
): Promise<Array<ChildCroView | null>> {
  const addresses = children.map((child) => child.addresses.cronos ?? null);
  if (addresses.every((address) => address === null)) return addresses.map(() => null);
  const unread = addresses.map((address) => (address === null ? null : { address, balanceWei: null }));
  let provider: JsonRpcProvider | null = null;
  try {
    const endpoint = await cronosRpc(config);
    if (!endpoint) {
      warn(
        "no Cronos endpoint to read the children's CRO from (on the devnet: pass --devnet-url): balanceWei is null",
      );
      return unread;
    }
    const rpc = new JsonRpcProvider(endpoint.rpc, Network.from(endpoint.chainId), {
      staticNetwork: true,
      batchMaxCount: 1,
    });
    provider = rpc;
    return await Promise.all(
      addresses.map(async (address) => {
        if (address === null) return null;
        const balance = await Promise.race([
          rpc.getBalance(address),
          new Promise<never>((_, reject) =>
            setTimeout(
              () => reject(new Error(`no answer in ${BALANCE_TIMEOUT_MS} ms`)),
              BALANCE_TIMEOUT_MS,
            ).unref(),
          ),
        ]);
        return { address, balanceWei: balance.toString() };
      }),
    );
  } catch (error) {
    warn(
      `cannot read the children's CRO (${error instanceof Error ? error.message : String(error)}): balanceWei is null`,
    );
    return unread;
  } finally {
    provider?.destroy();
  }
}
