import type { StoredInstance } from '@pacs/index';

/** An instance's bytes (or why they could not be read), and how to hand its buffer back. */
export interface ReadInstance {
  bytes: Buffer | Error;
  /** Call once the instance is sent and answered: its buffer is then reused. */
  release(): void;
}

export interface ReadAheadLimits {
  instances: number;
  bytes: number;
}

/** Enough to hide a file read behind a few sub-operations without holding a study in memory. */
const DEFAULT_LIMITS: ReadAheadLimits = { instances: 4, bytes: 16 * 1024 * 1024 };
const MiB = 1024 * 1024;

/**
 * Reads the instances of a C-GET or C-MOVE, in order, ahead of sending them: up to a few
 * instances or MiB ahead (always at least the next one), into buffers that are reused once their
 * instance was answered. A retrieve then neither waits on each file read (~2 ms under load) nor
 * allocates one external buffer per instance, which makes V8 run a full GC every ~100 ms.
 */
export class ReadAhead {
  private readonly free: Buffer[] = [];
  private readonly reading: Promise<ReadInstance>[] = [];
  private started = 0;
  private aheadBytes = 0;

  constructor(
    private readonly instances: StoredInstance[],
    private readonly load: (instance: StoredInstance, target: Buffer) => Promise<Buffer>,
    private readonly limits: ReadAheadLimits = DEFAULT_LIMITS,
  ) {}

  /** The next instance in order; undefined after the last. */
  next(): Promise<ReadInstance> | undefined {
    this.fill();
    return this.reading.shift();
  }

  private fill(): void {
    while (this.started < this.instances.length && (this.reading.length === 0 || this.withinLimits())) {
      this.reading.push(this.start(this.instances[this.started++]));
    }
  }

  private withinLimits(): boolean {
    return this.reading.length < this.limits.instances && this.aheadBytes < this.limits.bytes;
  }

  private async start(instance: StoredInstance): Promise<ReadInstance> {
    const buffer = this.take(instance.sizeBytes + 1);
    this.aheadBytes += buffer.length;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      this.aheadBytes -= buffer.length;
      this.free.push(buffer);
      this.fill();
    };
    try {
      return { bytes: await this.load(instance, buffer), release };
    } catch (err) {
      return { bytes: err instanceof Error ? err : new Error(String(err)), release };
    }
  }

  /** A free buffer of at least `size` bytes, or a new one rounded up to whole MiB. */
  private take(size: number): Buffer {
    const at = this.free.findIndex((b) => b.length >= size);
    if (at >= 0) return this.free.splice(at, 1)[0];
    return Buffer.allocUnsafeSlow(Math.ceil(size / MiB) * MiB);
  }
}
