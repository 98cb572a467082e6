import { Injectable } from '@nestjs/common';

/**
 * Counts what the DIMSE server has under way: accepted associations (for the association limit
 * and metrics) and C-STOREs between first data byte and response (for a graceful shutdown).
 */
@Injectable()
export class AssociationTracker {
  private associations = 0;
  private stores = 0;
  private idleWaiters: (() => void)[] = [];

  get liveAssociations(): number {
    return this.associations;
  }

  get storesInFlight(): number {
    return this.stores;
  }

  associationOpened(): void {
    this.associations++;
  }

  associationClosed(): void {
    this.associations = Math.max(0, this.associations - 1);
  }

  storeStarted(): void {
    this.stores++;
  }

  storeEnded(): void {
    this.stores = Math.max(0, this.stores - 1);
    if (this.stores === 0) this.wakeIdleWaiters();
  }

  /** Resolves true once no C-STORE is in flight, or false after `timeoutMs`. */
  waitForStoresIdle(timeoutMs: number): Promise<boolean> {
    if (this.stores === 0) return Promise.resolve(true);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.idleWaiters = this.idleWaiters.filter((w) => w !== wake);
        resolve(false);
      }, timeoutMs);
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      this.idleWaiters.push(wake);
    });
  }

  private wakeIdleWaiters(): void {
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    for (const wake of waiters) wake();
  }
}
