package io.hybridgrid.common.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Precedence flag > environment > user file > system file > default, one test per level. */
class ConfigTest {
  @TempDir Path tmp;
  Path userFile;
  Path systemFile;
  Map<String, String> env;

  @BeforeEach
  void files() throws Exception {
    Path xdg = tmp.resolve("xdg");
    userFile = xdg.resolve("hybridgrid/config.toml");
    systemFile = tmp.resolve("etc/config.toml");
    Files.createDirectories(userFile.getParent());
    Files.createDirectories(systemFile.getParent());
    env = Map.of("XDG_CONFIG_HOME", xdg.toString(), "HOME", tmp.resolve("home").toString());
  }

  private Config config(Map<String, String> flags, Map<String, String> extraEnv) {
    Map<String, String> all = new java.util.HashMap<>(env);
    all.putAll(extraEnv);
    return Config.load(flags, all, systemFile);
  }

  private void allLevelsSetTimeout() throws Exception {
    Files.writeString(userFile, "timeout = 30\n[coord]\ngrpc_port = 9100\n");
    Files.writeString(systemFile, "timeout = 40\n[coord]\ngrpc_port = 9200\nhttp_port = 8200\n");
  }

  @Test
  void defaultWhenNothingSetsIt() {
    Config.Setting s = config(Map.of(), Map.of()).get("timeout");
    assertEquals("600", s.value());
    assertEquals(Config.Source.DEFAULT, s.source());
    assertEquals("default", s.origin());
  }

  @Test
  void systemFileBeatsDefault() throws Exception {
    allLevelsSetTimeout();
    Config.Setting s = config(Map.of(), Map.of()).get("coord.http_port");
    assertEquals("8200", s.value());
    assertEquals(Config.Source.SYSTEM_FILE, s.source());
    assertEquals("system file (" + systemFile + ")", s.origin());
  }

  @Test
  void userFileBeatsSystemFile() throws Exception {
    allLevelsSetTimeout();
    Config c = config(Map.of(), Map.of());
    assertEquals("30", c.text("timeout"));
    assertEquals(Config.Source.USER_FILE, c.get("timeout").source());
    assertEquals(9100, c.number("coord.grpc_port"));
  }

  @Test
  void environmentBeatsUserFile() throws Exception {
    allLevelsSetTimeout();
    Config c = config(Map.of(), Map.of("HG_TIMEOUT", "50", "HG_COORD_GRPC_PORT", "9300"));
    assertEquals("50", c.text("timeout"));
    assertEquals("environment (HG_TIMEOUT)", c.get("timeout").origin());
    assertEquals(9300, c.number("coord.grpc_port"));
  }

  @Test
  void flagBeatsEnvironment() throws Exception {
    allLevelsSetTimeout();
    Config c = config(Map.of("timeout", "60"), Map.of("HG_TIMEOUT", "50"));
    assertEquals("60", c.text("timeout"));
    assertEquals(Config.Source.FLAG, c.get("timeout").source());
  }

  @Test
  void userFileFallsBackToHomeWithoutXdg() {
    assertEquals(
        Path.of("/home/me/.config/hybridgrid/config.toml"),
        Config.userFile(Map.of("HOME", "/home/me")).orElseThrow());
    assertTrue(Config.userFile(Map.of()).isEmpty());
  }

  @Test
  void invalidValueWarnsNamingTheKeyAndUsesTheNextSource() throws Exception {
    Files.writeString(userFile, "cache_size = \"2G\"\n");
    Config c = config(Map.of(), Map.of("HG_CACHE_SIZE", "0", "HG_PRIORITY", "bacth"));
    assertEquals("2G", c.text("cache_size"));
    assertEquals("interactive", c.text("priority"));
    List<String> w = c.warnings();
    assertEquals(2, w.size(), w.toString());
    assertTrue(
        w.get(0).startsWith("invalid value '0' for HG_CACHE_SIZE (environment): must be a size"),
        w.get(0));
    assertTrue(w.get(0).endsWith("; using '2G' (user file (" + userFile + "))"), w.get(0));
    assertEquals(
        "invalid value 'bacth' for HG_PRIORITY (environment): must be one of interactive, batch;"
            + " using 'interactive' (default)",
        w.get(1));
  }

  @Test
  void booleanTyposAreReportedNotTakenAsYes() {
    Config c = config(Map.of(), Map.of("HG_NO_FALLBACK", "ture"));
    assertFalse(c.bool("no_fallback"));
    assertTrue(c.warnings().get(0).contains("HG_NO_FALLBACK"), c.warnings().toString());
    assertTrue(config(Map.of(), Map.of("HG_NO_FALLBACK", "yes")).bool("no_fallback"));
    assertFalse(config(Map.of(), Map.of("HG_NO_FALLBACK", "0")).bool("no_fallback"));
  }

  @Test
  void invalidValueInAFileNamesTheFileAndKey() throws Exception {
    Files.writeString(systemFile, "[coord]\nqueue_size = -3\n");
    Config c = config(Map.of(), Map.of());
    assertEquals(10000, c.number("coord.queue_size"));
    assertEquals(
        "invalid value '-3' for coord.queue_size ("
            + systemFile
            + "): must be a whole number of at least 1; using '10000' (default)",
        c.warnings().get(0));
  }

  @Test
  void unknownKeysAndBrokenFilesAreWarningsNotErrors() throws Exception {
    Files.writeString(userFile, "timout = 5\n");
    Files.writeString(systemFile, "this is not toml = = =\n");
    Config c = config(Map.of(), Map.of());
    assertEquals("600", c.text("timeout"));
    String all = String.join("\n", c.warnings());
    assertTrue(
        all.contains("unknown key 'timout' in " + userFile + "; did you mean 'timeout'?"), all);
    assertTrue(all.contains("cannot parse " + systemFile), all);
  }

  @Test
  void setWritesTheUserFileAndKeepsOtherKeys() throws Exception {
    Files.writeString(userFile, "verbose = true\n");
    ConfigFile.set(userFile, "coord.grpc_port", "9500");
    ConfigFile.set(userFile, "timeout", "90");
    Config c = config(Map.of(), Map.of());
    assertEquals(9500, c.number("coord.grpc_port"));
    assertEquals("90", c.text("timeout"));
    assertTrue(c.bool("verbose"));
    assertTrue(c.warnings().isEmpty(), c.warnings().toString());
  }

  @Test
  void setRefusesUnknownKeysAndBadValuesNamingThem() {
    IllegalArgumentException unknown =
        assertThrows(
            IllegalArgumentException.class, () -> ConfigFile.set(userFile, "cahe_size", "1G"));
    assertEquals(
        "unknown key 'cahe_size'; did you mean 'cache_size'? (every key: hgbuild config show)",
        unknown.getMessage());
    IllegalArgumentException bad =
        assertThrows(
            IllegalArgumentException.class, () -> ConfigFile.set(userFile, "timeout", "x"));
    assertEquals(
        "invalid value 'x' for timeout: must be a whole number of seconds, at least 1",
        bad.getMessage());
    assertFalse(Files.exists(userFile));
  }

  @Test
  void sizes() {
    assertEquals(5L << 30, ValueType.parseSize("5G", false));
    assertEquals(1536L << 20, ValueType.parseSize("1.5GiB", false));
    assertEquals(0, ValueType.parseSize("0", true));
    assertThrows(IllegalArgumentException.class, () -> ValueType.parseSize("0", false));
    assertThrows(IllegalArgumentException.class, () -> ValueType.parseSize("5X", true));
  }
}
