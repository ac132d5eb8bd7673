import { describe, expect, it } from "vitest";
import { assign, createActor, fromPromise, SimulatedClock, setup } from "xstate";
import { loadConfig } from "../../src/config/index.js";
import { EffectError } from "../../src/domain/index.js";
import {
  type Balances,
  type TreasurySettings,
  treasuryMachine,
  treasuryView,
} from "../../src/machines/index.js";
import type {
  EnsureActInput,
  EnsureActOutput,
  SpendDone,
  SwapInput,
  SwapOutput,
  TopUpEscrowInput,
} from "../../src/machines/treasury/treasury.actors.js";
import type { TreasuryContext } from "../../src/machines/treasury/treasury.context.js";
import { agentSettingsFromConfig } from "../../src/runtime/agent-settings.js";
import { clockWaits } from "../support/clock-waits.js";
import { RecordedActors, settled } from "../support/recorded-actors.js";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const START = Date.UTC(2026, 10, 23);
const AKT_USD = 1.25;
const CRO_USD = 0.1;
const BURN_USD_PER_DAY = 5;
const MICRO = 1_000_000;
const WEI_PER_CRO = 10n ** 18n;
/** The pool's 0.3% fee on every swap, and gas. */
const SWAP_FEE = 0.003;
const GAS_USD = 0.01;

/** The agent's money in a simulated week: accounts, one lease's escrow burning at $5 a day. */
class World {
  uakt = 30n * BigInt(MICRO);
  uact = 0n;
  escrowUact = 15n * BigInt(MICRO);
  croWei = 900n * WEI_PER_CRO;
  swaps = 0;
  mints = 0;
  topUpsGranted = 0;
  constructor(private readonly clock: SimulatedClock) {}

  balances(): Balances {
    return {
      uakt: this.uakt.toString(),
      uact: this.uact.toString(),
      pendingMintUact: "0",
      croWei: this.croWei.toString(),
      aktUnits: "0",
      escrowUact: this.escrowUact.toString(),
      burnUactPerDay: (BURN_USD_PER_DAY * MICRO).toString(),
      at: this.clock.now(),
    };
  }

  burnFor(ms: number): void {
    const burnt = BigInt(Math.round((BURN_USD_PER_DAY * MICRO * ms) / DAY));
    this.escrowUact = this.escrowUact > burnt ? this.escrowUact - burnt : 0n;
  }

  ensureAct(input: EnsureActInput, reserveUakt: bigint): EnsureActOutput {
    const wanted = BigInt(input.amountUact);
    const uaktFor = (uact: bigint) => BigInt(Math.ceil(Number(uact) / AKT_USD));
    if (this.uact >= wanted) {
      // Covered: what the request leaves of the float is minted again when AKT allows (as the actor does).
      const short = wanted + BigInt(input.floatUact ?? "0") - this.uact;
      if (short > 0n && uaktFor(short) <= this.uakt - reserveUakt) {
        this.uakt -= uaktFor(short);
        this.uact += short;
        this.mints += 1;
      }
      return { at: this.clock.now(), mintedUact: "0" };
    }
    const needed = uaktFor(wanted - this.uact);
    const withFloat = uaktFor(wanted + BigInt(input.floatUact ?? "0") - this.uact);
    const spendable = this.uakt - reserveUakt;
    if (needed > spendable)
      throw new EffectError("insufficient_funds", `minting needs ${needed} uakt, ${spendable} spendable`);
    const burnt = withFloat <= spendable ? withFloat : needed;
    const minted = BigInt(Math.floor(Number(burnt) * AKT_USD));
    this.uakt -= burnt;
    this.uact += minted;
    this.mints += 1;
    return { at: this.clock.now(), mintedUact: minted.toString() };
  }

  deposit(input: TopUpEscrowInput): SpendDone {
    const amount = BigInt(input.amountUact);
    if (this.uact < amount) throw new EffectError("insufficient_funds", "not enough ACT for the deposit");
    this.uact -= amount;
    this.escrowUact += amount;
    return { at: this.clock.now() };
  }

  swap(input: SwapInput): SwapOutput {
    const uakt = BigInt(input.amountUakt);
    const cro = ((Number(uakt) / MICRO) * AKT_USD * (1 + SWAP_FEE)) / CRO_USD;
    const wei = BigInt(Math.ceil(cro * 1e6)) * 10n ** 12n;
    if (wei > this.croWei) throw new EffectError("insufficient_funds", "not enough CRO");
    this.croWei -= wei;
    this.uakt += uakt;
    this.swaps += 1;
    return { at: this.clock.now(), receivedUakt: uakt.toString(), spentUsd: cro * CRO_USD + GAS_USD };
  }
}

function weekSettings(): TreasurySettings {
  const config = loadConfig({
    env: {},
    flags: {
      "budget.aktUsd": AKT_USD,
      "budget.croUsd": CRO_USD,
      "budget.targetUsdPerDay": BURN_USD_PER_DAY,
      "intervals.balancePollMs": HOUR,
      "treasury.frugalBelowDays": 28,
      "treasury.criticalBelowDays": 24,
    },
  });
  return agentSettingsFromConfig(config, { blockSeconds: 6 }).treasury;
}

interface Alert {
  at: number;
  title: string;
  message: string;
}

describe("treasury: a simulated week of top-ups and swaps under the daily cap", () => {
  it("tops up every time, swaps CRO when AKT runs short, stays under the cap each day, alerts each tier change once", async () => {
    const clock = new SimulatedClock();
    clock.set(START);
    const world = new World(clock);
    const settings = weekSettings();
    const reserve = BigInt(settings.minAktReserveUakt);
    const recorder = new RecordedActors();
    const treasury = treasuryMachine.provide({
      actors: {
        ...clockWaits(clock, recorder),
        readBalances: fromPromise(async () => world.balances()),
        ensureAct: fromPromise<EnsureActOutput, EnsureActInput>(async ({ input }) =>
          world.ensureAct(input, reserve),
        ),
        topUpEscrow: fromPromise<SpendDone, TopUpEscrowInput>(async ({ input }) => {
          world.ensureAct({ ...input, key: `${input.key}:act` }, reserve);
          return world.deposit(input);
        }),
        swapCroForAkt: fromPromise<SwapOutput, SwapInput>(async ({ input }) => world.swap(input)),
      },
    });
    // The agent's part: route answers to the lease model and keep the alerts.
    const host = setup({
      types: {
        context: {} as { alerts: Alert[]; granted: string[]; refused: string[] },
        events: {} as
          | { type: "ALERT.RAISED"; title: string; message: string }
          | { type: "TREASURY.REQUEST_GRANTED"; requestId: string }
          | { type: "TREASURY.REQUEST_REFUSED"; requestId: string; reason: string },
      },
      actors: { treasury },
    }).createMachine({
      context: { alerts: [], granted: [], refused: [] },
      invoke: { src: "treasury", id: "treasury", systemId: "treasury", input: { agentId: "week", settings } },
      on: {
        "ALERT.RAISED": {
          actions: assign({
            alerts: ({ context, event }) => [
              ...context.alerts,
              { at: clock.now(), title: event.title, message: event.message },
            ],
          }),
        },
        "TREASURY.REQUEST_GRANTED": {
          actions: assign({ granted: ({ context, event }) => [...context.granted, event.requestId] }),
        },
        "TREASURY.REQUEST_REFUSED": {
          actions: assign({
            refused: ({ context, event }) => [...context.refused, `${event.requestId}: ${event.reason}`],
          }),
        },
      },
    });
    const agent = createActor(host, { clock });
    agent.start();
    const treasuryContext = () =>
      (agent.getSnapshot().children.treasury!.getSnapshot() as { context: TreasuryContext }).context;
    const flush = async () => {
      for (let i = 0; i < 20; i += 1) await settled();
    };
    await flush();

    const topUpUact = (48 / 24) * BURN_USD_PER_DAY * MICRO;
    let outstanding: string | null = null;
    let topUps = 0;
    let lowestEscrowUact = world.escrowUact;
    const spentPerDay = new Map<string, number>();
    const rows: string[] = [];
    for (let hour = 1; hour <= 7 * 24; hour += 1) {
      world.burnFor(HOUR);
      if (world.escrowUact < lowestEscrowUact) lowestEscrowUact = world.escrowUact;
      if (hour === Math.round(5.5 * 24)) world.croWei += 1_000n * WEI_PER_CRO; // the operator sends CRO
      clock.increment(HOUR);
      await flush();
      const { granted, refused } = agent.getSnapshot().context;
      if (
        outstanding &&
        (granted.includes(outstanding) || refused.some((r) => r.startsWith(`${outstanding}:`)))
      ) {
        outstanding = null;
      }
      // The lease asks for 48 hours more when its escrow falls under 24 hours.
      if (!outstanding && world.escrowUact < BigInt((BURN_USD_PER_DAY * MICRO) / 1)) {
        topUps += 1;
        outstanding = `topup-${topUps}`;
        agent.getSnapshot().children.treasury!.send({
          type: "TREASURY.FUNDS_REQUESTED",
          requestId: outstanding,
          purpose: "escrow_top_up",
          dseq: "1001",
          amountUact: topUpUact.toString(),
          replyTo: "lease",
        });
        await flush();
      }
      const context = treasuryContext();
      if (context.spent.day) spentPerDay.set(context.spent.day, context.spent.usd);
      if (hour % 24 === 0) {
        const view = treasuryView(context, clock.now());
        const dayEnded = new Date(clock.now() - 1).toISOString().slice(0, 10);
        const holdings = context.balances ? (view.runwayDays ?? 0) * BURN_USD_PER_DAY : 0;
        rows.push(
          `| day ${hour / 24} | held $${holdings.toFixed(2).padStart(6)} | runway ${String(view.runwayDays).padStart(5)} d | tier ${String(view.tier).padEnd(8)} | spent that day $${(spentPerDay.get(dayEnded) ?? 0).toFixed(2).padStart(5)} of $${view.capUsdPerDay} | top-ups ${agent.getSnapshot().context.granted.length} | swaps ${world.swaps} | mints ${world.mints} |`,
        );
      }
    }
    const { alerts, granted, refused } = agent.getSnapshot().context;
    const tierAlerts = alerts.filter((alert) => alert.title.startsWith("Treasury "));
    console.log(
      [
        "simulated week (burn $5/day, AKT $1.25, CRO $0.10, frugal < 28 d, critical < 24 d, cap $50/day):",
        ...rows,
        "tier alerts:",
        ...tierAlerts.map((a) => `  day ${((a.at - START) / DAY).toFixed(2)} ${a.title}: ${a.message}`),
        `daily spend: ${[...spentPerDay].map(([day, usd]) => `${day} $${usd.toFixed(2)}`).join(", ")}`,
      ].join("\n"),
    );

    expect(refused).toEqual([]);
    expect(granted.length).toBe(topUps);
    expect(topUps).toBeGreaterThanOrEqual(3);
    expect(lowestEscrowUact).toBeGreaterThan(0n);
    expect(world.swaps).toBeGreaterThan(0);
    for (const [, usd] of spentPerDay) expect(usd).toBeLessThanOrEqual(settings.dailySpendCapUsd);
    expect(tierAlerts.map((alert) => alert.title)).toEqual([
      "Treasury frugal",
      "Treasury critical",
      "Treasury normal",
    ]);
    expect(tierAlerts[1]!.message).toMatch(
      /critical: \$\d+\.\d\d held, \d+\.\d\d days of runway .*no reproduction, the next deployment takes the cheapest viable SDL/,
    );
    agent.stop();
  });
});
