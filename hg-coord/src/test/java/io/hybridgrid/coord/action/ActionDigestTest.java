package io.hybridgrid.coord.action;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.hybridgrid.common.compiler.CompilerIdentity;
import io.hybridgrid.coord.action.ActionSpec.InputFile;
import io.hybridgrid.coord.action.ActionSpec.Symlink;
import io.hybridgrid.coord.action.ActionSpec.Toolchain;
import io.hybridgrid.coord.cas.Digest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ActionDigestTest {
  static final CompilerIdentity GCC =
      new CompilerIdentity("gcc", "12.2.0", "x86_64-linux-gnu", false);

  static InputFile file(String path, String text) {
    return new InputFile(path, Digest.of(text.getBytes(StandardCharsets.UTF_8)), false);
  }

  static ActionSpec spec(List<String> argv, List<InputFile> inputs, Map<String, String> env) {
    return new ActionSpec(
        argv,
        "/p",
        new TreeMap<>(env),
        inputs,
        List.of(new Symlink("/p/inc", "../q")),
        List.of("/p", "/q"),
        List.of("/p/a.o", "/p/a.d"),
        GCC,
        "/usr/bin/gcc",
        Toolchain.NONE);
  }

  @Test
  void sameActionInAnyInputOrderHasOneDigest() {
    List<String> argv = List.of("gcc", "-c", "a.c", "-o", "a.o");
    var a =
        spec(argv, List.of(file("/p/a.c", "x"), file("/p/a.h", "y")), Map.of("A", "1", "B", "2"));
    var b =
        spec(argv, List.of(file("/p/a.h", "y"), file("/p/a.c", "x")), Map.of("B", "2", "A", "1"));
    assertEquals(ActionDigest.of(a), ActionDigest.of(b));
  }

  @Test
  void everyFieldThatChangesTheCompileChangesTheDigest() {
    List<String> argv = List.of("gcc", "-c", "a.c", "-o", "a.o");
    List<InputFile> inputs = List.of(file("/p/a.c", "x"), file("/p/a.h", "y"));
    var base = ActionDigest.of(spec(argv, inputs, Map.of()));
    assertNotEquals(
        base, ActionDigest.of(spec(List.of("gcc", "-o", "a.o", "-c", "a.c"), inputs, Map.of())));
    assertNotEquals(
        base,
        ActionDigest.of(spec(argv, List.of(file("/p/a.c", "x"), file("/p/a.h", "z")), Map.of())));
    assertNotEquals(
        base,
        ActionDigest.of(spec(argv, List.of(file("/p/a.c", "x"), file("/p/b.h", "y")), Map.of())));
    assertNotEquals(base, ActionDigest.of(spec(argv, inputs, Map.of("LANG", "C"))));
    // Field boundaries: ("ab", "c") and ("a", "bc") encode differently.
    assertNotEquals(
        ActionDigest.of(spec(List.of("ab", "c"), inputs, Map.of())),
        ActionDigest.of(spec(List.of("a", "bc"), inputs, Map.of())));
  }

  @Test
  void toolchainDigestIsTheClientsDigest() {
    InputFile cc1 =
        new InputFile("/usr/lib/gcc/cc1", Digest.of("cc1".getBytes(StandardCharsets.UTF_8)), true);
    InputFile gcc =
        new InputFile("/usr/bin/gcc", Digest.of("gcc".getBytes(StandardCharsets.UTF_8)), true);
    // The client computes the digest over the wire message with Toolchains.digestOf: the
    // coordinator must get the same answer from its domain record.
    io.hybridgrid.proto.v1.Toolchain.Builder wire =
        io.hybridgrid.proto.v1.Toolchain.newBuilder().setHostArch("amd64");
    for (InputFile f : List.of(gcc, cc1)) {
      wire.addFiles(
          io.hybridgrid.proto.v1.InputFile.newBuilder()
              .setPath(f.path())
              .setExecutable(true)
              .setDigest(
                  io.hybridgrid.proto.v1.Digest.newBuilder()
                      .setHash(f.digest().hash())
                      .setSizeBytes(f.digest().size())));
    }
    String expected = io.hybridgrid.common.toolchain.Toolchains.digestOf(wire.build());
    Toolchain t = new Toolchain(expected, List.of(cc1, gcc), List.of(), "amd64");
    assertEquals(expected, ActionDigest.toolchain(t));

    ActionValidator v = new ActionValidator(ActionLimits.defaults());
    ActionSpec ok =
        new ActionSpec(
            List.of("gcc", "-c", "a.c"),
            "/p",
            new TreeMap<>(),
            List.of(file("/p/a.c", "x")),
            List.of(),
            List.of(),
            List.of("/p/a.o"),
            GCC,
            "/usr/bin/gcc",
            t);
    v.validate(ok);
    ActionSpec wrong =
        new ActionSpec(
            ok.argv(),
            ok.cwd(),
            ok.env(),
            ok.inputs(),
            List.of(),
            List.of(),
            ok.outputPaths(),
            GCC,
            ok.compilerPath(),
            new Toolchain("0".repeat(64), t.files(), List.of(), "amd64"));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> v.validate(wrong));
    assertTrue(e.getMessage().contains(expected), e.getMessage());

    // Files changed after the digest was computed (one byte of cc1): refused the same way.
    InputFile tampered =
        new InputFile("/usr/lib/gcc/cc1", Digest.of("cc2".getBytes(StandardCharsets.UTF_8)), true);
    ActionSpec swapped =
        new ActionSpec(
            ok.argv(),
            ok.cwd(),
            ok.env(),
            ok.inputs(),
            List.of(),
            List.of(),
            ok.outputPaths(),
            GCC,
            ok.compilerPath(),
            new Toolchain(expected, List.of(tampered, gcc), List.of(), "amd64"));
    assertThrows(IllegalArgumentException.class, () -> v.validate(swapped));

    // The validator remembers a checked toolchain by value: the same claim with other files (above)
    // or another claim over these files is refused after an accepted one, and the key of an
    // accepted action, which uses the checked claim, is the key computed from the files.
    v.validate(ok);
    assertThrows(IllegalArgumentException.class, () -> v.validate(swapped));
    assertThrows(IllegalArgumentException.class, () -> v.validate(wrong));
    assertEquals(ActionDigest.of(ok), ActionDigest.ofValid(ok));

    // A toolchain must say which architecture runs it.
    ActionSpec noArch =
        new ActionSpec(
            ok.argv(),
            ok.cwd(),
            ok.env(),
            ok.inputs(),
            List.of(),
            List.of(),
            ok.outputPaths(),
            GCC,
            ok.compilerPath(),
            new Toolchain(expected, t.files(), List.of(), ""));
    IllegalArgumentException arch =
        assertThrows(IllegalArgumentException.class, () -> v.validate(noArch));
    assertTrue(arch.getMessage().contains("host_arch"), arch.getMessage());
  }
}
