package io.hybridgrid.common.config;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * A yes/no flag is on when it is named or its setting says yes, whichever way they combine: picocli
 * alone would turn {@code --no-mdns} off again when {@code HG_NO_MDNS=1} is also set.
 */
class PicocliDefaultsTest {
  @TempDir Path tmp;

  @Command(name = "serve")
  static final class Serve implements Runnable {
    @Option(names = "--no-mdns")
    boolean noMdns;

    @Option(names = "--no-cache")
    boolean noCache;

    @Option(names = "--grpc-port")
    int grpcPort = 9000;

    @Override
    public void run() {}
  }

  @Command(
      name = "hg-coord",
      subcommands = {Serve.class})
  static final class Top implements Runnable {
    @Override
    public void run() {}
  }

  private Serve run(Map<String, String> extraEnv, String... args) {
    return run(extraEnv, new PrintStream(OutputStream.nullOutputStream()), args);
  }

  private Serve run(Map<String, String> extraEnv, PrintStream err, String... args) {
    Map<String, String> env = new HashMap<>(extraEnv);
    env.put("XDG_CONFIG_HOME", tmp.resolve("xdg").toString());
    Config config = Config.load(Map.of(), env, tmp.resolve("none.toml"));
    CommandLine cl = new CommandLine(new Top());
    PicocliDefaults.install(cl, config, "coord", "hg-coord", err);
    String[] all = new String[args.length + 1];
    all[0] = "serve";
    System.arraycopy(args, 0, all, 1, args.length);
    assertEquals(0, cl.execute(all));
    return cl.getSubcommands().get("serve").getCommand();
  }

  @Test
  void aFlagNamedWithItsSettingAlsoOnStaysOn() {
    assertTrue(run(Map.of("HG_NO_MDNS", "1"), "--no-mdns").noMdns);
    assertTrue(run(Map.of("HG_COORD_NO_CACHE", "yes"), "--no-cache").noCache);
  }

  @Test
  void eitherAloneTurnsTheFlagOn() {
    assertTrue(run(Map.of("HG_NO_MDNS", "true")).noMdns);
    assertTrue(run(Map.of(), "--no-mdns").noMdns);
    assertTrue(run(Map.of("HG_NO_MDNS", "0"), "--no-mdns").noMdns);
  }

  @Test
  void neitherLeavesItOff() {
    Serve s = run(Map.of("HG_NO_MDNS", "off"));
    assertFalse(s.noMdns);
    assertFalse(s.noCache);
  }

  @Test
  void aBadFlagSettingIsWarnedAboutAndLeavesTheFlagOff() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Serve s = run(Map.of("HG_NO_MDNS", "maybe"), new PrintStream(err, true, UTF_8));
    assertFalse(s.noMdns);
    String printed = err.toString(UTF_8);
    assertTrue(
        printed.startsWith("hg-coord: warning: ") && printed.contains("HG_NO_MDNS"), printed);
  }

  @Test
  void valuedOptionsStillTakeTheirSettingAndTheCommandLineWins() {
    assertEquals(9100, run(Map.of("HG_COORD_GRPC_PORT", "9100")).grpcPort);
    assertEquals(9200, run(Map.of("HG_COORD_GRPC_PORT", "9100"), "--grpc-port", "9200").grpcPort);
  }
}
