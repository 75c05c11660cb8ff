package io.hybridgrid.worker.machine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * What this worker may use of its machine: cores and memory as its cgroups allow, and the memory
 * available right now (for heartbeats).
 */
public final class MachineResources {
  private final CgroupLimits cgroups;
  private final int availableProcessors;
  private final long physicalMemory;
  private final Path meminfo;

  /**
   * @param cgroups the process's cgroup limits
   * @param availableProcessors what the JVM reports (CPU affinity and its own container view)
   * @param physicalMemory the host's (or JVM's view of the container's) total memory
   * @param meminfo {@code /proc/meminfo}, for MemAvailable
   */
  public MachineResources(
      CgroupLimits cgroups, int availableProcessors, long physicalMemory, Path meminfo) {
    this.cgroups = cgroups;
    this.availableProcessors = availableProcessors;
    this.physicalMemory = physicalMemory;
    this.meminfo = meminfo;
  }

  /** This process on this machine. */
  public static MachineResources current() {
    long memory =
        ((com.sun.management.OperatingSystemMXBean)
                java.lang.management.ManagementFactory.getOperatingSystemMXBean())
            .getTotalMemorySize();
    return new MachineResources(
        CgroupLimits.current(),
        Runtime.getRuntime().availableProcessors(),
        memory,
        Path.of("/proc/meminfo"));
  }

  /**
   * Cores this worker may keep busy: the JVM's available processors, lowered to the cgroup CPU
   * quota rounded up (a quota of 1.5 cores still lets two compiles make progress), at least 1.
   */
  public int cores() {
    OptionalDouble quota = cgroups.cpuLimit();
    int cores = availableProcessors;
    if (quota.isPresent()) {
      cores = (int) Math.min(cores, Math.ceil(quota.getAsDouble()));
    }
    return Math.max(1, cores);
  }

  /** Total memory this worker may use: physical memory, lowered to the cgroup limit. */
  public long memoryBytes() {
    OptionalLong limit = cgroups.memoryLimit();
    return limit.isPresent() ? Math.min(physicalMemory, limit.getAsLong()) : physicalMemory;
  }

  /**
   * Memory available to new compiles now: the host's MemAvailable, lowered to the room left under
   * the cgroup limit; 0 when neither is known.
   */
  public long freeMemoryBytes() {
    long free = memAvailable().orElse(Long.MAX_VALUE);
    OptionalLong headroom = cgroups.memoryHeadroom();
    if (headroom.isPresent()) {
      free = Math.min(free, headroom.getAsLong());
    }
    return free == Long.MAX_VALUE ? 0 : free;
  }

  private OptionalLong memAvailable() {
    try {
      for (String line : Files.readAllLines(meminfo, StandardCharsets.UTF_8)) {
        if (line.startsWith("MemAvailable:")) {
          String[] f = line.substring("MemAvailable:".length()).trim().split("\\s+");
          long v = Long.parseLong(f[0]);
          return OptionalLong.of(f.length > 1 && f[1].equalsIgnoreCase("kB") ? v * 1024 : v);
        }
      }
    } catch (IOException | NumberFormatException | SecurityException e) {
      // not Linux, or unreadable: unknown
    }
    return OptionalLong.empty();
  }
}
