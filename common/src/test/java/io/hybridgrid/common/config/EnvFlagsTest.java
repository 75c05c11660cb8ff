package io.hybridgrid.common.config;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvFlagsTest {
  @Test
  void setMeansAnythingButEmptyZeroOrFalse() {
    for (String yes : new String[] {"1", "yes", "true", "on", "TRUE"}) {
      assertTrue(EnvFlags.isSet(Map.of("X", yes), "X"), yes);
    }
    for (String no : new String[] {"", "  ", "0", "false", "FALSE"}) {
      assertFalse(EnvFlags.isSet(Map.of("X", no), "X"), "'" + no + "'");
    }
    assertFalse(EnvFlags.isSet(Map.of(), "X"));
  }
}
