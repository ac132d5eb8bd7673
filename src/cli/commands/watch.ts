import type { Command } from "commander";
import { AgentError, UsageError } from "../../errors.js";
import type { ReceivedHeartbeat } from "../../services/nostr/index.js";
import { print } from "../cli-options.js";

interface WatchOptions {
  npub: string[];
  relay: string;
  json?: boolean;
}

function line(heartbeat: ReceivedHeartbeat): string {
  const runway = heartbeat.runwayDays === null ? "-" : `${heartbeat.runwayDays} d`;
  return [
    heartbeat.at,
    heartbeat.agentId,
    `gen ${heartbeat.generation}`,
    `lease ${heartbeat.leaseState}`,
    `provider ${heartbeat.provider ?? "-"}`,
    `runway ${runway}`,
    `relay ${heartbeat.relayUri ?? "-"}`,
  ].join("  ");
}

export function registerWatchCommand(program: Command): void {
  program
    .command("watch")
    .description("print a member's heartbeats from a Nostr relay as they come (Ctrl-C stops)")
    .requiredOption(
      "--npub <npub>",
      "the member's public key (npub1… or hex); repeat for several",
      (value, all: string[] = []) => [...all, value],
    )
    .requiredOption("--relay <url>", "the relay to read from (ws:// or wss://)")
    .option("--json", "one JSON line per heartbeat")
    .action(async (options: WatchOptions) => {
      if (!/^wss?:\/\/\S+$/.test(options.relay))
        throw new UsageError(`--relay "${options.relay}" is not a relay URL: give ws://… or wss://…`);
      const { memberPubkey, watchHeartbeats, HeartbeatReaderError } = await import(
        "../../services/nostr/index.js"
      );
      let pubkeys: string[];
      try {
        pubkeys = options.npub.map((npub) => memberPubkey(npub));
      } catch (error) {
        if (error instanceof HeartbeatReaderError) throw new UsageError(error.message);
        throw error;
      }
      await new Promise<void>((resolve, reject) => {
        let stopped = false;
        const stop = () => {
          stopped = true;
          resolve();
        };
        watchHeartbeats({
          relay: options.relay,
          pubkeys,
          onHeartbeat: (heartbeat) => print(options.json ? JSON.stringify(heartbeat) : line(heartbeat)),
          onClose: (reason) => {
            if (!stopped) reject(new AgentError(`the relay ${options.relay} ended the watch: ${reason}`));
          },
        }).then(
          (watch) => {
            const finish = () => {
              watch.close();
              stop();
            };
            process.once("SIGINT", finish);
            process.once("SIGTERM", finish);
          },
          (error: unknown) =>
            reject(error instanceof HeartbeatReaderError ? new AgentError(error.message) : error),
        );
      });
    });
}
