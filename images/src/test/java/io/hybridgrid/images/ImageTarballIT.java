package io.hybridgrid.images;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/**
 * The image tarballs {@code package} built with Jib: entrypoint, non-root user, state volume, ports
 * and layers, read from the image's own manifest and config JSON; and the layers hold a Java
 * runtime at the entrypoint's path and the programs' jars.
 */
class ImageTarballIT {
  private static final Path DIR = Path.of(System.getProperty("hg.images", "target"));
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The files of an (uncompressed) tar, name to content. */
  static Map<String, byte[]> untar(InputStream in) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    byte[] header = new byte[512];
    while (in.readNBytes(header, 0, 512) == 512 && header[0] != 0) {
      String name = field(header, 0, 100);
      String prefix = field(header, 345, 155);
      if (!prefix.isEmpty()) {
        name = prefix + "/" + name;
      }
      long size =
          Long.parseLong(
              field(header, 124, 12).strip().isEmpty() ? "0" : field(header, 124, 12).strip(), 8);
      byte[] data = in.readNBytes((int) size);
      in.readNBytes((int) ((512 - size % 512) % 512));
      char type = (char) header[156];
      if (type == '0' || type == '\0') {
        files.put(name.replaceFirst("^\\./", ""), data);
      } else {
        files.put(name.replaceFirst("^\\./", ""), new byte[0]);
      }
    }
    return files;
  }

  private static String field(byte[] h, int off, int len) {
    int end = off;
    while (end < off + len && h[end] != 0) {
      end++;
    }
    return new String(h, off, end - off, StandardCharsets.US_ASCII);
  }

  private record Image(JsonNode config, List<Map<String, byte[]>> layers) {
    boolean has(String path) {
      return layers.stream().anyMatch(l -> l.containsKey(path));
    }
  }

  private static Image read(String tar) throws IOException {
    Map<String, byte[]> outer;
    try (InputStream in = Files.newInputStream(DIR.resolve(tar))) {
      outer = untar(in);
    }
    JsonNode manifest = JSON.readTree(outer.get("manifest.json")).get(0);
    JsonNode config = JSON.readTree(outer.get(manifest.get("Config").asText()));
    List<Map<String, byte[]>> layers = new ArrayList<>();
    for (JsonNode layer : manifest.get("Layers")) {
      byte[] gz = outer.get(layer.asText());
      assertTrue(gz != null, "layer " + layer + " missing from " + tar);
      try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(gz))) {
        layers.add(untar(in));
      }
    }
    return new Image(config, layers);
  }

  private static void checkCommon(Image image, String mainClass) {
    JsonNode c = image.config().get("config");
    assertEquals("65532:65532", c.get("User").asText(), "runs as a non-root user");
    List<String> entrypoint = new ArrayList<>();
    c.get("Entrypoint").forEach(e -> entrypoint.add(e.asText()));
    assertEquals("/opt/java/bin/java", entrypoint.get(0));
    assertEquals(mainClass, entrypoint.get(entrypoint.size() - 1));
    assertTrue(c.get("Volumes").has("/var/lib/hybridgrid"), "the state volume");
    assertTrue(
        c.get("Env").toString().contains("HOME=/var/lib/hybridgrid"), c.get("Env").toString());
    assertTrue(image.layers().size() >= 3, "runtime, libraries and the project's own layers");
    assertEquals(
        image.layers().size(),
        image.config().get("rootfs").get("diff_ids").size(),
        "every layer is in the config");
    assertTrue(image.has("opt/java/bin/java"), "the Java runtime is in the image");
    assertTrue(image.has("lib64/ld-linux-x86-64.so.2"), "with the loader it needs");
    assertTrue(image.has("etc/passwd"));
    assertTrue(image.has("app/jib-classpath-file"));
  }

  @Test
  void coordinatorImage() throws Exception {
    Image image = read("hg-coord-image.tar");
    checkCommon(image, "io.hybridgrid.coord.Main");
    JsonNode c = image.config().get("config");
    assertTrue(c.get("ExposedPorts").has("9000/tcp"));
    assertTrue(c.get("ExposedPorts").has("8080/tcp"));
    List<String> args = new ArrayList<>();
    c.get("Cmd").forEach(a -> args.add(a.asText()));
    assertEquals(List.of("serve", "--no-mdns", "--state-dir", "/var/lib/hybridgrid"), args);
    assertTrue(
        image.layers().stream()
            .anyMatch(
                l -> l.keySet().stream().anyMatch(k -> k.matches("app/libs/hg-coord-.*\\.jar"))),
        "hg-coord's jar");
  }

  @Test
  void workerImage() throws Exception {
    Image image = read("hg-worker-image.tar");
    checkCommon(image, "io.hybridgrid.worker.Main");
    assertTrue(
        image.layers().stream()
            .anyMatch(
                l -> l.keySet().stream().anyMatch(k -> k.matches("app/libs/hg-worker-.*\\.jar"))),
        "hg-worker's jar");
    assertTrue(
        image.has("app/libexec/hg-sandbox-exec"),
        "hg-sandbox-exec beside the worker's jar, where the worker looks for it");
    assertFalse(
        coordinatorHasHelper(), "the coordinator's image does not carry the worker's helper");
  }

  private boolean coordinatorHasHelper() throws Exception {
    return read("hg-coord-image.tar").has("app/libexec/hg-sandbox-exec");
  }

  static byte[] readAll(InputStream in) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    in.transferTo(out);
    return out.toByteArray();
  }
}
