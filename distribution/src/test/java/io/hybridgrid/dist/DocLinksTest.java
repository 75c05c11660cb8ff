package io.hybridgrid.dist;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every relative link in the Markdown docs points at a file of this repository (not outside it),
 * and every {@code #anchor} at a heading of the target page (GitHub's heading slugs).
 */
class DocLinksTest {
  private static final Path ROOT =
      Path.of(System.getProperty("hg.root", "..")).toAbsolutePath().normalize();
  private static final Pattern LINK = Pattern.compile("\\]\\(([^)\\s]+)\\)");

  static String slug(String heading) {
    return heading
        .strip()
        .toLowerCase(Locale.ROOT)
        .replaceAll("[^\\p{L}\\p{N} _-]", "")
        .replace(' ', '-');
  }

  private static List<String> anchors(Path md) throws Exception {
    List<String> out = new ArrayList<>();
    for (String line : Files.readAllLines(md)) {
      if (line.startsWith("#")) {
        out.add(slug(line.replaceFirst("^#+", "")));
      }
    }
    return out;
  }

  @Test
  void relativeLinksResolveInsideTheRepository() throws Exception {
    List<Path> docs;
    try (Stream<Path> s = Files.walk(ROOT)) {
      docs =
          s.filter(p -> p.toString().endsWith(".md"))
              .filter(
                  p ->
                      !ROOT.relativize(p)
                          .toString()
                          .matches("(dist|.*target|\\.git|node_modules)/.*"))
              .toList();
    }
    List<String> broken = new ArrayList<>();
    for (Path md : docs) {
      Matcher m = LINK.matcher(Files.readString(md));
      while (m.find()) {
        String link = m.group(1);
        if (link.matches("[a-z]+:.*")) {
          continue; // http:, https:, mailto:
        }
        String file = link.contains("#") ? link.substring(0, link.indexOf('#')) : link;
        String anchor = link.contains("#") ? link.substring(link.indexOf('#') + 1) : null;
        Path target = file.isEmpty() ? md : md.getParent().resolve(file).normalize();
        if (!target.startsWith(ROOT)) {
          broken.add(ROOT.relativize(md) + ": " + link + " leaves the repository");
        } else if (!Files.exists(target)) {
          broken.add(ROOT.relativize(md) + ": " + link + " does not exist");
        } else if (anchor != null
            && target.toString().endsWith(".md")
            && !anchors(target).contains(anchor)) {
          broken.add(ROOT.relativize(md) + ": " + link + " names no heading");
        }
      }
    }
    assertEquals(List.of(), broken);
  }

  @Test
  void readmeAndTheExampleFileListEveryConfigKey() throws Exception {
    String readme = Files.readString(ROOT.resolve("README.md"));
    String example = Files.readString(ROOT.resolve("distribution/src/etc/config.toml"));
    List<String> missing = new ArrayList<>();
    for (io.hybridgrid.common.config.ConfigKey key : io.hybridgrid.common.config.ConfigKeys.all()) {
      if (!readme.contains("| `" + key.name() + "` | `" + key.env() + "` |")) {
        missing.add("README.md: " + key.name());
      }
      String leaf = key.name().substring(key.name().lastIndexOf('.') + 1);
      if (!example.contains("# " + leaf + " = ") || !example.contains(key.env())) {
        missing.add("config.toml: " + key.name());
      }
    }
    assertEquals(List.of(), missing);
  }
}
