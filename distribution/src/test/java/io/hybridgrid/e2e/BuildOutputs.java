package io.hybridgrid.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;

/** What a build wrote (objects, .d, .dwo, ...), compared byte for byte against a local build. */
final class BuildOutputs {
  private BuildOutputs() {}

  /**
   * The regular files under {@code dir} (recursively) whose names end with one of {@code suffixes},
   * keyed by their path relative to {@code dir}.
   */
  static Map<String, byte[]> under(Path dir, String... suffixes) throws IOException {
    Map<String, byte[]> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        String name = p.getFileName().toString();
        if (Arrays.stream(suffixes).anyMatch(name::endsWith)) {
          out.put(dir.relativize(p).toString(), Files.readAllBytes(p));
        }
      }
    }
    return out;
  }

  /** Same file names, and every file byte-identical; the message names each file that differs. */
  static void assertIdentical(Map<String, byte[]> expected, Map<String, byte[]> actual) {
    assertEquals(expected.keySet(), actual.keySet(), "the same files were written");
    List<String> differing = new ArrayList<>();
    for (var e : expected.entrySet()) {
      if (!Arrays.equals(e.getValue(), actual.get(e.getKey()))) {
        differing.add(e.getKey());
      }
    }
    assertEquals(List.of(), differing, "files that differ from the local build at the same path");
  }

  /** Occurrences of {@code needle} in {@code text}. */
  static int count(String text, String needle) {
    int n = 0;
    for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
      n++;
    }
    return n;
  }

  /**
   * {@code stderr} without hgbuild's own verbose lines ({@code hgbuild: <file> [remote worker-1]},
   * {@code [local ...]}, {@code [cache ...]}): what the compiler itself printed.
   */
  static String compilerOutput(String stderr) {
    StringBuilder out = new StringBuilder();
    for (String line : stderr.split("\n", -1)) {
      if (!line.matches("hgbuild: .* \\[(remote|local|cache)[^\\]]*\\]")) {
        out.append(line).append('\n');
      }
    }
    return out.toString();
  }
}
