import { toBech32 } from "@cosmjs/encoding";
import type { Command } from "commander";
import type { AgentConfig } from "../../config/index.js";
import { type AgentIdentity, generateSdlTemplate } from "../../domain/index.js";
import { cliContext, numberFlag, print } from "../cli-options.js";
import { loadAgentKeysQuietly } from "../keystore-access.js";
import { chainIdOf } from "../network-names.js";

interface SdlOptions {
  eventsPerSecond: number;
  connections: number;
  storageUsedGib: number;
  budgetUsdDay?: number;
  json?: boolean;
}

/** Stand-in identity for previews when no keystore can be opened without a prompt. */
function previewIdentity(config: AgentConfig): AgentIdentity {
  return {
    agentId: "agent-preview",
    akashAddress: toBech32("akash", new Uint8Array(20)),
    nostrPubkey: "0".repeat(64),
    relayName: config.agent.relayName,
    relayDomain: config.agent.relayDomain,
    network: config.network,
    chainId: chainIdOf(config),
    role: config.agent.role,
    parentAgentId: config.agent.parentAgentId ?? null,
  };
}

export function registerSdlCommand(program: Command): void {
  program
    .command("sdl")
    .description("print the SDL the agent would deploy for this traffic and budget (secrets redacted)")
    .requiredOption("--events-per-second <n>", "relay events per second", numberFlag({ min: 0 }))
    .requiredOption("--connections <n>", "active client connections", numberFlag({ min: 0 }))
    .requiredOption("--storage-used-gib <n>", "GiB of relay data stored today", numberFlag({ min: 0 }))
    .option(
      "--budget-usd-day <n>",
      "target spend per day in USD (default: budget.targetUsdPerDay)",
      numberFlag({ positive: true }),
    )
    .option("--json", 'one JSON object: { "sdl", "resources", "maxPricePerBlock" }')
    .action(async (options: SdlOptions, command: Command) => {
      const { config } = cliContext(command, { "budget.targetUsdPerDay": options.budgetUsdDay });
      const keys = await loadAgentKeysQuietly(config);
      const identity: AgentIdentity = keys
        ? {
            ...previewIdentity(config),
            agentId: keys.identity.agentId,
            akashAddress: keys.identity.akash,
            nostrPubkey: keys.identity.nostrPubkey,
          }
        : previewIdentity(config);
      const template = generateSdlTemplate({
        metrics: {
          eventsPerSecond: options.eventsPerSecond,
          activeConnections: options.connections,
          storageUsedGi: options.storageUsedGib,
        },
        identity,
        image: config.agent.image,
        profile: config.agent.sdlProfile,
        budget: { targetUsdPerDay: config.budget.targetUsdPerDay, actUsd: config.budget.actUsd },
      });
      const maxPricePerBlock = { denom: "uact", amount: template.maxPricePerBlock };
      const { cpuUnits, memoryGi, storageGi } = template.resources;
      if (options.json) {
        const resources = { cpuUnits, memory: `${memoryGi}Gi`, storage: `${storageGi}Gi` };
        print(JSON.stringify({ sdl: template.redactedYaml, resources, maxPricePerBlock }));
        return;
      }
      process.stdout.write(template.redactedYaml);
      print(`# agent-relay: ${cpuUnits} cpu, ${memoryGi}Gi memory, ${storageGi}Gi storage`);
      print(
        `# max price: ${template.maxPricePerBlock} uact/block for $${config.budget.targetUsdPerDay}/day at $${config.budget.actUsd}/ACT`,
      );
      if (!keys) {
        process.stderr.write(
          "note: no keystore opened (run `akash-agent init`, then set AGENT_PASSPHRASE), so the identity shown is a preview\n",
        );
      }
    });
}
