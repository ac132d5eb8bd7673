import { fromPromise } from "xstate";
import { EffectError, uaktToMintUact } from "../domain/index.js";
import type {
  DepositEscrowInput,
  EnsureActInput,
  EnsureActOutput,
  FundChildInput,
  SpendDone,
  SwapInput,
  SwapOutput,
  TopUpEscrowInput,
} from "../machines/treasury/treasury.actors.js";
import type { Balances } from "../machines/treasury/treasury.types.js";
import { swapCroToAkt } from "../services/cronos/index.js";
import type { AgentServices } from "./agent-services.js";
import { planChildCro, sendChildCro } from "./child-cro-funding.js";
import { escrowRefundedOn } from "./escrow-refunds.js";
import { pollUntil } from "./poll-until.js";
import { cronosLegDeps, readCronosSide, readEscrowAndBurn } from "./treasury-readings.js";

const DAY_MS = 86_400_000;
/** Children whose grants may still draw on this agent's ACT (born ones are granted only once funded). */
const CHILDREN_DRAWING = new Set(["funded", "deploying", "active", "silent", "resurrecting", "retiring"]);

/**
 * The treasury machine's effects: balances (with the day's escrow refunds from the ledger, credited
 * back against the daily cap), ACT minting, escrow deposits.
 */
export function createTreasuryActors(services: AgentServices, options: { feeReserveUakt: string }) {
  const { chain, store, settings, logger, cronos } = services;

  /**
   * ACT the children may still draw through their grants: a grant moves the parent's own uact, so
   * what is left of each living child's budget is not this agent's to spend on its own leases.
   */
  const reservedForChildren = async (): Promise<bigint> => {
    const grants = services.childGrants;
    if (!grants || chain.fundedBy) return 0n;
    const living = store.children.all().filter((child) => CHILDREN_DRAWING.has(child.state));
    const remaining = await Promise.all(
      living.map(async (child) => {
        const akash = child.addresses.akash;
        if (!akash) return 0n;
        return BigInt((await grants.childGrants(akash)).deposit?.remainingUact ?? "0");
      }),
    );
    return remaining.reduce((sum, uact) => sum + uact, 0n);
  };
  /** The account's balances with the children's reserved ACT left out. */
  const ownBalances = async () => {
    const [balances, reserved] = await Promise.all([chain.balances(), reservedForChildren()]);
    const uact = BigInt(balances.uact) - reserved;
    return { ...balances, uact: (uact > 0n ? uact : 0n).toString() };
  };
  const log = logger.child({ actor: "treasury" });

  /**
   * The request is covered by ACT already minted: what it leaves of the float is minted again now,
   * when AKT above the fee reserve allows, and not waited for (it settles at the next BME epoch, well
   * before the next deploy or top-up needs it). Keyed per request, so a re-run never mints it twice.
   */
  const refillFloat = async (input: EnsureActInput, before: { uakt: string; uact: string }) => {
    // A child mints nothing: its ACT is its parent's, drawn through the grant.
    if (chain.fundedBy) return;
    const float = BigInt(input.floatUact ?? "0");
    const short = BigInt(input.amountUact) + float - BigInt(before.uact);
    const key = `${input.key}:float`;
    // A float mint begun before a restart is finished and recorded whatever the balances say now.
    const earlier = (
      store.intents.get(key)?.payload as { messages?: Array<{ amountUakt?: string }> } | undefined
    )?.messages?.[0]?.amountUakt;
    if (!earlier && (float === 0n || short <= 0n)) return;
    const aktUsd = await chain.aktPriceUsd().catch(() => settings.aktUsdFallback);
    const uakt = earlier ?? uaktToMintUact(short, { actUsd: settings.actUsd, aktUsd }).toString();
    if (!earlier && BigInt(uakt) > BigInt(before.uakt) - BigInt(options.feeReserveUakt)) return;
    log.info({ mintUakt: uakt, floatUact: float.toString() }, "minting ACT for the float");
    const result = await chain.mintAct({ key, amountUakt: uakt });
    store.spending.record({
      key,
      kind: "mint_act",
      denom: "uakt",
      amount: uakt,
      ...(result.txHash ? { txHash: result.txHash } : {}),
    });
  };

  /** `MsgAccountDeposit` of `amountUact` into the deployment's escrow under `key`, recorded as spent. */
  const depositEscrow = async (input: DepositEscrowInput): Promise<SpendDone> => {
    log.info({ dseq: input.dseq, amountUact: input.amountUact }, "topping up the escrow");
    const result = await chain.deposit({ key: input.key, dseq: input.dseq, amountUact: input.amountUact });
    store.spending.record({
      key: input.key,
      kind: "escrow_deposit",
      denom: "uact",
      amount: input.amountUact,
      ...(result.txHash ? { txHash: result.txHash } : {}),
    });
    return { at: services.now() };
  };

  /** Makes sure the account holds `amountUact` of ACT, minting from AKT and waiting for it to settle. */
  const ensureActHeld = async (input: EnsureActInput, signal: AbortSignal): Promise<EnsureActOutput> => {
    const wanted = BigInt(input.amountUact);
    const recordMint = (uakt: string, txHash: string | null) =>
      store.spending.record({
        key: input.key,
        kind: "mint_act",
        denom: "uakt",
        amount: uakt,
        ...(txHash ? { txHash } : {}),
      });
    // A mint begun for this request before a restart is finished first (looked up by its tx,
    // never sent twice) and recorded, even if its ACT has already arrived.
    const earlier = store.intents.get(input.key);
    const earlierUakt = (earlier?.payload as { messages?: Array<{ amountUakt?: string }> } | undefined)
      ?.messages?.[0]?.amountUakt;
    if (earlierUakt) {
      const result = await chain.mintAct({ key: input.key, amountUakt: earlierUakt });
      recordMint(earlierUakt, result.txHash);
    }
    const before = await ownBalances();
    if (BigInt(before.uact) >= wanted) {
      await refillFloat(input, before);
      return { at: services.now(), mintedUact: "0" };
    }
    if (!earlierUakt && chain.fundedBy) {
      throw new EffectError(
        "insufficient_funds",
        `the parent's grant lets this child spend ${before.uact} uact, not the ${wanted} uact needed: a child is funded by its parent's grant (from ${chain.fundedBy}) and cannot mint ACT; the parent must grant more`,
      );
    }
    if (!earlierUakt) {
      const missing = wanted - BigInt(before.uact);
      const aktUsd = await chain.aktPriceUsd().catch(() => settings.aktUsdFallback);
      const prices = { actUsd: settings.actUsd, aktUsd };
      const needed = uaktToMintUact(missing, prices);
      const spendable = BigInt(before.uakt) - BigInt(options.feeReserveUakt);
      // The float (one deposit plus one top-up) is minted along when AKT allows, so the next
      // deploy or move finds its ACT settled; only the request itself is waited for.
      const withFloat = uaktToMintUact(missing + BigInt(input.floatUact ?? "0"), prices);
      const uakt = withFloat <= spendable ? withFloat : needed;
      if (uakt > spendable) {
        throw new EffectError(
          "insufficient_funds",
          `minting ${missing} uact needs ${uakt} uakt but only ${spendable > 0n ? spendable : 0n} uakt can be spent (the rest is kept for fees)`,
        );
      }
      log.info({ mintUakt: uakt.toString(), forUact: missing.toString(), aktUsd }, "minting ACT from AKT");
      const result = await chain.mintAct({ key: input.key, amountUakt: uakt.toString() });
      recordMint(uakt.toString(), result.txHash);
    }
    // Minted ACT arrives in the EndBlock of an epoch's last block: looked at as each block is announced.
    const nextBlock = chain.nextBlock?.bind(chain);
    const after = await pollUntil({
      signal,
      intervalMs: settings.pollIntervalMs,
      deadline: services.now() + settings.mintSettleTimeoutMs,
      now: services.now,
      ...(nextBlock ? { pause: nextBlock } : {}),
      read: ownBalances,
      done: (balances) => BigInt(balances.uact) >= wanted,
    });
    if (BigInt(after.uact) < wanted) {
      throw new EffectError("retryable", `minted ACT has not settled yet (${after.uact} of ${wanted} uact)`);
    }
    return { at: services.now(), mintedUact: (BigInt(after.uact) - BigInt(before.uact)).toString() };
  };

  return {
    readBalances: fromPromise<Balances, void>(async () => {
      // Each chain read on its own: Cronos not answering leaves the Akash side read and acted on.
      const [balances, escrow, cronosSide] = await Promise.all([
        ownBalances(),
        readEscrowAndBurn(chain, settings.blockSeconds),
        readCronosSide(cronos),
      ]);
      if (cronosSide.cronosUnreadable !== null) {
        log.warn({ reason: cronosSide.cronosUnreadable }, "Cronos could not be read; the Akash side was");
      }
      const at = services.now();
      return {
        uakt: balances.uakt,
        uact: balances.uact,
        pendingMintUact: "0",
        croWei: cronosSide.croWei,
        aktUnits: cronosSide.aktUnits,
        ...(cronosSide.cronosUnreadable === null ? {} : { cronosUnreadable: cronosSide.cronosUnreadable }),
        escrowUact: escrow.escrowUact,
        burnUactPerDay: escrow.burnUactPerDay,
        at,
        refundedTodayUact: escrowRefundedOn(store, at).toString(),
      };
    }),

    ensureAct: fromPromise<EnsureActOutput, EnsureActInput>(({ input, signal }) =>
      ensureActHeld(input, signal),
    ),

    depositEscrow: fromPromise<SpendDone, DepositEscrowInput>(({ input }) => depositEscrow(input)),

    topUpEscrow: fromPromise<SpendDone, TopUpEscrowInput>(async ({ input, signal }) => {
      // A deposit begun before a restart is finished, not preceded by a new look at the ACT: the
      // deposit may already have spent it, and minting again would be a second mint for one top-up.
      const begun = store.intents.get(input.key);
      if (!begun || begun.state === "failed") {
        await ensureActHeld(
          {
            key: `${input.key}:act`,
            amountUact: input.amountUact,
            ...(input.floatUact ? { floatUact: input.floatUact } : {}),
          },
          signal,
        );
      }
      return depositEscrow(input);
    }),

    /**
     * Mints the ACT the child may draw (the grant moves the parent's own uact when the child
     * deposits), then grants the child its deposit budget and fee allowance in one tx, then sends its
     * CRO (`reproduction.childCroWei`) to its Cronos address. The expiry chosen the first time is kept,
     * so a re-run after a crash asks for the very grants it began; the CRO goes once per key.
     */
    fundChild: fromPromise<SpendDone, FundChildInput>(async ({ input, signal }) => {
      const grants = services.childGrants;
      const funding = settings.childFunding;
      if (!grants || !funding) {
        throw new EffectError(
          "fatal",
          "funding a child needs the chain's grants and reproduction.childFeeBudgetUakt / reproduction.grantDays: this host provides neither",
        );
      }
      if (chain.fundedBy) {
        throw new EffectError(
          "fatal",
          `this agent is itself a child funded by ${chain.fundedBy}'s grant and holds no ACT of its own to grant: a child cannot fund children`,
        );
      }
      // The CRO is decided (caps, Cronos leg, funds) before anything is sent for this child.
      const cro = await planChildCro(services, input, log);
      const grantKey = `${input.key}:grant`;
      const earlier = store.intents.get(grantKey);
      const earlierExpiry = (earlier?.payload as { expiresAt?: unknown } | undefined)?.expiresAt;
      const expiresAt =
        typeof earlierExpiry === "number" ? earlierExpiry : services.now() + funding.grantDays * DAY_MS;
      if (earlier?.state !== "done") {
        await ensureActHeld({ key: `${input.key}:act`, amountUact: input.amountUact }, signal);
      }
      log.info(
        { child: input.childAddress, limitUact: input.amountUact, feeLimitUakt: funding.feeBudgetUakt },
        "granting a child its budget",
      );
      const result = await grants.grantChildBudget({
        key: grantKey,
        child: input.childAddress,
        limitUact: input.amountUact,
        feeLimitUakt: funding.feeBudgetUakt,
        expiresAt,
      });
      store.spending.record({
        key: input.key,
        kind: "child_funding",
        denom: "uact",
        amount: input.amountUact,
        ...(result.txHash ? { txHash: result.txHash } : {}),
      });
      if (cro) await sendChildCro(services, cro, { log, signal });
      return { at: services.now() };
    }),

    swapCroForAkt: fromPromise<SwapOutput, SwapInput>(async ({ input, signal }) => {
      if (!cronos) {
        throw new EffectError(
          "fatal",
          `no CRO→AKT swap route: no Cronos endpoints are configured for this network (treasury.cronos.*); fund the Akash account with AKT`,
        );
      }
      const result = await swapCroToAkt(
        {
          key: input.key,
          amountUakt: input.amountUakt,
          akashAddress: services.keys.identity.akash,
          aktUsd: await chain.aktPriceUsd().catch(() => settings.aktUsdFallback),
          akashUakt: async () => BigInt((await chain.balances()).uakt),
        },
        cronosLegDeps(cronos, { store, logger: log, now: services.now, signal }),
      );
      return { at: services.now(), receivedUakt: result.receivedUakt, spentUsd: result.spentUsd };
    }),
  };
}
