package io.hybridgrid.coord.action;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.hybridgrid.coord.action.ActionSpec.InputFile;
import io.hybridgrid.coord.action.ActionSpec.Toolchain;
import io.hybridgrid.coord.cas.Digest;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class ToolchainLedgerTest {
  private static InputFile file(String path, String content) {
    return new InputFile(path, Digest.of(content.getBytes(StandardCharsets.UTF_8)), true);
  }

  @Test
  void aToolchainCountsOnceAndSharedFilesCountOnce() {
    InputFile libc = file("/lib/libc.so.6", "libc-bytes"); // 10 bytes
    Toolchain gcc12 =
        new Toolchain("d12", List.of(file("/usr/bin/gcc-12", "gcc12"), libc), List.of(), "amd64");
    Toolchain gcc11 =
        new Toolchain("d11", List.of(file("/usr/bin/gcc-11", "gcc11"), libc), List.of(), "amd64");
    ToolchainLedger ledger = new ToolchainLedger();
    ledger.record(Toolchain.NONE);
    assertEquals(0, ledger.toolchains());
    ledger.record(gcc12);
    ledger.record(gcc12);
    ledger.record(gcc12);
    assertEquals(1, ledger.toolchains());
    assertEquals(5 + 10, ledger.bytes());
    ledger.record(gcc11);
    assertEquals(2, ledger.toolchains());
    assertEquals(5 + 10 + 5, ledger.bytes(), "libc was already shipped with gcc 12");
  }
}
