package io.hybridgrid.common.hash;

/** The text form of a SHA-256 digest: 64 lowercase hex characters. */
public final class Sha256Hex {
  private Sha256Hex() {}

  /**
   * Whether {@code s} is 64 lowercase hex characters. A plain loop: every input of every action is
   * checked on the coordinator and the worker (hundreds per C++ compile), and a regular expression
   * showed in their profiles.
   */
  public static boolean isValid(String s) {
    if (s == null || s.length() != 64) {
      return false;
    }
    for (int i = 0; i < 64; i++) {
      char c = s.charAt(i);
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) {
        return false;
      }
    }
    return true;
  }
}
