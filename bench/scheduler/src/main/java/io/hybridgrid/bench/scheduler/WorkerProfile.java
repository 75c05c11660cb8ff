package io.hybridgrid.bench.scheduler;

import io.hybridgrid.common.compiler.CompilerIdentity;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;

/**
 * One simulated machine.
 *
 * @param id worker id
 * @param cores cores it advertises; its slots equal its cores
 * @param speed how fast it compiles relative to the reference machine (2.0 = twice as fast)
 * @param memoryBytes memory it advertises
 * @param compilers compiler identities it advertises
 */
record WorkerProfile(
    String id, int cores, double speed, long memoryBytes, Set<CompilerIdentity> compilers) {
  /** The identity every benchmark task asks for. */
  static final CompilerIdentity GCC =
      new CompilerIdentity("gcc", "12.2.0", "x86_64-linux-gnu", false);

  static final CompilerIdentity CLANG =
      new CompilerIdentity("clang", "14.0.6", "x86_64-pc-linux-gnu", false);
  static final CompilerIdentity CROSS_GCC =
      new CompilerIdentity("gcc", "12.2.0", "aarch64-linux-gnu", false);

  WorkerProfile {
    if (cores < 1 || !(speed > 0)) {
      throw new IllegalArgumentException("cores must be >= 1 and speed > 0 for " + id);
    }
  }

  /**
   * {@code n} heterogeneous workers: cores uniform in 1..16, speed uniform in 0.5..2.0, 2 GiB per
   * core; all run gcc 12 for x86_64, about 30 % also clang 14 and 10 % also an aarch64 cross gcc
   * (so identity matching has something to filter on).
   */
  static List<WorkerProfile> heterogeneous(int n, long seed) {
    SplittableRandom random = new SplittableRandom(seed);
    List<WorkerProfile> workers = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      int cores = 1 + random.nextInt(16);
      double speed = 0.5 + 1.5 * random.nextDouble();
      Set<CompilerIdentity> compilers;
      double r = random.nextDouble();
      if (r < 0.1) {
        compilers = Set.of(GCC, CLANG, CROSS_GCC);
      } else if (r < 0.3) {
        compilers = Set.of(GCC, CLANG);
      } else {
        compilers = Set.of(GCC);
      }
      workers.add(
          new WorkerProfile(
              String.format("sim-%03d", i), cores, speed, (2L << 30) * cores, compilers));
    }
    return workers;
  }
}
