package io.hybridgrid.common.compiler;

import java.util.List;

/**
 * One compiler argument as the driver sees it: an option with its value (attached or in the next
 * token), or an input file.
 *
 * @param name the option name as written ({@code -I}, {@code -include}, {@code -Wall}), or the file
 *     name for an input
 * @param value the option's value, or {@code null} for flags and inputs
 * @param tokens the command-line tokens this argument occupies, in order
 * @param input whether this is an input file rather than an option
 */
public record Arg(String name, String value, List<String> tokens, boolean input) {
  public Arg {
    tokens = List.copyOf(tokens);
  }

  static Arg flag(String token) {
    return new Arg(token, null, List.of(token), false);
  }

  static Arg input(String token) {
    return new Arg(token, null, List.of(token), true);
  }

  /** Whether this is the option {@code option}, in any spelling (attached or separate value). */
  public boolean is(String option) {
    return !input && name.equals(option);
  }
}
