package io.hybridgrid.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code systemd-analyze verify} passes on the shipped units (with /opt/hybridgrid pointed at a
 * stand-in install, since verify checks that ExecStart exists), and the units keep the hardening
 * the README promises.
 */
class SystemdUnitsTest {
  private static final Path UNITS =
      Path.of(System.getProperty("hg.root", "..")).resolve("distribution/src/systemd");

  @TempDir Path tmp;

  @Test
  void systemdAnalyzeVerifyPasses() throws Exception {
    Assumptions.assumeTrue(
        Files.isExecutable(Path.of("/usr/bin/systemd-analyze")),
        "systemd-analyze not installed (Debian package systemd; .ci/run installs it)");
    Path bin = Files.createDirectories(tmp.resolve("opt/hybridgrid/bin"));
    for (String p : List.of("hg-coord", "hg-worker")) {
      Files.writeString(bin.resolve(p), "#!/bin/sh\n");
      Files.setPosixFilePermissions(bin.resolve(p), PosixFilePermissions.fromString("rwxr-xr-x"));
    }
    Path units = Files.createDirectories(tmp.resolve("units"));
    List<String> cmd = new ArrayList<>(List.of("systemd-analyze", "verify"));
    for (String u : List.of("hg-coord.service", "hg-worker.service")) {
      String text = Files.readString(UNITS.resolve(u));
      Files.writeString(
          units.resolve(u),
          text.replace("/opt/hybridgrid", tmp.resolve("opt/hybridgrid").toString()));
      cmd.add(units.resolve(u).toString());
    }
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue(), out);
    assertEquals("", out.strip(), "verify printed warnings");
  }

  @Test
  void unitsAreHardenedAndTheWorkerKeepsNamespacesForItsSandbox() throws Exception {
    String coord = Files.readString(UNITS.resolve("hg-coord.service"));
    String worker = Files.readString(UNITS.resolve("hg-worker.service"));
    for (String unit : List.of(coord, worker)) {
      for (String line :
          List.of(
              "DynamicUser=yes",
              "ProtectSystem=strict",
              "ProtectHome=yes",
              "NoNewPrivileges=yes",
              "PrivateTmp=yes",
              "CapabilityBoundingSet=",
              "LoadCredential=")) {
        assertTrue(unit.contains("\n" + line), line + " missing");
      }
      assertTrue(unit.contains("\nStateDirectory=hybridgrid-"), "StateDirectory missing");
    }
    assertTrue(coord.contains("\nRestrictNamespaces=yes"));
    assertTrue(
        !worker.contains("\nRestrictNamespaces=") && !worker.contains("\nPrivateUsers="),
        "bubblewrap needs user namespaces");
  }
}
