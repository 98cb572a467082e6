import { Readable } from 'node:stream';

/**
 * Pauses a request stream while anyone holds the gate and resumes it when the last hold is
 * released: a slow temporary file or a slow ingest pushes back on the client instead of
 * buffering the request in memory.
 */
export class FlowGate {
  private holds = 0;

  constructor(private readonly source: Readable) {}

  /** Pauses the source; call the returned function (once) to release this hold. */
  hold(): () => void {
    if (this.holds++ === 0) this.source.pause();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      if (--this.holds === 0) this.source.resume();
    };
  }
}
