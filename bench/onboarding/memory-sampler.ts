/**
 * Samples a memory figure (the process's resident set size, or a function's heap as the local Lambda runner
 * reports it) at a fixed interval, to show whether memory stays flat over a burst.
 */
export interface MemorySample {
  /** Milliseconds since the sampler started. */
  readonly atMs: number;
  readonly bytes: number;
}

export interface MemorySummary {
  readonly startBytes: number;
  readonly peakBytes: number;
  readonly endBytes: number;
  readonly samples: readonly MemorySample[];
}

export class MemorySampler {
  private readonly samples: MemorySample[] = [];
  private readonly started = performance.now();
  private readonly timer: NodeJS.Timeout;

  /** @param read the figure, in bytes (the process's RSS when not given) */
  constructor(private readonly read: () => number = () => process.memoryUsage.rss(), intervalMs = 250) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  /** Stops sampling (after one last sample) and summarizes. */
  stop(): MemorySummary {
    clearInterval(this.timer);
    this.sample();
    return {
      startBytes: this.samples[0].bytes,
      peakBytes: Math.max(...this.samples.map((sample) => sample.bytes)),
      endBytes: this.samples[this.samples.length - 1].bytes,
      samples: [...this.samples],
    };
  }

  private sample(): void {
    this.samples.push({ atMs: performance.now() - this.started, bytes: this.read() });
  }
}

/** The figure at evenly spaced points of the run (first to last sample), in MiB: a coarse profile for a note. */
export function memoryProfileMiB(samples: readonly MemorySample[], points = 9): number[] {
  if (samples.length === 0) return [];
  const end = samples[samples.length - 1].atMs;
  const profile: number[] = [];
  for (let i = 0; i < points; i++) {
    const at = (end * i) / (points - 1);
    const sample = samples.find((candidate) => candidate.atMs >= at) ?? samples[samples.length - 1];
    profile.push(Math.round(sample.bytes / 2 ** 20));
  }
  return profile;
}
