/**
 * Providers' on-chain certificates (`akash.cert.v1`, state valid), the only ones their gateways may
 * present. Kept for `ttlMs`; a caller that met an unpinned certificate asks again with `fresh`
 * (the provider may have published a new one).
 */
export class ProviderCertificates {
  private readonly cache = new Map<string, { pems: string[]; at: number }>();

  constructor(
    private readonly lookup: (provider: string) => Promise<string[]>,
    private readonly ttlMs: number,
    private readonly now: () => number,
  ) {}

  async of(provider: string, options: { fresh?: boolean } = {}): Promise<string[]> {
    const cached = this.cache.get(provider);
    if (cached && !options.fresh && this.now() - cached.at < this.ttlMs) return cached.pems;
    const pems = await this.lookup(provider);
    this.cache.set(provider, { pems, at: this.now() });
    return pems;
  }
}
