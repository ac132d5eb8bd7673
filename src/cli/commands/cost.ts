import type { Command } from "commander";
import {
  type CostEstimate,
  estimateCost,
  type Resources,
  resourcesForBudget,
  resourcesForTraffic,
} from "../../domain/index.js";
import { UsageError } from "../../errors.js";
import { cliContext, numberFlag, print } from "../cli-options.js";

interface CostOptions {
  cpu?: number;
  memoryGi?: number;
  storageGi?: number;
  eventsPerSecond?: number;
  connections?: number;
  storageUsedGib?: number;
  budgetUsdDay?: number;
  actUsd?: number;
  json?: boolean;
}

type Basis = "resources" | "traffic" | "budget";

function basisOf(options: CostOptions): Basis {
  const given = {
    resources: [options.cpu, options.memoryGi, options.storageGi].some((value) => value !== undefined),
    traffic: [options.eventsPerSecond, options.connections, options.storageUsedGib].some(
      (value) => value !== undefined,
    ),
    budget: options.budgetUsdDay !== undefined,
  };
  const chosen = (Object.keys(given) as Basis[]).filter((basis) => given[basis]);
  if (chosen.length > 1) {
    throw new UsageError(
      `cost takes one of: resources (--cpu/--memory-gi/--storage-gi), traffic (--events-per-second/--connections/--storage-used-gib) or --budget-usd-day; got ${chosen.join(" and ")}`,
    );
  }
  return chosen[0] ?? "resources";
}

const pad = (text: string, width: number) => text.padStart(width);

function printTable(estimate: CostEstimate, actUsd: number, heading: string): void {
  print(heading);
  print();
  print(
    `${"service".padEnd(12)}${pad("cpu", 6)}${pad("memory", 9)}${pad("storage", 10)}${pad("uact/block", 14)}`,
  );
  for (const service of estimate.services) {
    print(
      `${service.service.padEnd(12)}${pad(String(service.cpuUnits), 6)}${pad(`${service.memoryGi}Gi`, 9)}${pad(
        `${service.storageGi}Gi`,
        10,
      )}${pad(service.perBlock, 14)}`,
    );
  }
  print(`${"network".padEnd(37)}${pad(estimate.perBlock.network, 14)}`);
  print("─".repeat(51));
  print(`${"per block".padEnd(37)}${pad(estimate.perBlock.total, 14)}`);
  print(
    `${"per day".padEnd(20)}${pad(`${estimate.perDay.uact} uact`, 20)}${pad(`$${estimate.perDay.usd.toFixed(2)}`, 11)}`,
  );
  print(
    `${"per month".padEnd(20)}${pad(`${estimate.perMonth.uact} uact`, 20)}${pad(`$${estimate.perMonth.usd.toFixed(2)}`, 11)}`,
  );
  print();
  print(
    `rates (uact/block): cpu ${estimate.rates.cpuPerUnit}/unit, memory ${estimate.rates.memoryPerGi}/Gi, storage ${estimate.rates.storagePerGi}/Gi, network ${estimate.rates.networkBase}; 1 ACT = $${actUsd}`,
  );
}

export function registerCostCommand(program: Command): void {
  program
    .command("cost")
    .description(
      "what a deployment costs per block, day and month (uact and USD), or what a daily budget buys",
    )
    .option("--cpu <units>", "agent-relay cpu units (2–8)", numberFlag({ positive: true }))
    .option("--memory-gi <n>", "agent-relay memory in GiB (4–16)", numberFlag({ positive: true }))
    .option("--storage-gi <n>", "agent-relay storage in GiB (100–500)", numberFlag({ positive: true }))
    .option("--events-per-second <n>", "size from traffic: relay events per second", numberFlag({ min: 0 }))
    .option("--connections <n>", "size from traffic: active connections", numberFlag({ min: 0 }))
    .option("--storage-used-gib <n>", "size from traffic: GiB of relay data", numberFlag({ min: 0 }))
    .option(
      "--budget-usd-day <n>",
      "the reverse: the largest deployment this daily budget buys",
      numberFlag({ positive: true }),
    )
    .option("--act-usd <n>", "price of 1 ACT in USD (default: budget.actUsd)", numberFlag({ positive: true }))
    .option("--json", "one JSON object instead of the table")
    .action((options: CostOptions, command: Command) => {
      const { config } = cliContext(command, { "budget.actUsd": options.actUsd });
      const actUsd = config.budget.actUsd;
      const basis = basisOf(options);
      if (basis === "budget") {
        const plan = resourcesForBudget({ targetUsdPerDay: options.budgetUsdDay as number, actUsd });
        if (options.json) {
          print(JSON.stringify({ budgetUsdPerDay: options.budgetUsdDay, ...plan }));
          return;
        }
        const { cpuUnits, memoryGi, storageGi } = plan.resources;
        printTable(
          plan.estimate,
          actUsd,
          `$${options.budgetUsdDay}/day buys agent-relay ${cpuUnits} cpu / ${memoryGi}Gi / ${storageGi}Gi (max price ${plan.maxPricePerBlock} uact/block)`,
        );
        if (!plan.fitsBudget) {
          print(
            `warning: even the smallest deployment is over budget by ${plan.shortfallPerBlock} uact/block`,
          );
        }
        return;
      }
      const resources: Resources =
        basis === "traffic"
          ? resourcesForTraffic({
              eventsPerSecond: options.eventsPerSecond ?? 0,
              activeConnections: options.connections ?? 0,
              storageUsedGi: options.storageUsedGib ?? 0,
            })
          : {
              cpuUnits: options.cpu ?? 2,
              memoryGi: options.memoryGi ?? 4,
              storageGi: options.storageGi ?? 100,
            };
      const estimate = estimateCost(resources, { actUsd });
      if (options.json) {
        print(JSON.stringify({ resources, ...estimate }));
        return;
      }
      printTable(
        estimate,
        actUsd,
        `agent-relay ${resources.cpuUnits} cpu / ${resources.memoryGi}Gi / ${resources.storageGi}Gi, with postgres and redis`,
      );
    });
}
