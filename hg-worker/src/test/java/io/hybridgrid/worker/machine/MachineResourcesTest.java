package io.hybridgrid.worker.machine;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.OptionalDouble;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cores and memory from cgroup fixture trees (copies of real hosts' files, trimmed). */
class MachineResourcesTest {
  private static final long GIB = 1L << 30;
  private static final long HOST_MEMORY = 24 * GIB;

  private static Path fixture(String name) {
    try {
      return Path.of(MachineResourcesTest.class.getResource(name).toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  private static MachineResources machine(String fixture, int processors) {
    return new MachineResources(
        CgroupLimits.read(fixture(fixture)), processors, HOST_MEMORY, fixture("meminfo"));
  }

  @Test
  void v2ContainerQuotaOfOneAndAHalfCoresRoundsUpToTwo() {
    CgroupLimits limits = CgroupLimits.read(fixture("v2-container"));
    assertEquals(OptionalDouble.of(1.5), limits.cpuLimit());
    assertEquals(OptionalLong.of(2 * GIB), limits.memoryLimit());
    assertEquals(OptionalLong.of(2 * GIB - GIB / 2), limits.memoryHeadroom());

    MachineResources m = machine("v2-container", 8);
    assertEquals(2, m.cores());
    assertEquals(2 * GIB, m.memoryBytes());
    assertEquals(2 * GIB - GIB / 2, m.freeMemoryBytes(), "cgroup headroom is below MemAvailable");
  }

  @Test
  void v2LimitsOnAncestorCgroupsApply() {
    CgroupLimits limits = CgroupLimits.read(fixture("v2-nested"));
    assertEquals(OptionalDouble.of(2.0), limits.cpuLimit(), "user.slice sets 2 cores");
    assertEquals(OptionalLong.of(GIB), limits.memoryLimit(), "user-1000.slice sets 1 GiB");
    // user-1000.slice has 1 GiB - 768 MiB left; the scope itself has no limit.
    assertEquals(OptionalLong.of(256L << 20), limits.memoryHeadroom());

    assertEquals(2, machine("v2-nested", 16).cores());
    assertEquals(1, machine("v2-nested", 1).cores(), "fewer processors than the quota win");
  }

  @Test
  void v1HybridHostWithAMemoryLimitOnly() {
    CgroupLimits limits = CgroupLimits.read(fixture("v1-memory"));
    assertEquals(OptionalDouble.empty(), limits.cpuLimit(), "cfs_quota_us -1 is no limit");
    assertEquals(OptionalLong.of(4 * GIB), limits.memoryLimit(), "the root's huge value is none");
    assertEquals(OptionalLong.of(3 * GIB), limits.memoryHeadroom());

    MachineResources m = machine("v1-memory", 2);
    assertEquals(2, m.cores());
    assertEquals(4 * GIB, m.memoryBytes());
    assertEquals(3 * GIB, m.freeMemoryBytes());
  }

  @Test
  void v1DockerMountRootIsTheContainersCgroup() {
    CgroupLimits limits = CgroupLimits.read(fixture("v1-docker"));
    assertEquals(OptionalDouble.of(0.5), limits.cpuLimit());
    assertEquals(OptionalLong.of(512L << 20), limits.memoryLimit());
    assertEquals(OptionalLong.of(0), limits.memoryHeadroom(), "usage above the limit is 0 left");

    MachineResources m = machine("v1-docker", 4);
    assertEquals(1, m.cores(), "half a core still runs one compile");
    assertEquals(512L << 20, m.memoryBytes());
    assertEquals(0, m.freeMemoryBytes());
  }

  @Test
  void noCgroupFilesMeansNoLimits(@TempDir Path empty) {
    CgroupLimits limits = CgroupLimits.read(empty);
    assertEquals(OptionalDouble.empty(), limits.cpuLimit());
    assertEquals(OptionalLong.empty(), limits.memoryLimit());
    assertEquals(OptionalLong.empty(), limits.memoryHeadroom());

    MachineResources plain = new MachineResources(limits, 6, HOST_MEMORY, fixture("meminfo"));
    assertEquals(6, plain.cores());
    assertEquals(HOST_MEMORY, plain.memoryBytes());
    assertEquals(24182000L * 1024, plain.freeMemoryBytes(), "MemAvailable in kB");
    assertEquals(
        0,
        new MachineResources(limits, 6, HOST_MEMORY, empty.resolve("meminfo")).freeMemoryBytes(),
        "unknown free memory is 0");
  }
}
