import type { Dec } from "./decimal.js";

/**
 * The devnet chain's state. Every map holds immutable records: a change replaces the record, so
 * `clone()` (a shallow copy of each map) is a cheap savepoint that a failed message can roll back to.
 */

export interface AccountRecord {
  readonly address: string;
  readonly accountNumber: bigint;
  readonly sequence: bigint;
  /** 33-byte compressed secp256k1 key, set by the account's first included tx. */
  readonly pubKey?: Uint8Array;
}

export interface DecCoinValue {
  readonly denom: string;
  readonly amount: Dec;
}

export interface DeploymentRecord {
  readonly owner: string;
  readonly dseq: bigint;
  readonly state: number;
  readonly hash: Uint8Array;
  readonly createdAt: bigint;
}

export interface GroupRecord {
  readonly owner: string;
  readonly dseq: bigint;
  readonly gseq: number;
  readonly state: number;
  /** Encoded akash.deployment.v1beta4.GroupSpec. */
  readonly spec: Uint8Array;
  readonly createdAt: bigint;
}

export interface OrderRecord {
  readonly owner: string;
  readonly dseq: bigint;
  readonly gseq: number;
  readonly oseq: number;
  readonly state: number;
  readonly spec: Uint8Array;
  readonly createdAt: bigint;
}

export interface BidRecord {
  readonly owner: string;
  readonly dseq: bigint;
  readonly gseq: number;
  readonly oseq: number;
  readonly provider: string;
  readonly bseq: number;
  readonly state: number;
  readonly price: DecCoinValue;
  readonly createdAt: bigint;
  /** Encoded akash.market.v1beta5.ResourceOffer list, one entry per element. */
  readonly resourcesOffer: readonly Uint8Array[];
}

export interface LeaseRecord {
  readonly owner: string;
  readonly dseq: bigint;
  readonly gseq: number;
  readonly oseq: number;
  readonly provider: string;
  readonly bseq: number;
  readonly state: number;
  readonly price: DecCoinValue;
  readonly createdAt: bigint;
  readonly closedOn: bigint;
  readonly reason: number;
  /** Reclamation (node HEAD, AEP-82): unix seconds by which the tenant must have moved. */
  readonly reclaimDeadline?: number;
}

export interface DepositorRecord {
  readonly owner: string;
  readonly height: bigint;
  readonly source: number;
  readonly balance: DecCoinValue;
}

export interface EscrowAccountRecord {
  readonly scope: number;
  readonly xid: string;
  readonly owner: string;
  readonly state: number;
  readonly transferred: readonly DecCoinValue[];
  readonly settledAt: bigint;
  readonly funds: readonly DecCoinValue[];
  readonly deposits: readonly DepositorRecord[];
}

export interface PaymentRecord {
  readonly accountScope: number;
  readonly accountXid: string;
  readonly xid: string;
  readonly owner: string;
  readonly state: number;
  readonly rate: DecCoinValue;
  readonly balance: DecCoinValue;
  readonly unsettled: DecCoinValue;
  readonly withdrawn: { readonly denom: string; readonly amount: bigint };
}

export interface AttributeValue {
  readonly key: string;
  readonly value: string;
}

export interface ProviderRecord {
  readonly owner: string;
  readonly hostUri: string;
  readonly attributes: readonly AttributeValue[];
  readonly email: string;
  readonly website: string;
}

export interface AuditRecord {
  readonly owner: string;
  readonly auditor: string;
  readonly attributes: readonly AttributeValue[];
}

export interface CertificateRecord {
  readonly owner: string;
  readonly serial: string;
  readonly state: number;
  readonly cert: Uint8Array;
  readonly pubkey: Uint8Array;
}

export interface GrantRecord {
  readonly granter: string;
  readonly grantee: string;
  readonly msgTypeUrl: string;
  readonly authorizationTypeUrl: string;
  /** Encoded authorization (e.g. akash.escrow.v1.DepositAuthorization). */
  readonly authorization: Uint8Array;
  readonly expiration?: Date;
}

/** A feegrant allowance (cosmos.feegrant.v1beta1.Grant without the addresses' encoding). */
export interface FeeAllowanceRecord {
  readonly granter: string;
  readonly grantee: string;
  /** The allowance Any (BasicAllowance, PeriodicAllowance or AllowedMsgAllowance). */
  readonly typeUrl: string;
  readonly value: Uint8Array;
}

export interface LedgerRecordEntry {
  readonly owner: string;
  readonly to: string;
  readonly denom: string;
  readonly toDenom: string;
  readonly height: bigint;
  readonly sequence: bigint;
  readonly burned: bigint;
  readonly status: number;
  readonly minted?: bigint;
  /** Price of one unit of `denom` in `toDenom` at execution. */
  readonly price?: Dec;
  readonly executedAt?: bigint;
}

export interface ChainParams {
  readonly deploymentMinDeposits: readonly { denom: string; amount: bigint }[];
  readonly bidMinDeposits: readonly { denom: string; amount: bigint }[];
  readonly orderMaxBids: number;
  readonly bmeMinEpochBlocks: bigint;
  readonly bmeMintSpreadBps: number;
  /** Oracle price of 1 AKT in USD (= ACT), as a Dec. */
  readonly aktPriceUsd: Dec;
}

export const accountKey = (address: string) => address;
export const balanceKey = (address: string, denom: string) => `${address}\u0000${denom}`;
export const deploymentKey = (owner: string, dseq: bigint) => `${owner}/${dseq}`;
export const groupKey = (owner: string, dseq: bigint, gseq: number) => `${owner}/${dseq}/${gseq}`;
export const orderKey = (owner: string, dseq: bigint, gseq: number, oseq: number) =>
  `${owner}/${dseq}/${gseq}/${oseq}`;
export const bidKey = (owner: string, dseq: bigint, gseq: number, oseq: number, provider: string, bseq = 0) =>
  `${owner}/${dseq}/${gseq}/${oseq}/${provider}/${bseq}`;
export const escrowAccountKey = (scope: number, xid: string) => `${scope}:${xid}`;
export const paymentKey = (scope: number, accountXid: string, xid: string) => `${scope}:${accountXid}#${xid}`;
export const auditKey = (owner: string, auditor: string) => `${owner}/${auditor}`;
export const certificateKey = (owner: string, serial: string) => `${owner}/${serial}`;
export const grantKey = (granter: string, grantee: string, msgTypeUrl: string) =>
  `${granter}/${grantee}/${msgTypeUrl}`;
export const feeAllowanceKey = (granter: string, grantee: string) => `${granter}/${grantee}`;

export class ChainState {
  accounts = new Map<string, AccountRecord>();
  balances = new Map<string, bigint>();
  deployments = new Map<string, DeploymentRecord>();
  groups = new Map<string, GroupRecord>();
  orders = new Map<string, OrderRecord>();
  bids = new Map<string, BidRecord>();
  leases = new Map<string, LeaseRecord>();
  escrowAccounts = new Map<string, EscrowAccountRecord>();
  payments = new Map<string, PaymentRecord>();
  providers = new Map<string, ProviderRecord>();
  audits = new Map<string, AuditRecord>();
  certificates = new Map<string, CertificateRecord>();
  grants = new Map<string, GrantRecord>();
  feeAllowances = new Map<string, FeeAllowanceRecord>();
  ledger = new Map<string, LedgerRecordEntry>();
  nextAccountNumber = 0n;
  vault = { burnedUakt: 0n, mintedUact: 0n, balanceUakt: 0n };
  params: ChainParams;

  constructor(params: ChainParams) {
    this.params = params;
  }

  clone(): ChainState {
    const copy = new ChainState(this.params);
    copy.accounts = new Map(this.accounts);
    copy.balances = new Map(this.balances);
    copy.deployments = new Map(this.deployments);
    copy.groups = new Map(this.groups);
    copy.orders = new Map(this.orders);
    copy.bids = new Map(this.bids);
    copy.leases = new Map(this.leases);
    copy.escrowAccounts = new Map(this.escrowAccounts);
    copy.payments = new Map(this.payments);
    copy.providers = new Map(this.providers);
    copy.audits = new Map(this.audits);
    copy.certificates = new Map(this.certificates);
    copy.grants = new Map(this.grants);
    copy.feeAllowances = new Map(this.feeAllowances);
    copy.ledger = new Map(this.ledger);
    copy.nextAccountNumber = this.nextAccountNumber;
    copy.vault = { ...this.vault };
    return copy;
  }

  balance(address: string, denom: string): bigint {
    return this.balances.get(balanceKey(address, denom)) ?? 0n;
  }

  balancesOf(address: string): { denom: string; amount: bigint }[] {
    const prefix = `${address}\u0000`;
    const out: { denom: string; amount: bigint }[] = [];
    for (const [key, amount] of this.balances) {
      if (key.startsWith(prefix) && amount > 0n) out.push({ denom: key.slice(prefix.length), amount });
    }
    return out.sort((a, b) => (a.denom < b.denom ? -1 : a.denom > b.denom ? 1 : 0));
  }

  /** Creates the account record on first receipt of funds, as x/auth does. */
  ensureAccount(address: string): AccountRecord {
    const existing = this.accounts.get(address);
    if (existing) return existing;
    const created: AccountRecord = { address, accountNumber: this.nextAccountNumber, sequence: 0n };
    this.nextAccountNumber += 1n;
    this.accounts.set(address, created);
    return created;
  }

  setBalance(address: string, denom: string, amount: bigint): void {
    if (amount < 0n) throw new Error(`negative balance for ${address} ${denom}`);
    this.balances.set(balanceKey(address, denom), amount);
  }

  credit(address: string, denom: string, amount: bigint): void {
    if (amount === 0n) return;
    this.ensureAccount(address);
    this.setBalance(address, denom, this.balance(address, denom) + amount);
  }
}
