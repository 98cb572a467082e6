/**
 * The Association Request/Reject/Release Timer, ARTIM (PS3.8 9.1.5). It runs while a transport
 * connection has no association: before the A-ASSOCIATE-RQ has fully arrived, and after an
 * A-ASSOCIATE-RJ or A-RELEASE-RP while the peer should close the connection. On expiry the
 * connection is closed (state machine actions AA-2, AR-5), so idle, half-sent or abandoned
 * connections cannot pile up until the longer PDU timeout.
 */
export class ArtimTimer {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly timeoutMs: number,
    private readonly expired: (waitingFor: string, timeoutMs: number) => void,
  ) {}

  /** (Re)starts the timer; `waitingFor` says what did not happen, for the log line. */
  start(waitingFor: string): void {
    this.stop();
    this.timer = setTimeout(() => this.expired(waitingFor, this.timeoutMs), this.timeoutMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
