import { EffectError } from "../../domain/effect-failure.js";
import type { AkashWallets } from "../keys/index.js";
import type { AkashChain, ProviderGateway } from "./akash-service.js";

/** The agent's Akash account at one key index, connected. */
export interface AkashAccount {
  readonly index: number;
  readonly chain: AkashChain;
  readonly gateway: ProviderGateway;
}

export interface AkashAccountsOptions {
  /** The account the process connected at start (the keystore's current index). */
  readonly initial: AkashAccount;
  /** Connects an account with the same endpoints, store and options as the initial one. */
  readonly connect: (wallets: AkashWallets) => Promise<Omit<AkashAccount, "index">>;
  /** The wallets of the key at an index (derived from the mnemonic in the keystore). */
  readonly wallets: (index: number) => Promise<AkashWallets>;
  /** The address of the key at an index, without connecting. */
  readonly addressAt: (index: number) => string;
}

/**
 * The agent's Akash accounts by key index (DESIGN §6: rotation moves to the next index, and the
 * mnemonic still recovers every older key). One of them is primary: `chain` and `gateway` sign as it
 * and follow it when an Akash key rotation makes the next index primary, so every actor built once at
 * start goes on with the new owner. Reads of a deployment or lease the primary does not own fall back
 * to the other accounts this process opened: during a rotation's move the lease that still serves is
 * the old key's.
 */
export class AkashAccounts {
  readonly chain: AkashChain;
  readonly gateway: ProviderGateway;
  private primary: AkashAccount;
  private readonly opened = new Map<number, Promise<AkashAccount>>();

  constructor(private readonly options: AkashAccountsOptions) {
    this.primary = options.initial;
    this.opened.set(options.initial.index, Promise.resolve(options.initial));
    this.chain = primaryChain(this);
    this.gateway = primaryGateway(this);
  }

  /** The primary account: the one that owns new deployments and signs new transactions. */
  get current(): AkashAccount {
    return this.primary;
  }

  /** Every account opened so far other than the primary, for reads that fall back. */
  async others(): Promise<AkashAccount[]> {
    const all = await Promise.all([...this.opened.values()].map((opening) => opening.catch(() => null)));
    return all.filter((account): account is AkashAccount => account !== null && account !== this.primary);
  }

  /** The account of the key at `index`, connected once and kept. */
  account(index: number): Promise<AkashAccount> {
    let opening = this.opened.get(index);
    if (!opening) {
      opening = (async () => {
        const connection = await this.options.connect(await this.options.wallets(index));
        return { index, ...connection };
      })();
      // A failed connection is tried again at the next call, not cached.
      opening.catch(() => this.opened.delete(index));
      this.opened.set(index, opening);
    }
    return opening;
  }

  /** Makes the key at `index` primary (after the keystore moved to it). */
  async use(index: number): Promise<AkashAccount> {
    this.primary = await this.account(index);
    return this.primary;
  }

  /**
   * The account whose address is `owner`, searched among the indices up to the primary's and the next
   * one; a clear error for an address none of them derives (another agent's deployment).
   */
  async accountOf(owner: string): Promise<AkashAccount> {
    if (owner === this.primary.chain.owner) return this.primary;
    for (let index = this.primary.index + 1; index >= 0; index -= 1) {
      if (this.options.addressAt(index) === owner) return this.account(index);
    }
    throw new EffectError(
      "fatal",
      `no key of this agent up to index ${this.primary.index + 1} owns ${owner}: the deployment is not the agent's`,
    );
  }

  async close(): Promise<void> {
    const accounts = await this.others();
    await Promise.all(
      accounts.filter((a) => a !== this.options.initial).map((account) => account.chain.close()),
    );
  }
}

/**
 * The primary's answer when it found something; else the first other opened account's that did; else
 * the primary's answer (or its error: another owner's provider may refuse rather than answer 404).
 */
async function firstOf<T>(
  accounts: AkashAccounts,
  read: (account: AkashAccount) => Promise<T | null>,
  found: (value: T | null) => boolean = (value) => value !== null,
): Promise<T | null> {
  let answer: { value: T | null } | { error: unknown };
  try {
    const value = await read(accounts.current);
    if (found(value)) return value;
    answer = { value };
  } catch (error) {
    answer = { error };
  }
  for (const account of await accounts.others()) {
    const other = await read(account).catch(() => null);
    if (found(other)) return other;
  }
  if ("error" in answer) throw answer.error;
  return answer.value;
}

function primaryChain(accounts: AkashAccounts): AkashChain {
  const chain = () => accounts.current.chain;
  return {
    get chainId() {
      return chain().chainId;
    },
    get owner() {
      return chain().owner;
    },
    get fundedBy() {
      return chain().fundedBy;
    },
    height: () => chain().height(),
    balances: (address) => chain().balances(address),
    deployment: (dseq) => firstOf(accounts, (account) => account.chain.deployment(dseq)),
    activeDeployments: () => chain().activeDeployments(),
    groups: (dseq) => chain().groups(dseq),
    bids: (dseq) => chain().bids(dseq),
    leases: async (dseq) =>
      (await firstOf(
        accounts,
        (account) => account.chain.leases(dseq),
        (found) => (found ?? []).length > 0,
      )) ?? [],
    lease: (lease) => firstOf(accounts, (account) => account.chain.lease(lease)),
    provider: (address) => chain().provider(address),
    auditedProvider: (address) => chain().auditedProvider(address),
    registeredProviders: () => chain().registeredProviders(),
    aktPriceUsd: () => chain().aktPriceUsd(),
    createDeployment: (request) => chain().createDeployment(request),
    closeDeployment: (request) => chain().closeDeployment(request),
    createLease: (request) => chain().createLease(request),
    closeLease: (request) => chain().closeLease(request),
    startGroup: (request) => chain().startGroup(request),
    deposit: (request) => chain().deposit(request),
    mintAct: (request) => chain().mintAct(request),
    submit: (request) => chain().submit(request),
    close: () => chain().close(),
  };
}

function primaryGateway(accounts: AkashAccounts): ProviderGateway {
  return {
    sendManifest: (request) => accounts.current.gateway.sendManifest(request),
    // A provider answers 404 to a JWT of another owner: the old key's lease is asked with the old key.
    leaseStatus: (request) => firstOf(accounts, (account) => account.gateway.leaseStatus(request)),
    probe: (request) => accounts.current.gateway.probe(request),
  };
}
