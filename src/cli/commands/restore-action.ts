import type { Command } from "commander";
import type { AgentConfig } from "../../config/index.js";
import type { Logger } from "../../logging/index.js";
import type { AkashEndpoints } from "../../services/akash/akash-endpoints.js";
import { connectAkash, resolveDevnetEndpoints } from "../../services/akash/index.js";
import { restoreBackup } from "../../services/backup/index.js";
import {
  AgentKeys,
  KEY_INDICES_ENV,
  type KeyIndices,
  type KeystoreBackend,
  keyKinds,
  updateKeyIndices,
} from "../../services/keys/index.js";
import type { AgentStore } from "../../services/store/index.js";
import { cliContext, print } from "../cli-options.js";
import { backupKeystore, backupTargetOrFail } from "./backup-access.js";

async function chainEndpoints(config: AgentConfig): Promise<AkashEndpoints> {
  if (config.network !== "devnet") return config.networks[config.network];
  return resolveDevnetEndpoints(config.devnet.url!);
}

/** Connects as the agent over the restored store, to compare the backup with what the chain shows. */
function chainConnector(config: AgentConfig, keys: AgentKeys) {
  return async (store: AgentStore) => {
    const { chain } = await connectAkash({
      endpoints: await chainEndpoints(config),
      wallets: await keys.akashWallets(),
      store,
    });
    return {
      chain: { owner: chain.owner, activeDeployments: () => chain.activeDeployments() },
      close: () => chain.close(),
    };
  };
}

/**
 * Keys rotate to higher account indices, which the words alone do not tell: the backup does. A keystore
 * that can keep them is moved up to them (never down); for one that cannot, the variable to set is named.
 */
async function catchUpKeyIndices(
  backend: KeystoreBackend,
  restored: KeyIndices,
  logger: Logger,
): Promise<void> {
  const current = (await backend.load()).keyIndices;
  if (keyKinds.every((kind) => current[kind] >= restored[kind])) return;
  if (backend.durable) {
    await updateKeyIndices(
      backend,
      (indices) =>
        Object.fromEntries(
          keyKinds.map((kind) => [kind, Math.max(indices[kind], restored[kind])]),
        ) as KeyIndices,
    );
    logger.info({ keyIndices: restored }, "the keystore's key indices moved up to the backup's");
    return;
  }
  logger.warn(
    `the backup was made with rotated keys: set ${KEY_INDICES_ENV}='${JSON.stringify(restored)}' before \`akash-agent run\``,
  );
}

/** `akash-agent restore`: loaded only when the command runs (its modules are heavy). */
export async function restoreAction(
  options: { devnetUrl?: string; json?: boolean },
  command: Command,
): Promise<void> {
  const { config, logger } = cliContext(command, { "devnet.url": options.devnetUrl });
  const keystore = await backupKeystore(config);
  const keys = AgentKeys.fromContents(await keystore.load());
  const { target } = await backupTargetOrFail(config);
  const result = await restoreBackup({
    keys,
    target,
    dataDir: config.dataDir,
    connectChain: chainConnector(config, keys),
  });
  for (const note of result.chain?.notes ?? []) logger.warn(note);
  await catchUpKeyIndices(keystore, result.keyIndices, logger);
  const dseq = result.chain?.dseq ?? null;
  if (options.json) {
    print(
      JSON.stringify({
        id: result.id,
        seq: result.seq,
        bytes: result.bytes,
        sha256: result.sha256,
        source: result.source,
        dseq,
      }),
    );
    return;
  }
  print(
    `restored backup ${result.seq} (${result.id}, found ${result.source === "relay" ? "by its pointer on a relay" : "by its tags on the gateway"})`,
  );
  print(`store    ${result.path}`);
  print(
    `lease    ${dseq ?? "-"}${dseq ? (result.chain?.dseqActive ? " (open on chain: run resumes it)" : " (closed on chain: run deploys anew)") : ""}`,
  );
  print(`next     akash-agent run --data ${config.dataDir}`);
}
