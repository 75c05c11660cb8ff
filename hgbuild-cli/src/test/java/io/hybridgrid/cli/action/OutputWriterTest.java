package io.hybridgrid.cli.action;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.common.compiler.CompilerIdentity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OutputWriterTest {
  @TempDir Path tmp;

  private RemoteAction action(String... outputs) {
    return new RemoteAction(
        List.of("gcc", "-c", "a.c"),
        tmp.toString(),
        Map.of(),
        new InputRoot(List.of(), List.of(), List.of()),
        List.of(outputs),
        new CompilerIdentity("gcc", "12", "x86_64-linux-gnu", false),
        "/usr/bin/gcc");
  }

  private static RemoteResult.Output out(Path p, byte[] content) {
    return new RemoteResult.Output(p.toString(), Digest.of(content), false, content);
  }

  private List<String> dir() throws Exception {
    try (Stream<Path> s = Files.list(tmp)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void writesEveryOutputInPlaceAndLeavesNoTemporaryFile() throws Exception {
    Path o = tmp.resolve("a.o");
    Path d = tmp.resolve("a.d");
    Files.writeString(o, "old object");
    OutputWriter.write(
        action(o.toString(), d.toString()),
        List.of(out(o, new byte[] {1, 2}), out(d, "a.o: a.c\n".getBytes())));
    assertArrayEquals(new byte[] {1, 2}, Files.readAllBytes(o));
    assertEquals("a.o: a.c\n", Files.readString(d));
    assertEquals(List.of("a.d", "a.o"), dir());
  }

  @Test
  void anOutputThatDoesNotMatchItsDigestWritesNothing() throws Exception {
    Path o = tmp.resolve("a.o");
    Path d = tmp.resolve("a.d");
    Files.writeString(o, "old object");
    RemoteResult.Output bad =
        new RemoteResult.Output(d.toString(), Digest.of(new byte[] {9}), false, new byte[] {8});
    OutputWriter.BadOutputException e =
        assertThrows(
            OutputWriter.BadOutputException.class,
            () ->
                OutputWriter.write(
                    action(o.toString(), d.toString()), List.of(out(o, new byte[] {1}), bad)));
    assertTrue(
        e.getMessage().startsWith("output " + d + " does not match its digest"), e.getMessage());
    assertEquals("old object", Files.readString(o), "checked before anything is written");
    assertEquals(List.of("a.o"), dir());
  }

  @Test
  void anUndeclaredOrRepeatedPathIsRefused() throws Exception {
    Path o = tmp.resolve("a.o");
    Path evil = tmp.resolve("evil");
    OutputWriter.BadOutputException e =
        assertThrows(
            OutputWriter.BadOutputException.class,
            () -> OutputWriter.write(action(o.toString()), List.of(out(evil, new byte[] {1}))));
    assertEquals(
        "the grid returned '" + evil + "', which is not an output of this compile", e.getMessage());
    assertThrows(
        OutputWriter.BadOutputException.class,
        () ->
            OutputWriter.write(
                action(o.toString()), List.of(out(o, new byte[] {1}), out(o, new byte[] {1}))));
    assertEquals(List.of(), dir());
  }

  @Test
  void aCancelledCompileLeavesTheOldFile() throws Exception {
    Path o = tmp.resolve("a.o");
    Files.writeString(o, "old object");
    Thread.currentThread().interrupt();
    try {
      assertThrows(
          java.io.InterruptedIOException.class,
          () -> OutputWriter.write(action(o.toString()), List.of(out(o, new byte[] {1}))));
    } finally {
      Thread.interrupted();
    }
    assertEquals("old object", Files.readString(o));
    assertEquals(List.of("a.o"), dir());
  }
}
