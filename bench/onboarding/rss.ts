/**
 * Samples the resident set size of this process (the local cloud, its Lambda worker threads and
 * the devices all live in it) at a fixed interval, to show whether memory stays flat over a burst.
 */
export interface RssSample {
  /** Milliseconds since the sampler started. */
  readonly atMs: number;
  readonly rssBytes: number;
}

export interface RssSummary {
  readonly startBytes: number;
  readonly peakBytes: number;
  readonly endBytes: number;
  readonly samples: readonly RssSample[];
}

export class RssSampler {
  private readonly samples: RssSample[] = [];
  private readonly started = performance.now();
  private readonly timer: NodeJS.Timeout;

  constructor(intervalMs = 250) {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
  }

  /** Stops sampling (after one last sample) and summarizes. */
  stop(): RssSummary {
    clearInterval(this.timer);
    this.sample();
    return {
      startBytes: this.samples[0].rssBytes,
      peakBytes: Math.max(...this.samples.map((sample) => sample.rssBytes)),
      endBytes: this.samples[this.samples.length - 1].rssBytes,
      samples: [...this.samples],
    };
  }

  private sample(): void {
    this.samples.push({ atMs: performance.now() - this.started, rssBytes: process.memoryUsage.rss() });
  }
}

/** The RSS at evenly spaced points of the run (first to last sample), in MiB: a coarse profile for a note. */
export function rssProfileMiB(samples: readonly RssSample[], points = 9): number[] {
  if (samples.length === 0) return [];
  const end = samples[samples.length - 1].atMs;
  const profile: number[] = [];
  for (let i = 0; i < points; i++) {
    const at = (end * i) / (points - 1);
    const sample = samples.find((candidate) => candidate.atMs >= at) ?? samples[samples.length - 1];
    profile.push(Math.round(sample.rssBytes / 2 ** 20));
  }
  return profile;
}
