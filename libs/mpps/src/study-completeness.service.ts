import { Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { IngestService, StudyStatusRepository } from '@pacs/index';
import { MppsRepository } from './mpps.repository';

export interface StudyCompleteEvent {
  studyUid: string;
  completedAt: Date;
}
export type StudyCompleteListener = (event: StudyCompleteEvent) => void;

/**
 * How long after a stored instance its study is looked at: a study arrives as a burst of
 * instances, and one look per burst (not one query per instance, on the ingest's connections)
 * finds the same state. Completion is reported at most this much later.
 */
const STORE_SETTLE_MS = 200;
/**
 * How often every node also looks at all studies whose COMPLETED steps wait for images: a node
 * that dies between storing a study's last instance and looking at it (STORE_SETTLE_MS) leaves
 * the look to the others, which find it within this time (one indexed query per node).
 */
const SWEEP_MS = 60_000;

/**
 * Study completeness: a study is complete once it has a COMPLETED procedure step, no step still
 * IN PROGRESS, and every instance its COMPLETED steps reference (Performed Series Sequence,
 * PS3.4 F.7.2) is stored, whichever comes last. The state lives in `study_completeness`, and is
 * re-evaluated on each stored instance, each finished step, at start-up and every SWEEP_MS on
 * every node, so nothing is lost across a restart or with a node that died.
 */
@Injectable()
export class StudyCompletenessService implements OnModuleInit, OnModuleDestroy, OnApplicationBootstrap {
  private readonly log = new Logger('Completeness');
  private readonly listeners: StudyCompleteListener[] = [];
  /** One evaluation per study at a time in this process; a request during one runs it again after. */
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  /** Studies with instances stored since their last look, each with its timer. */
  private readonly settling = new Map<string, NodeJS.Timeout>();
  private sweep: NodeJS.Timeout | undefined;

  constructor(
    private readonly repo: MppsRepository,
    private readonly ingest: IngestService,
    private readonly studyStatus: StudyStatusRepository,
  ) {}

  onModuleInit(): void {
    this.ingest.onInstanceStored((e) => this.instanceStored(e.studyUid));
  }

  onModuleDestroy(): void {
    clearInterval(this.sweep);
    for (const timer of this.settling.values()) clearTimeout(timer);
    this.settling.clear();
  }

  async onApplicationBootstrap(): Promise<void> {
    for (const studyUid of await this.repo.studiesAwaitingImages()) await this.evaluate(studyUid);
    this.sweep = setInterval(() => void this.sweepAwaiting(), SWEEP_MS).unref();
  }

  private async sweepAwaiting(): Promise<void> {
    try {
      for (const studyUid of await this.repo.studiesAwaitingImages()) await this.studyChanged(studyUid);
    } catch (err) {
      this.log.warn({ err: (err as Error).message }, 'completeness sweep failed; the next one tries again');
    }
  }

  /** Emitted once per study when it becomes complete (audit, forwarding, the radiologist's list). */
  onStudyComplete(listener: StudyCompleteListener): void {
    this.listeners.push(listener);
  }

  /**
   * Re-evaluates a study; `onlyIfAwaiting` skips the work when no COMPLETED step of the study
   * waits for images (the common case of an instance stored outside any MPPS). Never throws.
   */
  studyChanged(studyUid: string, onlyIfAwaiting = false): Promise<void> {
    const current = this.running.get(studyUid);
    if (current) {
      this.again.add(studyUid);
      return current;
    }
    const run = (async () => {
      do {
        this.again.delete(studyUid);
        if (onlyIfAwaiting && (await this.repo.studiesAwaitingImages(studyUid)).length === 0) continue;
        await this.evaluate(studyUid);
      } while (this.again.has(studyUid));
    })()
      .catch((err) => this.log.error({ studyUid, err: (err as Error).message }, 'completeness evaluation failed'))
      .finally(() => this.running.delete(studyUid));
    this.running.set(studyUid, run);
    return run;
  }

  private instanceStored(studyUid: string): void {
    if (this.settling.has(studyUid)) return;
    const timer = setTimeout(() => {
      this.settling.delete(studyUid);
      void this.studyChanged(studyUid, true);
    }, STORE_SETTLE_MS);
    this.settling.set(studyUid, timer);
  }

  private async evaluate(studyUid: string): Promise<void> {
    const steps = await this.repo.stepsOfStudy(studyUid);
    for (const step of steps) {
      if (step.status !== 'COMPLETED' || step.imagesComplete) continue;
      if ((await this.studyStatus.countStored(step.referencedSopUids)) < step.referencedSopUids.length) continue;
      await this.repo.markImagesComplete(step.sopInstanceUid);
      step.imagesComplete = true;
    }
    const done = steps.filter((s) => s.status === 'COMPLETED');
    const complete = done.length > 0 && done.every((s) => s.imagesComplete) && !steps.some((s) => s.status === 'IN PROGRESS');
    const before = await this.repo.completeness(studyUid);
    if (before?.complete === complete && before) return;
    const completedAt = complete ? new Date() : null;
    if (!(await this.repo.saveCompleteness(studyUid, complete, completedAt))) return; // another node got there first
    await this.studyStatus.setCompletedAt(studyUid, completedAt);
    if (complete && completedAt) this.completed({ studyUid, completedAt });
  }

  /** The single place a study becomes complete (audit and events hook in here). */
  private completed(event: StudyCompleteEvent): void {
    this.log.log({ studyUid: event.studyUid }, 'study complete');
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (err) {
        this.log.error({ studyUid: event.studyUid, err: (err as Error).message }, 'study-complete listener failed');
      }
    }
  }
}
