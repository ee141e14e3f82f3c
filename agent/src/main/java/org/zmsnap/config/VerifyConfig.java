package org.zmsnap.config;

import java.time.Duration;
import java.util.Locale;

/**
 * zmsnapd's restore drills ({@code verify:}): when to verify the newest set, how much of the unchanged store
 * to digest each time, how often every blob's digest is checked, and how politely a drill uses the host.
 *
 * @param schedule  Quartz cron, UTC
 * @param sample    share (0..1) of the items unchanged since the last verified set whose digest is checked
 * @param fullEvery a full check (every digest) when the last one of the chain is older than this
 * @param nice      the drill's CPU niceness (sandbox mariadbd, blob reads and digests); 0: normal priority
 * @param ionice    the drill's I/O scheduling class
 */
public record VerifyConfig(String schedule, double sample, Duration fullEvery, int nice, IoClass ionice) {
    public static final double DEFAULT_SAMPLE = 0.01;
    public static final Duration DEFAULT_FULL_EVERY = Duration.ofDays(7);
    public static final int DEFAULT_NICE = 10;

    /** {@code ionice} classes a drill may use: best-effort at its lowest level (7), idle, or none (unchanged). */
    public enum IoClass {
        BEST_EFFORT, IDLE, NONE;

        public String label() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }

    public VerifyConfig(String schedule, double sample, Duration fullEvery) {
        this(schedule, sample, fullEvery, DEFAULT_NICE, IoClass.BEST_EFFORT);
    }
}
