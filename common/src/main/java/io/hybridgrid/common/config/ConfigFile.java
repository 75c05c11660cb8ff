package io.hybridgrid.common.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.toml.TomlMapper;
import io.hybridgrid.common.fs.AtomicFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One config.toml: top-level keys for hgbuild and shared settings, {@code [coord]} and {@code
 * [worker]} tables for the servers. A file that is missing is empty; one that cannot be read or
 * parsed, and keys nobody knows, are reported as problems (and the rest is used), never thrown.
 *
 * @param path where it was read from
 * @param values key (dotted for tables) to value as text
 * @param problems what was wrong with it, each naming the file
 */
public record ConfigFile(Path path, Map<String, String> values, List<String> problems) {
  private static final TomlMapper TOML = new TomlMapper();

  public ConfigFile {
    values = Map.copyOf(values);
    problems = List.copyOf(problems);
  }

  /** Reads {@code path}; a missing file (or a null path) is empty. */
  public static ConfigFile read(Path path) {
    if (path == null) {
      return new ConfigFile(null, Map.of(), List.of());
    }
    if (!path.toFile().exists()) {
      // The usual case, asked on every compile: no exception (and stack trace) for it.
      return new ConfigFile(path, Map.of(), List.of());
    }
    String text;
    try {
      text = Files.readString(path, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return new ConfigFile(path, Map.of(), List.of());
    } catch (IOException e) {
      return new ConfigFile(path, Map.of(), List.of("cannot read " + path + ": " + e));
    }
    JsonNode root;
    try {
      root = TOML.readTree(text);
    } catch (JsonProcessingException e) {
      return new ConfigFile(
          path,
          Map.of(),
          List.of(
              "cannot parse "
                  + path
                  + " (TOML): "
                  + e.getOriginalMessage()
                  + "; its settings are ignored"));
    }
    Map<String, String> values = new LinkedHashMap<>();
    List<String> problems = new ArrayList<>();
    flatten("", root, values, problems, path);
    return new ConfigFile(path, values, problems);
  }

  private static void flatten(
      String prefix, JsonNode node, Map<String, String> out, List<String> problems, Path path) {
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> e = it.next();
      String key = prefix + e.getKey();
      JsonNode v = e.getValue();
      if (v.isObject()) {
        flatten(key + ".", v, out, problems, path);
      } else if (ConfigKeys.find(key).isEmpty()) {
        problems.add(
            "unknown key '"
                + key
                + "' in "
                + path
                + ConfigKeys.closest(key).map(k -> "; did you mean '" + k + "'?").orElse("")
                + " (every key: hgbuild config show)");
      } else if (v.isArray()) {
        List<String> parts = new ArrayList<>();
        v.forEach(x -> parts.add(x.asText()));
        out.put(key, String.join(",", parts));
      } else {
        out.put(key, v.asText());
      }
    }
  }

  /**
   * Sets {@code key} to {@code value} in the file at {@code path} (created with its directory if
   * need be), keeping its other settings; the file is replaced atomically. Comments in it are not
   * kept.
   *
   * @throws IllegalArgumentException for an unknown key or an invalid value (the message names the
   *     key and says what is valid)
   */
  public static void set(Path path, String key, String value) throws IOException {
    ConfigKey k =
        ConfigKeys.find(key)
            .orElseThrow(
                () ->
                    new IllegalArgumentException(
                        "unknown key '"
                            + key
                            + "'"
                            + ConfigKeys.closest(key)
                                .map(c -> "; did you mean '" + c + "'?")
                                .orElse("")
                            + " (every key: hgbuild config show)"));
    String canonical;
    try {
      canonical = k.type().check(value);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(
          "invalid value '" + value + "' for " + key + ": " + e.getMessage(), e);
    }
    ObjectNode root;
    if (Files.exists(path)) {
      JsonNode read = TOML.readTree(Files.readString(path, StandardCharsets.UTF_8));
      root = read instanceof ObjectNode o ? o : TOML.createObjectNode();
    } else {
      root = TOML.createObjectNode();
    }
    ObjectNode table = root;
    String[] parts = key.split("\\.");
    for (int i = 0; i < parts.length - 1; i++) {
      JsonNode child = table.get(parts[i]);
      table = child instanceof ObjectNode o ? o : table.putObject(parts[i]);
    }
    String leaf = parts[parts.length - 1];
    if (k.type() == ValueType.BOOL) {
      table.put(leaf, Boolean.parseBoolean(canonical));
    } else if (k.type() == ValueType.FRACTION) {
      table.put(leaf, Double.parseDouble(canonical));
    } else if (canonical.matches("[0-9]{1,18}")) {
      table.put(leaf, Long.parseLong(canonical));
    } else {
      table.put(leaf, canonical);
    }
    Files.createDirectories(path.toAbsolutePath().getParent());
    AtomicFiles.write(
        path.toAbsolutePath(),
        TOML.writeValueAsString(root).getBytes(StandardCharsets.UTF_8),
        false);
  }
}
