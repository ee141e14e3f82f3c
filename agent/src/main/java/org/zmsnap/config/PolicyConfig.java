package org.zmsnap.config;

/** A snapshot policy: a Quartz cron schedule and how many of its sets to keep. */
public record PolicyConfig(String name, String schedule, int keep) {}
