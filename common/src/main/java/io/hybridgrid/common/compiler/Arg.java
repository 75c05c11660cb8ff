package io.hybridgrid.common.compiler;

import java.util.List;

/**
 * One compiler argument as the driver sees it: an option with its value (attached or in the next
 * token), or an input file.
 *
 * @param name the option's canonical name ({@code -I}, {@code -include}, {@code -Wall}; {@code -B}
 *     for {@code --prefix}, {@code -Wa,-a} for {@code --for-assembler=-a}), or the file name for an
 *     input
 * @param value the option's value, or {@code null} for flags and inputs
 * @param tokens the command-line tokens this argument occupies, in order, as written
 * @param input whether this is an input file rather than an option
 * @param abbreviated whether it was written as an abbreviated or ambiguous long option ({@code
 *     --pref /x}), which the grid refuses whatever it stands for
 */
public record Arg(
    String name, String value, List<String> tokens, boolean input, boolean abbreviated) {
  public Arg {
    tokens = List.copyOf(tokens);
  }

  /** An argument spelled out in full. */
  public Arg(String name, String value, List<String> tokens, boolean input) {
    this(name, value, tokens, input, false);
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

  /**
   * The argument as one canonical token: the flag itself, or the option's name with its value
   * attached ({@code -B/x} for {@code --prefix /x}); the file name for an input.
   */
  public String text() {
    return value == null ? name : name + value;
  }
}
