package io.hybridgrid.coord.scheduler;

import java.util.Arrays;
import java.util.random.RandomGenerator;
import java.util.stream.Collectors;

/** The placement policies {@code hg-coord serve --scheduler} offers. */
public enum SchedulerKind {
  P2C("p2c"),
  ROUND_ROBIN("round-robin"),
  LEAST_LOADED("least-loaded");

  private final String flag;

  SchedulerKind(String flag) {
    this.flag = flag;
  }

  /** The name on the command line. */
  public String flag() {
    return flag;
  }

  /** A new scheduler of this kind; {@code random} is used by P2C only. */
  public Scheduler create(RandomGenerator random) {
    return switch (this) {
      case P2C -> new PowerOfTwoChoices(random);
      case ROUND_ROBIN -> new RoundRobin();
      case LEAST_LOADED -> new LeastLoaded();
    };
  }

  /** The kind named {@code name}; anything else is an error listing the choices. */
  public static SchedulerKind parse(String name) {
    for (SchedulerKind k : values()) {
      if (k.flag.equals(name)) {
        return k;
      }
    }
    throw new IllegalArgumentException(
        "unknown scheduler '"
            + name
            + "': choose "
            + Arrays.stream(values()).map(SchedulerKind::flag).collect(Collectors.joining(", ")));
  }
}
