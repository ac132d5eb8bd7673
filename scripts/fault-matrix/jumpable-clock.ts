/**
 * The agent's wall clock (`services.now`) with an offset a fault can move: a clock jump as an NTP step
 * or a resumed VM shows it. Timers (setTimeout) are not affected, as on a real machine.
 */
export class JumpableClock {
  private offsetMs = 0;

  readonly now = (): number => Date.now() + this.offsetMs;

  jump(byMs: number): void {
    this.offsetMs += byMs;
  }

  reset(): void {
    this.offsetMs = 0;
  }

  get offset(): number {
    return this.offsetMs;
  }
}
