import { JwtTokenManager } from "@akashnetwork/chain-sdk";
import type { OfflineAminoSigner } from "@cosmjs/amino";
import { EffectError } from "../../domain/effect-failure.js";

/** The gateway permissions the agent uses (AEP-64 scope names). */
export type GatewayScope = "send-manifest" | "status";

export interface ProviderTokensOptions {
  /** The owner: the tokens' issuer. */
  readonly issuer: string;
  readonly signer: OfflineAminoSigner;
  /** Token lifetime (AEP-64 recommends at most 15 minutes). */
  readonly lifetimeSeconds: number;
  /** A cached token is replaced once it has less than this left. */
  readonly renewBeforeSeconds: number;
  /** Current time in ms. */
  readonly now: () => number;
}

/**
 * AEP-64 bearer tokens (ES256KADR36 through chain-sdk's JwtTokenManager and the amino wallet), one
 * per provider and scope: `granular` access naming the one provider, `scoped` to the one permission
 * the request needs. (Per-deployment entries would be narrower, but chain-sdk's schema requires
 * their service names, which a status poll does not know.) Cached until shortly before expiry.
 */
export class ProviderTokens {
  private readonly manager: JwtTokenManager;
  private readonly cache = new Map<string, { token: string; exp: number }>();

  constructor(private readonly options: ProviderTokensOptions) {
    this.manager = new JwtTokenManager(options.signer);
  }

  async token(provider: string, scope: GatewayScope, options: { fresh?: boolean } = {}): Promise<string> {
    const key = `${provider}/${scope}`;
    const nowSeconds = Math.floor(this.options.now() / 1000);
    const cached = this.cache.get(key);
    if (cached && !options.fresh && cached.exp - nowSeconds > this.options.renewBeforeSeconds)
      return cached.token;
    const exp = nowSeconds + this.options.lifetimeSeconds;
    let token: string;
    try {
      token = await this.manager.generateToken({
        version: "v1",
        iss: this.options.issuer,
        iat: nowSeconds,
        nbf: nowSeconds,
        exp,
        leases: { access: "granular", permissions: [{ provider, access: "scoped", scope: [scope] }] },
      });
    } catch (error) {
      // chain-sdk validates the claims (issuer, times against the system clock) before signing.
      const reason = error instanceof Error ? error.message : String(error);
      throw new EffectError("fatal", `cannot make a provider token for ${provider}: ${reason}`, {
        cause: error,
      });
    }
    this.cache.set(key, { token, exp });
    return token;
  }
}
