package io.hybridgrid.common.config;

import java.util.Map;

/**
 * Yes/no environment variables such as {@code HG_NO_FALLBACK}, {@code HG_NO_MDNS} or {@code
 * HG_NO_CACHE}: one reading of them for every program.
 */
public final class EnvFlags {
  private EnvFlags() {}

  /**
   * Whether {@code name} is set in {@code env} to anything but empty, {@code 0} or {@code false}.
   */
  public static boolean isSet(Map<String, String> env, String name) {
    String v = env.get(name);
    return v != null && !v.isBlank() && !v.equals("0") && !v.equalsIgnoreCase("false");
  }
}
