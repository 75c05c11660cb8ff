package io.hybridgrid.worker.machine;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalLong;

/**
 * The CPU and memory limits the process's cgroups impose, read from a filesystem root ({@code /} in
 * production, a fixture directory in tests).
 *
 * <p>The process's cgroups come from {@code proc/self/cgroup}; where each hierarchy is mounted
 * comes from {@code proc/self/mountinfo}. A limit set on any ancestor cgroup applies too, so every
 * level from the process's cgroup up to the mount point is read and the tightest limit wins. Both
 * cgroup v2 ({@code cpu.max}, {@code memory.max}, {@code memory.current}) and v1 ({@code
 * cpu.cfs_quota_us}/{@code cpu.cfs_period_us}, {@code memory.limit_in_bytes}, {@code
 * memory.usage_in_bytes}) are read, since hybrid hosts mount both; a missing or unreadable file
 * means no limit from that file.
 */
public final class CgroupLimits {
  /** cgroup v1 reports "no memory limit" as a huge page-aligned number; treat >= 2^60 as none. */
  private static final long V1_UNLIMITED = 1L << 60;

  private final List<Path> v2Dirs;
  private final List<Path> v1CpuDirs;
  private final List<Path> v1MemoryDirs;

  private CgroupLimits(List<Path> v2Dirs, List<Path> v1CpuDirs, List<Path> v1MemoryDirs) {
    this.v2Dirs = v2Dirs;
    this.v1CpuDirs = v1CpuDirs;
    this.v1MemoryDirs = v1MemoryDirs;
  }

  /** The limits of this process on this machine. */
  public static CgroupLimits current() {
    return read(Path.of("/"));
  }

  /**
   * Reads {@code root/proc/self/cgroup} and {@code root/proc/self/mountinfo}; mount points are
   * resolved under {@code root}. Missing files give a view without limits.
   */
  public static CgroupLimits read(Path root) {
    List<String> cgroups = lines(root.resolve("proc/self/cgroup"));
    List<String> mounts = lines(root.resolve("proc/self/mountinfo"));
    List<Path> v2 = List.of();
    List<Path> v1Cpu = List.of();
    List<Path> v1Memory = List.of();
    for (String line : cgroups) {
      // hierarchy-id:controller-list:cgroup-path
      String[] f = line.split(":", 3);
      if (f.length != 3) {
        continue;
      }
      String path = f[2];
      if (f[0].equals("0") && f[1].isEmpty()) {
        v2 = dirs(root, mounts, "cgroup2", null, path);
      } else {
        List<String> controllers = List.of(f[1].split(","));
        if (controllers.contains("cpu")) {
          v1Cpu = dirs(root, mounts, "cgroup", "cpu", path);
        }
        if (controllers.contains("memory")) {
          v1Memory = dirs(root, mounts, "cgroup", "memory", path);
        }
      }
    }
    return new CgroupLimits(v2, v1Cpu, v1Memory);
  }

  /** The CPU quota in cores (quota / period), when a cgroup sets one. */
  public OptionalDouble cpuLimit() {
    double best = Double.POSITIVE_INFINITY;
    for (Path d : v2Dirs) {
      Optional<String> max = first(d.resolve("cpu.max"));
      if (max.isPresent()) {
        String[] f = max.get().trim().split("\\s+");
        if (f.length == 2 && !f[0].equals("max")) {
          best = Math.min(best, ratio(f[0], f[1]));
        }
      }
    }
    for (Path d : v1CpuDirs) {
      Optional<String> quota = first(d.resolve("cpu.cfs_quota_us"));
      Optional<String> period = first(d.resolve("cpu.cfs_period_us"));
      if (quota.isPresent() && period.isPresent()) {
        best = Math.min(best, ratio(quota.get().trim(), period.get().trim()));
      }
    }
    return Double.isFinite(best) && best > 0 ? OptionalDouble.of(best) : OptionalDouble.empty();
  }

  /** The memory limit in bytes, when a cgroup sets one. */
  public OptionalLong memoryLimit() {
    long best = Long.MAX_VALUE;
    for (Path d : v2Dirs) {
      best = Math.min(best, number(d.resolve("memory.max")).orElse(Long.MAX_VALUE));
    }
    for (Path d : v1MemoryDirs) {
      long v = number(d.resolve("memory.limit_in_bytes")).orElse(Long.MAX_VALUE);
      best = Math.min(best, v >= V1_UNLIMITED ? Long.MAX_VALUE : v);
    }
    return best == Long.MAX_VALUE || best <= 0 ? OptionalLong.empty() : OptionalLong.of(best);
  }

  /**
   * Memory still available under the tightest limited cgroup (its limit minus its usage), when a
   * cgroup sets a limit.
   */
  public OptionalLong memoryHeadroom() {
    long best = Long.MAX_VALUE;
    for (Path d : v2Dirs) {
      best = Math.min(best, headroom(d, "memory.max", "memory.current", Long.MAX_VALUE));
    }
    for (Path d : v1MemoryDirs) {
      best =
          Math.min(
              best, headroom(d, "memory.limit_in_bytes", "memory.usage_in_bytes", V1_UNLIMITED));
    }
    return best == Long.MAX_VALUE ? OptionalLong.empty() : OptionalLong.of(Math.max(0, best));
  }

  private static long headroom(Path dir, String limitFile, String usageFile, long unlimited) {
    OptionalLong limit = number(dir.resolve(limitFile));
    OptionalLong usage = number(dir.resolve(usageFile));
    if (limit.isEmpty() || usage.isEmpty() || limit.getAsLong() >= unlimited) {
      return Long.MAX_VALUE;
    }
    return limit.getAsLong() - usage.getAsLong();
  }

  private static double ratio(String quota, String period) {
    try {
      long q = Long.parseLong(quota);
      long p = Long.parseLong(period);
      return q > 0 && p > 0 ? (double) q / p : Double.POSITIVE_INFINITY;
    } catch (NumberFormatException e) {
      return Double.POSITIVE_INFINITY;
    }
  }

  /**
   * The directories from the process's cgroup up to the hierarchy's mount point (innermost first),
   * for the mount of type {@code fsType} (with controller {@code controller} for v1).
   */
  private static List<Path> dirs(
      Path root, List<String> mounts, String fsType, String controller, String cgroupPath) {
    for (String line : mounts) {
      // id parent major:minor root mount-point options [optional...] - fstype source super-options
      int dash = line.indexOf(" - ");
      if (dash < 0) {
        continue;
      }
      String[] pre = line.substring(0, dash).split(" ");
      String[] post = line.substring(dash + 3).split(" ");
      if (pre.length < 5 || post.length < 3 || !post[0].equals(fsType)) {
        continue;
      }
      if (controller != null && !List.of(post[2].split(",")).contains(controller)) {
        continue;
      }
      String mountRoot = pre[3];
      Path mountPoint = root.resolve(pre[4].substring(1));
      String relative;
      if (mountRoot.equals("/")) {
        relative = cgroupPath;
      } else if (cgroupPath.equals(mountRoot) || cgroupPath.startsWith(mountRoot + "/")) {
        relative = cgroupPath.substring(mountRoot.length());
      } else {
        relative = "/"; // the cgroup is outside what is mounted (a namespace): use the mount's root
      }
      List<Path> out = new ArrayList<>();
      Path dir = mountPoint;
      out.add(dir);
      for (String part : relative.split("/")) {
        if (!part.isEmpty() && !part.equals("..") && !part.equals(".")) {
          dir = dir.resolve(part);
          out.add(dir);
        }
      }
      Collections.reverse(out);
      return List.copyOf(out);
    }
    return List.of();
  }

  private static OptionalLong number(Path file) {
    Optional<String> s = first(file);
    if (s.isEmpty() || s.get().trim().equals("max")) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(s.get().trim()));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }

  private static Optional<String> first(Path file) {
    List<String> l = lines(file);
    return l.isEmpty() ? Optional.empty() : Optional.of(l.get(0));
  }

  private static List<String> lines(Path file) {
    try {
      return Files.readAllLines(file, StandardCharsets.UTF_8);
    } catch (IOException | SecurityException e) {
      return List.of();
    }
  }
}
