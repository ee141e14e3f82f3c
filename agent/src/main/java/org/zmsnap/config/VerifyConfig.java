package org.zmsnap.config;

import java.time.Duration;

/**
 * zmsnapd's restore drills ({@code verify:}): when to verify the newest set, how much of the unchanged store
 * to digest each time, and how often every blob's digest is checked.
 *
 * @param schedule  Quartz cron, UTC
 * @param sample    share (0..1) of the items unchanged since the last verified set whose digest is checked
 * @param fullEvery a full check (every digest) when the last one of the chain is older than this
 */
public record VerifyConfig(String schedule, double sample, Duration fullEvery) {
    public static final double DEFAULT_SAMPLE = 0.01;
    public static final Duration DEFAULT_FULL_EVERY = Duration.ofDays(7);
}
